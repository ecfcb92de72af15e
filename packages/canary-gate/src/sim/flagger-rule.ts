import type { ReplayOutcome } from './replay.ts';
import { type Tally, type TrafficScenario, trafficStream } from './traffic.ts';

/**
 * The Flagger-equivalent threshold rule: every `intervalSeconds` one check over the last `windowSeconds` (Flagger's
 * metric templates query `[1m]`): request success rate >= 99 %, p99 latency <= the threshold, read as "at most 1 %
 * slow"; a failed check, or no data (NaN), adds to a counter and holds the weight; `threshold` failed checks roll
 * back; a passed check adds `stepWeight` until `maxWeight`, and a passed check at `maxWeight` promotes.
 */
export interface FlaggerRule {
  readonly name: string;
  readonly intervalSeconds: number;
  readonly windowSeconds: number;
  readonly threshold: number;
  readonly stepWeight: number;
  readonly maxWeight: number;
  /** Highest error ratio a check accepts (request-success-rate min 99 -> 0.01). */
  readonly maxErrorRatio: number;
  /** Highest share of slow requests a check accepts (p99 under the threshold -> 0.01). */
  readonly maxSlowRatio: number;
}

/** Flagger's Gateway API tutorial: interval 1m, threshold 5, stepWeight 10, maxWeight 50. */
export const flaggerTutorial: FlaggerRule = {
  name: 'flagger tutorial',
  intervalSeconds: 60,
  windowSeconds: 60,
  threshold: 5,
  stepWeight: 10,
  maxWeight: 50,
  maxErrorRatio: 0.01,
  maxSlowRatio: 0.01,
};

/**
 * A fast Flagger configuration, as an operator in a hurry would write it: checks every 15 s over the templates'
 * 1-minute window, threshold 2, steps of 25 % to 50 %: promotes in about a minute, flaps more.
 */
export const flaggerFast: FlaggerRule = {
  name: 'flagger fast',
  intervalSeconds: 15,
  windowSeconds: 60,
  threshold: 2,
  stepWeight: 25,
  maxWeight: 50,
  maxErrorRatio: 0.01,
  maxSlowRatio: 0.01,
};

/** Replays one rollout through the rule, on the same seeded stream (in `chunkSeconds` chunks) as the gate. */
export function replayFlagger(
  rule: FlaggerRule,
  scenario: TrafficScenario,
  seed: number,
  chunkSeconds = 5,
): ReplayOutcome {
  const stream = trafficStream(scenario, seed);
  let weight = rule.stepWeight;
  let failed = 0;
  let canaryRequests = 0;
  const horizon = rule.intervalSeconds * (rule.threshold + rule.maxWeight / rule.stepWeight + 1);
  const chunks: Tally[] = [];
  const keep = Math.max(1, Math.round(rule.windowSeconds / chunkSeconds));
  const done = (decision: ReplayOutcome['decision'], reason: string | undefined, seconds: number): ReplayOutcome => ({
    decision,
    reason,
    seconds,
    canaryRequests,
    alerted: false,
    detail: '',
  });
  for (let t = chunkSeconds; t <= horizon; t += chunkSeconds) {
    const chunk = stream.next(weight, chunkSeconds);
    canaryRequests += chunk.canary.requests;
    chunks.push(chunk.canary);
    if (chunks.length > keep) chunks.shift();
    if (t % rule.intervalSeconds !== 0) continue;
    const window = chunks.reduce(
      (a, c) => ({ requests: a.requests + c.requests, errors: a.errors + c.errors, slow: a.slow + c.slow }),
      { requests: 0, errors: 0, slow: 0 },
    );
    const ok =
      window.requests > 0 &&
      window.errors / window.requests <= rule.maxErrorRatio &&
      window.slow / window.requests <= rule.maxSlowRatio;
    if (!ok) {
      failed++;
      if (failed >= rule.threshold) return done('rollback', 'failed checks', t);
      continue;
    }
    if (weight >= rule.maxWeight) return done('promote', undefined, t);
    weight = Math.min(rule.maxWeight, weight + rule.stepWeight);
  }
  return done('undecided', undefined, horizon);
}
