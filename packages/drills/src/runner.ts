import { failureModes } from '@homelab/platform';
import { alertSelector } from './alerts.ts';
import { failed, measure, perSecond, recoveredAt, windowBurnRate } from './measure.ts';
import type { DrillEvent, DrillRecord, EventKind, InvariantResult, Sample, SignalResult } from './record.ts';
import type { ExpectedSignal, Scenario } from './scenario.ts';
import type { DrillTarget } from './target.ts';

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

/** The drill's timeline: every event in order of happening, also passed to `onEvent` as it happens. */
class Timeline {
  readonly events: DrillEvent[] = [];
  readonly #onEvent: ((event: DrillEvent) => void) | undefined;
  constructor(onEvent?: (event: DrillEvent) => void) {
    this.#onEvent = onEvent;
  }
  add(kind: EventKind, detail: string, at = Date.now()): DrillEvent {
    const e = { at, kind, detail };
    this.events.push(e);
    this.#onEvent?.(e);
    return e;
  }
  has(kind: EventKind): boolean {
    return this.events.some((e) => e.kind === kind);
  }
  sorted(): DrillEvent[] {
    return [...this.events].sort((a, b) => a.at - b.at);
  }
}

/** Bounded load: a fixed rate for at most `maxSeconds`, each request timed from when it was sent. */
function startLoad(scenario: Scenario, target: DrillTarget, startedAt: number) {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const interval = 1000 / scenario.load.ratePerSecond;
  let running = true;
  let writeCredit = 0;
  const loop = (async () => {
    let next = Date.now();
    while (running && Date.now() - startedAt < scenario.load.maxSeconds * 1000) {
      writeCredit += scenario.load.writeRatio;
      const kind: Sample['kind'] = scenario.load.via === 'tls' ? 'handshake' : writeCredit >= 1 ? 'write' : 'read';
      if (kind === 'write') writeCredit -= 1;
      const at = Date.now();
      const p = target.send(kind).then((r) => {
        samples.push({ at, kind, ...r });
      });
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
      next += interval;
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  return {
    samples,
    /** Stops sending and waits for every request in flight. */
    async stop(): Promise<void> {
      running = false;
      await loop;
      await Promise.all(inFlight);
    },
  };
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

/**
 * One look at every signal not seen yet: SLO burn from the runner's own samples, the rest from the target.
 * Marks each one seen, with its detail, when it shows.
 */
async function lookForSignals(
  signals: Map<ExpectedSignal, SignalResult>,
  context: {
    scenario: Scenario;
    target: DrillTarget;
    samples: readonly Sample[];
    injectedAt: number;
    windowMs: number;
  },
  timeline: Timeline,
): Promise<void> {
  const { scenario, target, samples, injectedAt, windowMs } = context;
  const now = Date.now();
  for (const [signal, result] of signals) {
    if (result.at !== undefined || !result.observable) continue;
    let detail: string | undefined;
    if (signal.kind === 'slo-burn') {
      const rate = windowBurnRate(scenario, signal.slo, samples, now, windowMs);
      if (rate >= signal.factor) detail = `burn rate ${rate.toFixed(1)} over the last ${windowMs / 1000} s`;
    } else {
      detail = await target.observe(signal, injectedAt);
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
 * Runs one scenario against a target: preconditions, bounded load, baseline, injection, watching for the
 * expected signals, mitigation (the platform's own restart, or the revert standing in for the operator),
 * recovery, revert, invariants and the triage confirmation. Always reverts, even when something throws.
 */
export async function runDrill(
  scenario: Scenario,
  target: DrillTarget,
  options: RunOptions = {},
): Promise<DrillRecord> {
  const failedPreconditions = await target.checkPreconditions(scenario);
  if (failedPreconditions.length > 0) {
    throw new Error(`preconditions not met for ${scenario.name}: ${failedPreconditions.join('; ')}`);
  }
  const minFaultMs = (options.minFaultSeconds ?? 4) * 1000;
  const maxFaultMs = (options.maxFaultSeconds ?? 15) * 1000;
  const windowMs = (options.burnWindowSeconds ?? 5) * 1000;
  const timeline = new Timeline(options.onEvent);
  const startedAt = Date.now();
  const load = startLoad(scenario, target, startedAt);
  const { samples } = load;
  timeline.add(
    'load-started',
    `${scenario.load.ratePerSecond} req/s (${scenario.load.via}), at most ${scenario.load.maxSeconds} s`,
  );

  const signals = unseenSignals(scenario, target);
  let injectedAt = 0;
  let mitigatedAt: number | undefined;
  let recovered: number | undefined;
  let blind: DrillRecord['blind'];
  const deadline = startedAt + scenario.load.maxSeconds * 1000;
  let reverted = false;
  try {
    await sleep(scenario.baselineSeconds * 1000);
    const baselineFailures = samples.filter(failed).length;
    if (baselineFailures > 0)
      throw new Error(`baseline not clean: ${baselineFailures} failed requests before injecting`);

    injectedAt = Date.now();
    await target.inject(scenario.inject);
    timeline.add('injected', JSON.stringify(scenario.inject), injectedAt);
    const diagnosis = options.askDiagnosis?.().then((answer) => {
      const at = Date.now();
      timeline.add('diagnosed', answer, at);
      blind = { answer, correct: diagnosisMatches(scenario, answer), timeToDiagnoseMs: at - injectedAt };
    });

    while (Date.now() < deadline) {
      const now = Date.now();
      if (!timeline.has('first-failed-request')) {
        const first = samples.filter((s) => s.at >= injectedAt && failed(s)).sort((a, b) => a.at - b.at)[0];
        if (first) timeline.add('first-failed-request', first.error ?? `HTTP ${first.status}`, first.at);
      }
      await lookForSignals(signals, { scenario, target, samples, injectedAt, windowMs }, timeline);
      const allSeen = allSignalsSeen(signals);
      if (mitigatedAt === undefined) {
        if (scenario.mitigation !== 'revert') {
          const done = await automaticMitigation(scenario, target, injectedAt);
          if (done !== undefined) mitigatedAt = timeline.add('mitigated', `automatic: ${done}`).at;
        } else if (
          ((allSeen && now - injectedAt >= minFaultMs) || now - injectedAt >= maxFaultMs) &&
          (!diagnosis || blind)
        ) {
          await target.revert(scenario.inject);
          reverted = true;
          mitigatedAt = timeline.add(
            'mitigated',
            `${scenario.mitigation}: the drill reverted the injection (the operator's step)`,
          ).at;
        }
      }
      if (mitigatedAt !== undefined && recovered === undefined) {
        // Recovery comes after the mitigation: the first good request after the last bad one since then.
        recovered = recoveredAt(scenario, samples, mitigatedAt);
        if (recovered !== undefined)
          timeline.add('recovered', `good requests for ${scenario.recoveredAfterSeconds} s`, recovered);
      }
      // Signals may trail the recovery (a triage finding); give them a moment, then stop.
      const settled = allSeen || (recovered !== undefined && now - recovered > maxFaultMs);
      if (recovered !== undefined && settled && (!diagnosis || blind)) break;
      await sleep(100);
    }
  } finally {
    if (!reverted && injectedAt > 0) {
      await target.revert(scenario.inject);
      timeline.add('reverted', 'fault removed');
    } else if (reverted) {
      timeline.add('reverted', 'fault removed at mitigation');
    }
    await load.stop();
    timeline.add('load-stopped', `${samples.length} requests`);
  }

  const invariants: InvariantResult[] = [];
  for (const invariant of scenario.invariants) invariants.push(await target.verify(invariant, samples));
  const triage = await target.triage(scenario.runbook.triageCheck);
  const signalResults = [...signals.values()];
  const sorted = timeline.sorted();
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
    passed: allSignalsSeen(signals) && invariants.every((i) => i.held) && recovered !== undefined,
    ...(blind ? { blind } : {}),
    evidence: target.evidence(startedAt),
  };
}
