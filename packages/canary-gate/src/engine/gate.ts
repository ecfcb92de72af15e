import type { Decision, HoldReason, SliEvidence } from '@homelab/deploy-report';
import type { GateConfig, SliName } from './config.ts';
import { sliNames } from './config.ts';
import { addCounts, type Counts, zeroCounts } from './counts.ts';
import { type MixtureState, mixtureLogEvidence, mixtureStart, mixtureUpdate } from './mixture.ts';
import { type SprtBounds, sprtBounds, sprtIncrement } from './sprt.ts';

/** One evaluation interval's increments, as the gate sees them. */
export interface Observation {
  /** Seconds since the rollout started, at the end of the interval. */
  readonly at: number;
  /** Length of the interval in seconds. */
  readonly seconds: number;
  readonly canary: Counts;
  readonly stable: Counts;
}

export type { Decision, HoldReason, RollbackReason, SliEvidence } from '@homelab/deploy-report';

interface SliState {
  readonly bounds: SprtBounds;
  testA: number;
  testAStage: number;
  testB: MixtureState;
}

/** The gate's memory. Plain data, so a record of it can be printed or kept. */
export interface GateState {
  stage: number;
  stageStartedAt: number;
  /** Interval start of the first canary traffic; warm-up runs from here. */
  firstTrafficAt: number | undefined;
  /**
   * Observations ending at or before this are skipped: the first seconds of canary traffic, and again after each
   * weight increase (a step in traffic is a small start-up: connection pools grow, caches fill).
   */
  warmupUntil: number | undefined;
  canaryTotal: Counts;
  stableTotal: Counts;
  recentStable: { at: number; counts: Counts }[];
  sli: Record<SliName, SliState>;
  final: Decision | undefined;
}

const badOf = (counts: Counts, sli: SliName) => (sli === 'errors' ? counts.errors : counts.slow);

export function startGate(config: GateConfig): GateState {
  const sli = (name: SliName): SliState => ({
    bounds: sprtBounds(config.objectives[name], config.burnFactor, config.alpha, config.beta),
    testA: 0,
    testAStage: 0,
    testB: mixtureStart(config.relativeRatios),
  });
  return {
    stage: 0,
    stageStartedAt: 0,
    firstTrafficAt: undefined,
    warmupUntil: undefined,
    canaryTotal: zeroCounts,
    stableTotal: zeroCounts,
    recentStable: [],
    sli: { errors: sli('errors'), slow: sli('slow') },
    final: undefined,
  };
}

export function evidenceOf(config: GateConfig, state: GateState): Record<SliName, SliEvidence> {
  const one = (name: SliName): SliEvidence => {
    const s = state.sli[name];
    return {
      testA: s.testA,
      testAStage: s.testAStage,
      upper: s.bounds.upper,
      lower: s.bounds.lower,
      testB: mixtureLogEvidence(s.testB),
      bThreshold: Math.log(1 / config.alpha),
      canaryBad: badOf(state.canaryTotal, name),
      stableBad: badOf(state.stableTotal, name),
    };
  };
  return { errors: one('errors'), slow: one('slow') };
}

/** Stable is in trouble of its own: its recent bad-event ratio is over p1 on enough requests. */
function stableOutage(config: GateConfig, state: GateState, sli: SliName): boolean {
  const recent = state.recentStable.reduce((acc, r) => addCounts(acc, r.counts), zeroCounts);
  if (recent.requests < config.minRequestsForRollback) return false;
  return badOf(recent, sli) / recent.requests >= state.sli[sli].bounds.p1;
}

/**
 * Feeds one interval to the gate and decides. Pure: the state is updated in place and also returned, the
 * decision depends on nothing but the config and the observations so far. Once it promotes or rolls back,
 * the decision is final and later observations change nothing.
 */
export function step(config: GateConfig, state: GateState, obs: Observation): Decision {
  if (state.final) return state.final;
  const stageSpec = config.stages[state.stage];
  if (!stageSpec) throw new Error(`gate: no stage ${state.stage}`);

  if (state.firstTrafficAt === undefined && obs.canary.requests > 0) {
    state.firstTrafficAt = obs.at - obs.seconds;
    state.warmupUntil = state.firstTrafficAt + config.warmupSeconds;
  }
  const deadlinePassed = obs.at - state.stageStartedAt >= stageSpec.deadlineSeconds;
  const finish = (d: Decision) => {
    state.final = d;
    return d;
  };
  const hold = (reason: HoldReason, detail: string, alert = false): Decision => {
    if (deadlinePassed) {
      return finish({
        kind: 'rollback',
        reason: 'insufficient evidence',
        detail: `stage ${state.stage + 1} (${stageSpec.weight} %) reached its ${stageSpec.deadlineSeconds} s deadline while holding (${reason}): ${detail}`,
      });
    }
    return { kind: 'hold', reason, alert, detail };
  };

  if (state.firstTrafficAt === undefined) return hold('no data', 'no canary requests yet');
  if (state.warmupUntil !== undefined && obs.at <= state.warmupUntil) {
    return hold('warm-up', `skipping ${config.warmupSeconds} s of canary traffic after it started or grew`);
  }

  state.canaryTotal = addCounts(state.canaryTotal, obs.canary);
  state.stableTotal = addCounts(state.stableTotal, obs.stable);
  state.recentStable.push({ at: obs.at, counts: obs.stable });
  state.recentStable = state.recentStable.filter((r) => r.at > obs.at - config.sharedOutageWindowSeconds);

  for (const name of sliNames) {
    const s = state.sli[name];
    const a = sprtIncrement(s.bounds, obs.canary.requests, badOf(obs.canary, name));
    s.testA += a;
    s.testAStage += a;
    s.testB = mixtureUpdate(
      s.testB,
      config.relativeRatios,
      { requests: obs.canary.requests, bad: badOf(obs.canary, name) },
      { requests: obs.stable.requests, bad: badOf(obs.stable, name) },
    );
  }

  const evidence = evidenceOf(config, state);
  let sharedOutage: string | undefined;
  for (const name of sliNames) {
    const e = evidence[name];
    const enough =
      state.canaryTotal.requests >= config.minRequestsForRollback || e.canaryBad >= config.minBadEventsForRollback;
    if (!enough) continue;
    const what = `${name}: canary ${e.canaryBad}/${state.canaryTotal.requests}, stable ${e.stableBad}/${state.stableTotal.requests}`;
    // Relative evidence blames the canary even while stable is also bad: it is worse than stable.
    if (e.testB >= e.bThreshold) {
      return finish({ kind: 'rollback', reason: 'regression', detail: `Test B (relative to stable) ${what}` });
    }
    if (e.testA >= e.upper) {
      if (stableOutage(config, state, name)) sharedOutage = what;
      else return finish({ kind: 'rollback', reason: 'regression', detail: `Test A (against the SLO) ${what}` });
    }
  }
  const stableDown = sliNames.find((name) => stableOutage(config, state, name));
  if (sharedOutage || stableDown) {
    return hold(
      'shared outage',
      sharedOutage ?? `stable's ${stableDown} ratio is over p1: not the canary's fault`,
      true,
    );
  }

  // Test B still gathering evidence against the canary blocks a pass: holding only delays, it never rolls back.
  const passes = (name: SliName) =>
    evidence[name].testAStage <= evidence[name].lower && evidence[name].testB < config.stagePassMaxRelativeLogEvidence;
  if (sliNames.every(passes)) {
    const next = state.stage + 1;
    const nextSpec = config.stages[next];
    if (!nextSpec) return finish({ kind: 'promote', detail: `all ${config.stages.length} stages passed` });
    state.stage = next;
    state.stageStartedAt = obs.at;
    state.warmupUntil = obs.at + config.warmupSeconds;
    for (const name of sliNames) state.sli[name].testAStage = 0;
    return { kind: 'advance', stage: next, weight: nextSpec.weight, detail: `stage ${next} passed` };
  }
  return obs.canary.requests === 0
    ? hold('no data', 'no canary requests in this interval')
    : hold('collecting', 'evidence between the thresholds');
}

/** The weight the canary should have now. */
export const currentWeight = (config: GateConfig, state: GateState): number => {
  if (state.final?.kind === 'rollback') return 0;
  if (state.final?.kind === 'promote') return 100;
  return config.stages[state.stage]?.weight ?? 0;
};
