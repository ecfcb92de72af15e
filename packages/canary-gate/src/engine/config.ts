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
  readonly beta: number;
  readonly burnFactor: number;
  readonly relativeRatios: readonly number[];
  readonly warmupSeconds: number;
  readonly minRequestsForRollback: number;
  readonly minBadEventsForRollback: number;
  readonly stagePassMaxRelativeLogEvidence: number;
  readonly sharedOutageWindowSeconds: number;
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
    beta: canaryGate.beta,
    burnFactor: canaryGate.burnFactor,
    relativeRatios: canaryGate.relativeRatios,
    warmupSeconds: canaryGate.warmupSeconds,
    minRequestsForRollback: canaryGate.minRequestsForRollback,
    minBadEventsForRollback: canaryGate.minBadEventsForRollback,
    stagePassMaxRelativeLogEvidence: canaryGate.stagePassMaxRelativeLogEvidence,
    sharedOutageWindowSeconds: canaryGate.sharedOutageWindowSeconds,
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
  for (const name of ['alpha', 'beta'] as const) {
    if (!(config[name] > 0 && config[name] < 0.5)) throw new Error(`canaryGate.${name}: must be in (0, 0.5)`);
  }
  if (
    !(config.stagePassMaxRelativeLogEvidence > 0 && config.stagePassMaxRelativeLogEvidence < Math.log(1 / config.alpha))
  ) {
    throw new Error('canaryGate.stagePassMaxRelativeLogEvidence: must be in (0, ln(1/alpha))');
  }
  if (!(config.burnFactor > 1)) throw new Error('canaryGate.burnFactor: must be > 1');
  if (config.relativeRatios.length === 0 || config.relativeRatios.some((r) => !(r > 1))) {
    throw new Error('canaryGate.relativeRatios: one or more ratios, each > 1');
  }
}
