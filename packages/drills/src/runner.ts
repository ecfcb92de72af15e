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
  }
};

export { describeSignal };

/** A correct blind answer names the cause in one of the scenario's words. */
export const diagnosisMatches = (scenario: Scenario, answer: string): boolean =>
  scenario.diagnosisKeywords.some((k) => answer.toLowerCase().includes(k.toLowerCase()));

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
  const events: DrillEvent[] = [];
  const samples: Sample[] = [];
  const event = (kind: EventKind, detail: string, at = Date.now()) => {
    const e = { at, kind, detail };
    events.push(e);
    options.onEvent?.(e);
    return e;
  };
  const startedAt = Date.now();

  // Bounded load: a fixed rate for at most maxSeconds, each request timed from when it was sent.
  let loadRunning = true;
  const inFlight = new Set<Promise<void>>();
  const interval = 1000 / scenario.load.ratePerSecond;
  let writeCredit = 0;
  const loadLoop = (async () => {
    let next = Date.now();
    while (loadRunning && Date.now() - startedAt < scenario.load.maxSeconds * 1000) {
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
  event(
    'load-started',
    `${scenario.load.ratePerSecond} req/s (${scenario.load.via}), at most ${scenario.load.maxSeconds} s`,
  );

  const signals = new Map<ExpectedSignal, SignalResult>(
    scenario.expect.map((s) => {
      const reason = target.cannotObserve(s);
      return [s, { signal: s, at: undefined, detail: reason ?? 'not observed', observable: reason === undefined }];
    }),
  );
  const faultApp = 'app' in scenario.inject ? scenario.inject.app : scenario.sloApp;
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
    event('injected', JSON.stringify(scenario.inject), injectedAt);
    const diagnosis = options.askDiagnosis?.().then((answer) => {
      const at = Date.now();
      event('diagnosed', answer, at);
      blind = { answer, correct: diagnosisMatches(scenario, answer), timeToDiagnoseMs: at - injectedAt };
    });

    let firstFailureSeen = false;
    while (Date.now() < deadline) {
      const now = Date.now();
      if (!firstFailureSeen) {
        const first = samples.filter((s) => s.at >= injectedAt && failed(s)).sort((a, b) => a.at - b.at)[0];
        if (first) {
          firstFailureSeen = true;
          event('first-failed-request', first.error ?? `HTTP ${first.status}`, first.at);
        }
      }
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
          event('signal', `${describeSignal(signal)}: ${detail}`, seenAt);
          if (!events.some((e) => e.kind === 'detected')) event('detected', describeSignal(signal), seenAt);
        }
      }
      const allSeen = [...signals.values()].every((r) => r.at !== undefined || !r.observable);
      if (mitigatedAt === undefined) {
        if (scenario.mitigation === 'automatic-restart' || scenario.mitigation === 'canary-rollback') {
          // The platform mitigates by itself: a restart, or the canary gate's rollback.
          const done = await target.observe(
            scenario.mitigation === 'automatic-restart'
              ? { kind: 'restarts', app: faultApp, count: 1 }
              : { kind: 'canary-rolled-back', app: faultApp },
            injectedAt,
          );
          if (done !== undefined) mitigatedAt = event('mitigated', `automatic: ${done}`).at;
        } else if (
          ((allSeen && now - injectedAt >= minFaultMs) || now - injectedAt >= maxFaultMs) &&
          (!diagnosis || blind)
        ) {
          await target.revert(scenario.inject);
          reverted = true;
          mitigatedAt = event(
            'mitigated',
            `${scenario.mitigation}: the drill reverted the injection (the operator's step)`,
          ).at;
        }
      }
      if (mitigatedAt !== undefined && recovered === undefined) {
        // Recovery comes after the mitigation: the first good request after the last bad one since then.
        recovered = recoveredAt(scenario, samples, mitigatedAt);
        if (recovered !== undefined)
          event('recovered', `good requests for ${scenario.recoveredAfterSeconds} s`, recovered);
      }
      // Signals may trail the recovery (a triage finding); give them a moment, then stop.
      const settled = allSeen || (recovered !== undefined && now - recovered > maxFaultMs);
      if (recovered !== undefined && settled && (!diagnosis || blind)) break;
      await sleep(100);
    }
  } finally {
    if (!reverted && injectedAt > 0) {
      await target.revert(scenario.inject);
      event('reverted', 'fault removed');
    } else if (reverted) {
      event('reverted', 'fault removed at mitigation');
    }
    loadRunning = false;
    await loadLoop;
    await Promise.all(inFlight);
    event('load-stopped', `${samples.length} requests`);
  }

  const invariants: InvariantResult[] = [];
  for (const invariant of scenario.invariants) invariants.push(await target.verify(invariant, samples));
  const triage = await target.triage(scenario.runbook.triageCheck);
  const signalResults = [...signals.values()];
  const sorted = [...events].sort((a, b) => a.at - b.at);
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
    passed:
      signalResults.every((s) => s.at !== undefined || !s.observable) &&
      invariants.every((i) => i.held) &&
      recovered !== undefined,
    ...(blind ? { blind } : {}),
    evidence: target.evidence(startedAt),
  };
}
