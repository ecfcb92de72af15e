import type { SliName } from '@homelab/deploy-report';
import { type AppName, apps, type CanaryStage, canaryGate } from '@homelab/platform';

// The record's vocabulary lives with the record (packages/deploy-report), which the web image carries.
export type { SliName };
export const sliNames: readonly SliName[] = ['errors', 'slow'];

/** Everything the engine needs, all of it derived from packages/platform unless a test or a flag overrides it. */
export interface GateConfig {
  readonly stages: readonly CanaryStage[];
  /** Target ratio of good events per SLI (availability: not 5xx; latency: within the threshold). */
  readonly objectives: Readonly<Record<SliName, number>>;
  /** The latency SLO's threshold: a histogram bucket boundary. */
  readonly latencyThresholdSeconds: number;
  readonly alpha: number;
  /** Test B's alpha: lower than Test A's because a held shared outage gives it a long time to look (ADR 0133). */
  readonly relativeAlpha: number;
  readonly beta: number;
  readonly burnFactor: number;
  readonly relativeRatios: readonly number[];
  readonly warmupSeconds: number;
  readonly minRequestsForRollback: number;
  readonly minBadEventsForRollback: number;
  readonly stagePassMaxRelativeLogEvidence: number;
  /** Test A's second alternative per SLI: p1' = factor x p0 (ADR 0132). */
  readonly tightFactors: Readonly<Record<SliName, number>>;
  /** Test A blames the canary only after stable has had this many requests (baseline included; ADR 0133). */
  readonly minStableRequestsForBlame: number;
  /** Stable's CUSUM at or over this log-evidence: stable is failing its own SLO (ADR 0133). */
  readonly stableFailingLogEvidence: number;
  /** What a stage deadline without a verdict does (ADR 0131). */
  readonly deadlinePolicy: 'extend' | 'hold';
  /** Extensions end here: the rollout is held for the operator. */
  readonly maxRolloutSeconds: number;
  /**
   * Operator override for emergencies (`homelab deploy --override promote-if-no-worse`): in a shared outage, a
   * canary that Test B does not find worse than stable passes its stages instead of holding. Default false.
   */
  readonly promoteIfNoWorse: boolean;
}

/** The gate for one app, from its SLOs and the platform's canary section; `overrides` for tests and flags. */
export function gateConfigFor(app: AppName, overrides: Partial<GateConfig> = {}): GateConfig {
  const slos = apps[app].slos;
  const availability = slos.find((s) => s.kind === 'availability');
  const latency = slos.find((s) => s.kind === 'latency');
  if (!availability || !latency?.thresholdSeconds) {
    throw new Error(`apps.${app}.slos: the canary gate needs an availability and a latency SLO with a threshold`);
  }
  const config: GateConfig = {
    stages: canaryGate.stages,
    objectives: { errors: availability.objective, slow: latency.objective },
    latencyThresholdSeconds: latency.thresholdSeconds,
    alpha: canaryGate.alpha,
    relativeAlpha: canaryGate.relativeAlpha,
    beta: canaryGate.beta,
    burnFactor: canaryGate.burnFactor,
    relativeRatios: canaryGate.relativeRatios,
    warmupSeconds: canaryGate.warmupSeconds,
    minRequestsForRollback: canaryGate.minRequestsForRollback,
    minBadEventsForRollback: canaryGate.minBadEventsForRollback,
    stagePassMaxRelativeLogEvidence: canaryGate.stagePassMaxRelativeLogEvidence,
    tightFactors: canaryGate.tightFactors,
    stableFailingLogEvidence: canaryGate.stableFailingLogEvidence,
    minStableRequestsForBlame: canaryGate.minStableRequestsForBlame,
    deadlinePolicy: canaryGate.deadlinePolicy,
    maxRolloutSeconds: canaryGate.maxRolloutSeconds,
    promoteIfNoWorse: false,
    ...overrides,
  };
  validateGateConfig(config);
  return config;
}

/** Throws naming the field: a gate with a nonsense plan must not start. */
export function validateGateConfig(config: GateConfig): void {
  if (config.stages.length === 0) throw new Error('canaryGate.stages: at least one stage');
  config.stages.forEach((s, i) => {
    if (!(s.weight > 0 && s.weight <= 100)) throw new Error(`canaryGate.stages[${i}].weight: must be in (0, 100]`);
    if (i > 0 && s.weight <= (config.stages[i - 1]?.weight ?? 0)) {
      throw new Error(`canaryGate.stages[${i}].weight: weights must increase`);
    }
    if (!(s.deadlineSeconds > 0)) throw new Error(`canaryGate.stages[${i}].deadlineSeconds: must be > 0`);
  });
  for (const name of ['alpha', 'beta', 'relativeAlpha'] as const) {
    if (!(config[name] > 0 && config[name] < 0.5)) throw new Error(`canaryGate.${name}: must be in (0, 0.5)`);
  }
  if (
    !(
      config.stagePassMaxRelativeLogEvidence > 0 &&
      config.stagePassMaxRelativeLogEvidence < Math.log(1 / config.relativeAlpha)
    )
  ) {
    throw new Error('canaryGate.stagePassMaxRelativeLogEvidence: must be in (0, ln(1/relativeAlpha))');
  }
  if (!(config.burnFactor > 1)) throw new Error('canaryGate.burnFactor: must be > 1');
  for (const name of sliNames) {
    const f = config.tightFactors[name];
    if (!(f > 1 && f < config.burnFactor)) {
      throw new Error(`canaryGate.tightFactors.${name}: must be in (1, burnFactor)`);
    }
  }
  if (!(config.stableFailingLogEvidence >= Math.log(1 / config.alpha))) {
    throw new Error('canaryGate.stableFailingLogEvidence: must be >= ln(1/alpha)');
  }
  if (config.deadlinePolicy !== 'extend' && config.deadlinePolicy !== 'hold') {
    throw new Error("canaryGate.deadlinePolicy: must be 'extend' or 'hold'");
  }
  const planned = config.stages.reduce((sum, s) => sum + s.deadlineSeconds, 0);
  if (!(config.maxRolloutSeconds >= (config.stages[0]?.deadlineSeconds ?? 0))) {
    throw new Error(`canaryGate.maxRolloutSeconds: must be >= the first stage's deadline (plan: ${planned} s)`);
  }
  if (config.relativeRatios.length === 0 || config.relativeRatios.some((r) => !(r > 1))) {
    throw new Error('canaryGate.relativeRatios: one or more ratios, each > 1');
  }
}
