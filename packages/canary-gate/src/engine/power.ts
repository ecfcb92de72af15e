import type { GateConfig, SliName } from './config.ts';
import { sliNames } from './config.ts';
import { type SprtBounds, sprtBounds } from './sprt.ts';

/**
 * Wald's approximation of the number of requests an SPRT needs to accept H0 when the true bad-event rate is
 * `rate`: lower / E[step]. Infinite when the rate sits where the walk does not drift down (the indifference zone
 * or worse): no amount of traffic passes such a canary, and the plan says so.
 */
export function expectedRequestsToPass(bounds: SprtBounds, rate: number): number {
  const drift = rate * bounds.badStep + (1 - rate) * bounds.goodStep;
  return drift < 0 ? bounds.lower / drift : Number.POSITIVE_INFINITY;
}

export interface StagePlan {
  readonly weight: number;
  /** Canary requests this stage is expected to need. */
  readonly requests: number;
}

export interface DecisionPlan {
  /** Requests per second to the app (both versions), as observed before the rollout. */
  readonly observedRps: number;
  /** Expected seconds to promote a canary at the SLO's edge, on real traffic alone (Infinity at 0 req/s). */
  readonly expectedSeconds: number;
  /** Total rate at which the expected decision fits the target. */
  readonly requiredRps: number;
  /** Synthetic requests per second to add (0 when real traffic suffices), capped at `maxRps`. */
  readonly syntheticRps: number;
  /** Expected seconds with the synthetic traffic added. */
  readonly expectedSecondsWithSynthetic: number;
  readonly stages: readonly StagePlan[];
  readonly text: string;
}

export interface PlanOptions {
  readonly targetDecisionSeconds: number;
  readonly maxSyntheticRps: number;
  readonly evaluationSeconds: number;
}

/**
 * Power analysis (ADR 0130): how many canary requests each stage needs for a healthy canary at the SLO's edge
 * (true bad-event rate = p0, the slowest healthy case), from the SLOs, alpha and beta; how long that takes at the
 * observed rate with each stage's weight; and how much synthetic traffic brings it under the target. The expected
 * time is T(r) = W + K / r (W: warm-ups and half an evaluation per stage; K: requests over weight), so the rate
 * that meets a target is K / (target - W).
 */
export function decisionPlan(config: GateConfig, observedRps: number, options: PlanOptions): DecisionPlan {
  const perSli = (name: SliName) => ({
    stage: expectedRequestsToPass(
      sprtBounds(config.objectives[name], config.burnFactor, config.alpha, config.beta),
      1 - config.objectives[name],
    ),
    tight: expectedRequestsToPass(
      sprtBounds(config.objectives[name], config.tightFactors[name], config.alpha, config.beta),
      1 - config.objectives[name],
    ),
  });
  const needs = sliNames.map(perSli);
  const stageNeed = Math.max(...needs.map((n) => n.stage));
  const tightNeed = Math.max(...needs.map((n) => n.tight));
  // The tight test must accept over the whole rollout before the last stage (gate.ts `needsTight`).
  const tightStage = Math.max(0, config.stages.length - 2);
  let before = 0;
  const stages = config.stages.map((s, i) => {
    const requests = Math.ceil(i === tightStage ? Math.max(stageNeed, tightNeed - before) : stageNeed);
    before += requests;
    return { weight: s.weight, requests };
  });
  const W = config.stages.length * (config.warmupSeconds + options.evaluationSeconds / 2);
  const K = stages.reduce((sum, s) => sum + s.requests / (s.weight / 100), 0);
  const at = (rps: number) => (rps > 0 ? W + K / rps : Number.POSITIVE_INFINITY);
  const slack = options.targetDecisionSeconds - W;
  const requiredRps = slack > 0 ? Math.ceil(K / slack) : Number.POSITIVE_INFINITY;
  const syntheticRps = Math.min(options.maxSyntheticRps, Math.max(0, requiredRps - Math.floor(observedRps)));
  const expectedSeconds = at(observedRps);
  const expectedSecondsWithSynthetic = at(observedRps + syntheticRps);
  const secs = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} s` : 'never (no traffic)');
  const text =
    `plan: ${stages.map((s) => `${s.requests} canary requests at ${s.weight} %`).join(', ')} ` +
    `(a healthy canary at the SLO's edge; alpha ${config.alpha}, beta ${config.beta}); at ${observedRps.toFixed(1)} req/s ` +
    `the decision is expected in ${secs(expectedSeconds)}` +
    (syntheticRps > 0
      ? `; under the ${options.targetDecisionSeconds} s target only with ${syntheticRps} req/s of synthetic canary traffic: expected ${secs(expectedSecondsWithSynthetic)}`
      : `, within the ${options.targetDecisionSeconds} s target`);
  return {
    observedRps,
    expectedSeconds,
    requiredRps,
    syntheticRps,
    expectedSecondsWithSynthetic,
    stages,
    text,
  };
}
