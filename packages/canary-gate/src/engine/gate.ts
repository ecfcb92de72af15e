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

export type { Decision, HeldReason, HoldReason, RollbackReason, SliEvidence } from '@homelab/deploy-report';

interface SliState {
  readonly bounds: SprtBounds;
  readonly tightBounds: SprtBounds;
  testABurn: number;
  testATight: number;
  testAStage: number;
  testB: MixtureState;
  stableCusum: number;
  /** Stable was failing its SLO at some point of the rollout (said in the record). */
  stableFailedSeen: boolean;
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
  /** Canary counts since this stage started (after warm-up): what a deadline reports. */
  stageCanary: Counts;
  /** Canary requests in the last interval, warm-up included (a deadline says whether the last one was empty). */
  lastCanaryRequests: number;
  sli: Record<SliName, SliState>;
  final: Decision | undefined;
  /** Stable requests measured before the first shift. */
  stableBaselineRequests: number;
}

const badOf = (counts: Counts, sli: SliName) => (sli === 'errors' ? counts.errors : counts.slow);

const logMeanExp = (a: number, b: number) => {
  const m = Math.max(a, b);
  return m + Math.log((Math.exp(a - m) + Math.exp(b - m)) / 2);
};

/**
 * `stableBaseline`: stable's counts in the minutes before the first shift (the gate measures them anyway, for the
 * power plan's observed rate). A shared outage already under way is then known before the canary's first errors,
 * instead of being guessed from the few stable requests of the first interval.
 */
export function startGate(config: GateConfig, stableBaseline: Counts = zeroCounts): GateState {
  const sli = (name: SliName): SliState => ({
    bounds: sprtBounds(config.objectives[name], config.burnFactor, config.alpha, config.beta),
    tightBounds: sprtBounds(config.objectives[name], config.tightFactors[name], config.alpha, config.beta),
    testABurn: 0,
    testATight: 0,
    testAStage: 0,
    testB: mixtureStart(config.relativeRatios),
    stableCusum: 0,
    stableFailedSeen: false,
  });
  const state: GateState = {
    stage: 0,
    stageStartedAt: 0,
    firstTrafficAt: undefined,
    warmupUntil: undefined,
    canaryTotal: zeroCounts,
    stableTotal: zeroCounts,
    stageCanary: zeroCounts,
    lastCanaryRequests: 0,
    sli: { errors: sli('errors'), slow: sli('slow') },
    final: undefined,
    stableBaselineRequests: stableBaseline.requests,
  };
  for (const name of sliNames) {
    const s = state.sli[name];
    // Capped at the failing level: an outage an hour long must not take an hour of clean requests to forget.
    s.stableCusum = Math.min(
      config.stableFailingLogEvidence,
      Math.max(0, sprtIncrement(s.bounds, stableBaseline.requests, badOf(stableBaseline, name))),
    );
    if (s.stableCusum >= config.stableFailingLogEvidence) s.stableFailedSeen = true;
  }
  return state;
}

export function evidenceOf(config: GateConfig, state: GateState): Record<SliName, SliEvidence> {
  const one = (name: SliName): SliEvidence => {
    const s = state.sli[name];
    return {
      testA: logMeanExp(s.testABurn, s.testATight),
      testAStage: s.testAStage,
      testATight: s.testATight,
      upper: Math.log(1 / config.alpha),
      lower: s.bounds.lower,
      testB: mixtureLogEvidence(s.testB),
      bThreshold: Math.log(1 / config.relativeAlpha),
      stableCusum: s.stableCusum,
      stableThreshold: config.stableFailingLogEvidence,
      canaryBad: badOf(state.canaryTotal, name),
      stableBad: badOf(state.stableTotal, name),
    };
  };
  return { errors: one('errors'), slow: one('slow') };
}

const pct = (bad: number, requests: number) => (requests > 0 ? `${((100 * bad) / requests).toFixed(2)} %` : '-');

/** How much evidence arrived: what every deadline and held rollout says instead of a bare "no data". */
export function evidenceText(state: GateState): string {
  const c = state.canaryTotal;
  const s = state.stageCanary;
  return (
    `${s.requests} canary requests in this stage (${s.errors} errors, ${s.slow} slow), ` +
    `${c.requests} in the rollout (${c.errors} errors, ${c.slow} slow); stable ${state.stableTotal.requests}` +
    (state.lastCanaryRequests === 0 ? '; the last interval had no canary requests' : '')
  );
}

/**
 * Feeds one interval to the gate and decides. Pure: the state is updated in place and also returned, the
 * decision depends on nothing but the config and the observations so far. Once it promotes, rolls back or holds
 * for the operator, the decision is final and later observations change nothing.
 */
export function step(config: GateConfig, state: GateState, obs: Observation): Decision {
  if (state.final) return state.final;
  const stageSpec = config.stages[state.stage];
  if (!stageSpec) throw new Error(`gate: no stage ${state.stage}`);

  if (state.firstTrafficAt === undefined && obs.canary.requests > 0) {
    state.firstTrafficAt = obs.at - obs.seconds;
    state.warmupUntil = state.firstTrafficAt + config.warmupSeconds;
  }
  state.lastCanaryRequests = obs.canary.requests;
  const deadlinePassed = obs.at - state.stageStartedAt >= stageSpec.deadlineSeconds;
  const finish = (d: Decision) => {
    state.final = d;
    return d;
  };
  const stageName = `stage ${state.stage + 1} (${stageSpec.weight} %)`;
  // A deadline is never a verdict against the canary (ADR 0131): a stage still receiving canary traffic is
  // extended up to maxRolloutSeconds; a silent stage, the hard limit or the `hold` policy end the rollout held.
  const hold = (reason: HoldReason, detail: string, alert = false): Decision => {
    if (deadlinePassed) {
      const silent = state.stageCanary.requests === 0;
      const limit = obs.at >= config.maxRolloutSeconds;
      // A shared outage is an incident, not missing evidence: the operator is asked at the first deadline.
      if (silent || limit || reason === 'shared outage' || config.deadlinePolicy === 'hold') {
        const why = limit
          ? `the rollout reached its ${config.maxRolloutSeconds} s limit`
          : `${stageName} reached its ${stageSpec.deadlineSeconds} s deadline`;
        return finish({
          kind: 'held',
          reason: reason === 'shared outage' ? 'shared outage' : 'insufficient evidence',
          detail: `${why} without a verdict (${reason}: ${detail}) after ${evidenceText(state)}; not a rollback: the operator decides`,
        });
      }
      return {
        kind: 'hold',
        reason: 'extended',
        alert,
        detail: `${stageName} past its ${stageSpec.deadlineSeconds} s deadline, extended while evidence arrives (${reason}: ${detail}); ${evidenceText(state)}`,
      };
    }
    return { kind: 'hold', reason, alert, detail };
  };

  if (state.firstTrafficAt === undefined) return hold('no data', 'no canary requests yet');
  if (state.warmupUntil !== undefined && obs.at <= state.warmupUntil) {
    return hold('warm-up', `skipping ${config.warmupSeconds} s of canary traffic after it started or grew`);
  }

  state.canaryTotal = addCounts(state.canaryTotal, obs.canary);
  state.stableTotal = addCounts(state.stableTotal, obs.stable);
  state.stageCanary = addCounts(state.stageCanary, obs.canary);

  for (const name of sliNames) {
    const s = state.sli[name];
    const bad = badOf(obs.canary, name);
    const a = sprtIncrement(s.bounds, obs.canary.requests, bad);
    s.testABurn += a;
    s.testAStage += a;
    s.testATight += sprtIncrement(s.tightBounds, obs.canary.requests, bad);
    s.testB = mixtureUpdate(
      s.testB,
      config.relativeRatios,
      { requests: obs.canary.requests, bad },
      { requests: obs.stable.requests, bad: badOf(obs.stable, name) },
    );
    // Page's CUSUM of stable's own Test A: reflected at 0, so it says "failing now" and recovers after an outage.
    s.stableCusum = Math.max(0, s.stableCusum + sprtIncrement(s.bounds, obs.stable.requests, badOf(obs.stable, name)));
    if (s.stableCusum >= config.stableFailingLogEvidence) s.stableFailedSeen = true;
  }

  const evidence = evidenceOf(config, state);
  // Test A blames the canary only while stable is clean: its CUSUM under half a bad event's evidence (nothing bad
  // lately) after enough requests to show an outage at the paging rate (minStableRequestsForBlame). Otherwise a
  // canary unlucky in a shared outage and a stable lucky in it look like a regression; Test B ("worse than stable")
  // still blames at once, and Test A again as soon as stable is clean (ADR 0133).
  const stableSeen = state.stableBaselineRequests + state.stableTotal.requests;
  const stableUnknown = stableSeen > 0 && stableSeen < config.minStableRequestsForBlame;
  const stableClean = (name: SliName) =>
    !stableUnknown && state.sli[name].stableCusum < state.sli[name].bounds.badStep / 2;
  let sharedOutage: string | undefined;
  let waiting: string | undefined;
  for (const name of sliNames) {
    const e = evidence[name];
    const enough =
      state.canaryTotal.requests >= config.minRequestsForRollback || e.canaryBad >= config.minBadEventsForRollback;
    if (!enough) continue;
    const what = `${name}: canary ${e.canaryBad}/${state.canaryTotal.requests} (${pct(e.canaryBad, state.canaryTotal.requests)}), stable ${e.stableBad}/${state.stableTotal.requests} (${pct(e.stableBad, state.stableTotal.requests)})`;
    // Relative evidence blames the canary even while stable is also bad: it is worse than stable.
    if (e.testB >= e.bThreshold) {
      return finish({ kind: 'rollback', reason: 'regression', detail: `Test B (worse than stable) ${what}` });
    }
    if (e.testA >= e.upper) {
      if (state.sli[name].stableCusum >= e.upper) sharedOutage = what;
      else if (!stableClean(name)) waiting = what;
      else return finish({ kind: 'rollback', reason: 'regression', detail: `Test A (against the SLO) ${what}` });
    }
  }

  const passBar = config.stagePassMaxRelativeLogEvidence;
  let override = '';
  if (sharedOutage) {
    const noWorse =
      state.stageCanary.requests >= config.minRequestsForRollback &&
      sliNames.every((name) => evidence[name].testB < passBar);
    if (!(config.promoteIfNoWorse && noWorse)) {
      return hold(
        'shared outage',
        `both versions over the SLO, the canary no worse than stable: ${sharedOutage}`,
        true,
      );
    }
    override = `; operator override (promote-if-no-worse) passed it in a shared outage: ${sharedOutage}`;
  }

  // Before the canary takes the last stage's traffic, the tight alternative must have been rejected over the
  // whole rollout: a slow burn (0.5 % errors, 2 % slow) never reaches 100 % on the paging test's pass alone.
  if (waiting) {
    return hold(
      'collecting',
      `canary over the SLO, but stable had bad events lately or too few requests: Test A blames once stable is clean, Test B if the canary is worse (${waiting})`,
    );
  }
  const needsTight = state.stage >= config.stages.length - 2;
  const passes = (name: SliName) =>
    override !== '' ||
    (evidence[name].testAStage <= evidence[name].lower &&
      evidence[name].testB < passBar &&
      (!needsTight || state.sli[name].testATight <= evidence[name].lower));
  if (sliNames.every(passes)) {
    const next = state.stage + 1;
    const nextSpec = config.stages[next];
    if (!nextSpec) {
      const failing = sliNames.filter((name) => state.sli[name].stableFailedSeen);
      const note =
        failing.length > 0
          ? `; stable was failing its SLO (${failing.map((n) => `${n}: ${pct(badOf(state.stableTotal, n), state.stableTotal.requests)}`).join(', ')}) while the canary met it: promoted on the canary's own evidence`
          : '';
      return finish({ kind: 'promote', detail: `all ${config.stages.length} stages passed${note}${override}` });
    }
    state.stage = next;
    state.stageStartedAt = obs.at;
    state.warmupUntil = obs.at + config.warmupSeconds;
    state.stageCanary = zeroCounts;
    for (const name of sliNames) state.sli[name].testAStage = 0;
    return { kind: 'advance', stage: next, weight: nextSpec.weight, detail: `stage ${next} passed${override}` };
  }
  return obs.canary.requests === 0
    ? hold('no data', 'no canary requests in this interval')
    : hold('collecting', 'evidence between the thresholds');
}

/** The weight the canary should have now. */
export const currentWeight = (config: GateConfig, state: GateState): number => {
  if (state.final?.kind === 'rollback' || state.final?.kind === 'held') return 0;
  if (state.final?.kind === 'promote') return 100;
  return config.stages[state.stage]?.weight ?? 0;
};
