import { failureModes } from '@homelab/platform';
import { alertSelector } from './alerts.ts';
import { type Load, startLoad } from './load.ts';
import { failed, measure, perSecond, recoveredAt, windowBurnRate } from './measure.ts';
import type { DrillEvent, DrillRecord, InvariantResult, SignalResult } from './record.ts';
import type { ExpectedSignal, Scenario } from './scenario.ts';
import type { DrillTarget } from './target.ts';
import { Timeline } from './timeline.ts';

export interface RunOptions {
  /** Every event as it happens (progress for people). */
  readonly onEvent?: (event: DrillEvent) => void;
  /** The fault stays at least this long before a revert, so the load sees it. Default 4 s. */
  readonly minFaultSeconds?: number;
  /** Without all signals seen, the fault is reverted after this long anyway. Default 15 s. */
  readonly maxFaultSeconds?: number;
  /** Window of the runner's own burn-rate view. Default 5 s (the fast alert's 5 m, scaled to a drill). */
  readonly burnWindowSeconds?: number;
  /** Blind mode: called after the injection; resolves with the player's answer (the runner times it). */
  readonly askDiagnosis?: () => Promise<string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describeSignal = (s: ExpectedSignal): string => {
  switch (s.kind) {
    case 'termination':
      return `${s.app} terminated: ${s.reason}`;
    case 'restarts':
      return `${s.app} restarted ${s.count}+ times`;
    case 'slo-burn':
      return `${s.app} ${s.slo} burn rate >= ${s.factor}`;
    case 'alert':
      return `alert ${alertSelector(s)} ${s.state}`;
    case 'triage':
      return `homelab triage ${s.check} finding${s.failureMode ? ` (${failureModes[s.failureMode].name})` : ''}`;
    case 'certificate-expiring':
      return `certificate valid < ${s.belowDays} days`;
    case 'dependency-down':
      return `${s.dependency} down`;
    case 'canary-rolled-back':
      return `canary gate rolled the ${s.app} canary back`;
    case 'instance-moved':
      return `${s.app} instance moved to another node`;
    case 'condition':
      return `${s.workload} condition ${s.reason}`;
  }
};

export { describeSignal };

/** A correct blind answer names the cause in one of the scenario's words. */
export const diagnosisMatches = (scenario: Scenario, answer: string): boolean =>
  scenario.diagnosisKeywords.some((k) => answer.toLowerCase().includes(k.toLowerCase()));

/** What one drill knows as it goes: the steps below read it and record what they saw in it. */
interface DrillRun {
  readonly scenario: Scenario;
  readonly target: DrillTarget;
  /** The fault's shortest and longest hold, and the runner's burn-rate window (RunOptions, in ms). */
  readonly minFaultMs: number;
  readonly maxFaultMs: number;
  readonly windowMs: number;
  readonly timeline: Timeline;
  readonly startedAt: number;
  readonly load: Load;
  readonly signals: Map<ExpectedSignal, SignalResult>;
  /** 0 until the injection. */
  injectedAt: number;
  mitigatedAt: number | undefined;
  recovered: number | undefined;
  /** Whether the mitigation was the drill's own revert (nothing left to revert at the end). */
  reverted: boolean;
  /** Blind mode: the player's answer, pending until given. */
  diagnosis: Promise<void> | undefined;
  blind: DrillRecord['blind'];
}

/** Each expected signal, unseen; those the target cannot observe say why and never count against the drill. */
const unseenSignals = (scenario: Scenario, target: DrillTarget): Map<ExpectedSignal, SignalResult> =>
  new Map(
    scenario.expect.map((s) => {
      const reason = target.cannotObserve(s);
      return [s, { signal: s, at: undefined, detail: reason ?? 'not observed', observable: reason === undefined }];
    }),
  );

const allSignalsSeen = (signals: ReadonlyMap<ExpectedSignal, SignalResult>): boolean =>
  [...signals.values()].every((r) => r.at !== undefined || !r.observable);

/** Blind mode waits for the player's answer before it reverts or ends. */
const diagnosisGiven = (run: DrillRun): boolean => !run.diagnosis || run.blind !== undefined;

async function requirePreconditions(scenario: Scenario, target: DrillTarget): Promise<void> {
  const failedPreconditions = await target.checkPreconditions(scenario);
  if (failedPreconditions.length > 0) {
    throw new Error(`preconditions not met for ${scenario.name}: ${failedPreconditions.join('; ')}`);
  }
}

/** The run's settings with their defaults, and the load started. */
function startRun(scenario: Scenario, target: DrillTarget, options: RunOptions): DrillRun {
  const timeline = new Timeline(options.onEvent);
  const startedAt = Date.now();
  const load = startLoad(scenario, target, startedAt);
  timeline.add(
    'load-started',
    `${scenario.load.ratePerSecond} req/s (${scenario.load.via}), at most ${scenario.load.maxSeconds} s`,
  );
  return {
    scenario,
    target,
    minFaultMs: (options.minFaultSeconds ?? 4) * 1000,
    maxFaultMs: (options.maxFaultSeconds ?? 15) * 1000,
    windowMs: (options.burnWindowSeconds ?? 5) * 1000,
    timeline,
    startedAt,
    load,
    signals: unseenSignals(scenario, target),
    injectedAt: 0,
    mitigatedAt: undefined,
    recovered: undefined,
    reverted: false,
    diagnosis: undefined,
    blind: undefined,
  };
}

/** A failure before the fault would be counted as the fault's: refuse to inject into a platform already failing. */
async function requireCleanBaseline(run: DrillRun): Promise<void> {
  await sleep(run.scenario.baselineSeconds * 1000);
  const baselineFailures = run.load.samples.filter(failed).length;
  if (baselineFailures > 0) throw new Error(`baseline not clean: ${baselineFailures} failed requests before injecting`);
}

/** The fault in, and in blind mode the question to the player, whose answer is timed from the injection. */
async function inject(run: DrillRun, askDiagnosis: RunOptions['askDiagnosis']): Promise<void> {
  const { scenario, timeline } = run;
  run.injectedAt = Date.now();
  await run.target.inject(scenario.inject);
  timeline.add('injected', JSON.stringify(scenario.inject), run.injectedAt);
  run.diagnosis = askDiagnosis?.().then((answer) => {
    const at = Date.now();
    timeline.add('diagnosed', answer, at);
    run.blind = { answer, correct: diagnosisMatches(scenario, answer), timeToDiagnoseMs: at - run.injectedAt };
  });
}

/** Polls until the platform has recovered and every signal is in (or the load's time is up). */
async function watchUntilSettled(run: DrillRun): Promise<void> {
  const deadline = run.startedAt + run.scenario.load.maxSeconds * 1000;
  while (Date.now() < deadline) {
    const now = Date.now();
    noteFirstFailedRequest(run);
    await lookForSignals(run);
    const allSeen = allSignalsSeen(run.signals);
    if (run.mitigatedAt === undefined) await mitigateWhenDue(run, allSeen, now);
    if (run.mitigatedAt !== undefined && run.recovered === undefined) noteRecovery(run, run.mitigatedAt);
    if (settled(run, allSeen, now)) break;
    await sleep(100);
  }
}

function noteFirstFailedRequest(run: DrillRun): void {
  if (run.timeline.has('first-failed-request')) return;
  const first = run.load.samples.filter((s) => s.at >= run.injectedAt && failed(s)).sort((a, b) => a.at - b.at)[0];
  if (first) run.timeline.add('first-failed-request', first.error ?? `HTTP ${first.status}`, first.at);
}

/**
 * One look at every signal not seen yet: SLO burn from the runner's own samples, the rest from the target.
 * Marks each one seen, with its detail, when it shows.
 */
async function lookForSignals(run: DrillRun): Promise<void> {
  const { scenario, target, signals, timeline, windowMs } = run;
  const now = Date.now();
  for (const [signal, result] of signals) {
    if (result.at !== undefined || !result.observable) continue;
    let detail: string | undefined;
    if (signal.kind === 'slo-burn') {
      const rate = windowBurnRate(scenario, signal.slo, run.load.samples, now, windowMs);
      if (rate >= signal.factor) detail = `burn rate ${rate.toFixed(1)} over the last ${windowMs / 1000} s`;
    } else {
      detail = await target.observe(signal, run.injectedAt);
    }
    if (detail !== undefined) {
      // Stamped when the answer came: a triage check takes a while, and the signal is not seen before it ends.
      const seenAt = Date.now();
      signals.set(signal, { signal, at: seenAt, detail, observable: true });
      timeline.add('signal', `${describeSignal(signal)}: ${detail}`, seenAt);
      if (!timeline.has('detected')) timeline.add('detected', describeSignal(signal), seenAt);
    }
  }
}

/** Whether the platform has mitigated by itself yet: a restart, a reschedule, or the canary gate's rollback. */
const automaticMitigation = (scenario: Scenario, target: DrillTarget, injectedAt: number) => {
  const app = 'app' in scenario.inject ? scenario.inject.app : scenario.sloApp;
  const signal: ExpectedSignal =
    scenario.mitigation === 'automatic-restart'
      ? { kind: 'restarts', app, count: 1 }
      : scenario.mitigation === 'automatic-reschedule'
        ? { kind: 'instance-moved', app }
        : { kind: 'canary-rolled-back', app };
  return target.observe(signal, injectedAt);
};

/**
 * The platform's own mitigation once it shows; or, for a `revert` scenario, the drill's revert standing in for the
 * operator: after every signal and the shortest hold, or at the longest hold regardless.
 */
async function mitigateWhenDue(run: DrillRun, allSeen: boolean, now: number): Promise<void> {
  const { scenario, timeline } = run;
  if (scenario.mitigation !== 'revert') {
    const done = await automaticMitigation(scenario, run.target, run.injectedAt);
    if (done !== undefined) run.mitigatedAt = timeline.add('mitigated', `automatic: ${done}`).at;
    return;
  }
  const held = now - run.injectedAt;
  if (((allSeen && held >= run.minFaultMs) || held >= run.maxFaultMs) && diagnosisGiven(run)) {
    await run.target.revert(scenario.inject);
    run.reverted = true;
    run.mitigatedAt = timeline.add(
      'mitigated',
      `${scenario.mitigation}: the drill reverted the injection (the operator's step)`,
    ).at;
  }
}

/** Recovery comes after the mitigation: the first good request after the last bad one since then. */
function noteRecovery(run: DrillRun, mitigatedAt: number): void {
  run.recovered = recoveredAt(run.scenario, run.load.samples, mitigatedAt);
  if (run.recovered !== undefined)
    run.timeline.add('recovered', `good requests for ${run.scenario.recoveredAfterSeconds} s`, run.recovered);
}

/** Signals may trail the recovery (a triage finding); give them a moment, then stop. */
function settled(run: DrillRun, allSeen: boolean, now: number): boolean {
  const { recovered } = run;
  if (recovered === undefined) return false;
  return (allSeen || now - recovered > run.maxFaultMs) && diagnosisGiven(run);
}

/** Always, even when a step threw: the fault out (unless the mitigation took it out already), the load stopped. */
async function revertAndStopLoad(run: DrillRun): Promise<void> {
  if (!run.reverted && run.injectedAt > 0) {
    await run.target.revert(run.scenario.inject);
    run.timeline.add('reverted', 'fault removed');
  } else if (run.reverted) {
    run.timeline.add('reverted', 'fault removed at mitigation');
  }
  await run.load.stop();
  run.timeline.add('load-stopped', `${run.load.samples.length} requests`);
}

/** The record: invariants checked and triage asked after the load, the measurements from the samples. */
async function recordOf(run: DrillRun): Promise<DrillRecord> {
  const { scenario, target, startedAt, signals, blind } = run;
  const { samples } = run.load;
  const invariants: InvariantResult[] = [];
  for (const invariant of scenario.invariants) invariants.push(await target.verify(invariant, samples));
  const triage = await target.triage(scenario.runbook.triageCheck);
  const signalResults = [...signals.values()];
  const sorted = run.timeline.sorted();
  return {
    scenario: scenario.name,
    title: scenario.title,
    environment: scenario.environment,
    environmentDetail: target.description,
    startedAt,
    finishedAt: Date.now(),
    events: sorted,
    signals: signalResults,
    invariants,
    measurements: measure(scenario, samples, sorted, signalResults),
    load: perSecond(scenario, samples, startedAt),
    realism: scenario.realism,
    runbook: scenario.runbook,
    triage,
    passed: allSignalsSeen(signals) && invariants.every((i) => i.held) && run.recovered !== undefined,
    ...(blind ? { blind } : {}),
    evidence: target.evidence(startedAt),
  };
}

/**
 * Runs one scenario against a target: preconditions, bounded load, baseline, injection, watching for the
 * expected signals, mitigation (the platform's own restart, or the revert standing in for the operator),
 * recovery, revert, invariants and the triage confirmation. Always reverts, even when something throws.
 */
export async function runDrill(
  scenario: Scenario,
  target: DrillTarget,
  options: RunOptions = {},
): Promise<DrillRecord> {
  await requirePreconditions(scenario, target);
  const run = startRun(scenario, target, options);
  try {
    await requireCleanBaseline(run);
    await inject(run, options.askDiagnosis);
    await watchUntilSettled(run);
  } finally {
    await revertAndStopLoad(run);
  }
  return recordOf(run);
}
