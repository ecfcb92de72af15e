import type { ReplayOutcome } from './replay.ts';
import { type TrafficScenario, trafficStream } from './traffic.ts';

/**
 * The Flagger-equivalent threshold rule of the Gateway API tutorial: every `intervalSeconds` one check over the
 * last interval (request success rate >= 99 %, p99 latency <= the threshold, read as "at most 1 % slow"); a failed
 * check, or no data (NaN), adds to a counter and holds the weight; `threshold` failed checks roll back; a passed
 * check adds `stepWeight` until `maxWeight`, and a passed check at `maxWeight` promotes.
 */
export interface FlaggerRule {
  readonly intervalSeconds: number;
  readonly threshold: number;
  readonly stepWeight: number;
  readonly maxWeight: number;
  /** Highest error ratio a check accepts (request-success-rate min 99 -> 0.01). */
  readonly maxErrorRatio: number;
  /** Highest share of slow requests a check accepts (p99 under the threshold -> 0.01). */
  readonly maxSlowRatio: number;
}

export const flaggerTutorial: FlaggerRule = {
  intervalSeconds: 60,
  threshold: 5,
  stepWeight: 10,
  maxWeight: 50,
  maxErrorRatio: 0.01,
  maxSlowRatio: 0.01,
};

export function replayFlagger(rule: FlaggerRule, scenario: TrafficScenario, seed: number): ReplayOutcome {
  const stream = trafficStream(scenario, seed);
  let weight = rule.stepWeight;
  let failed = 0;
  let canaryRequests = 0;
  const horizon = rule.intervalSeconds * (rule.threshold + rule.maxWeight / rule.stepWeight + 1);
  let window = { requests: 0, errors: 0, slow: 0 };
  for (let t = 1; t <= horizon; t++) {
    const second = stream.next(weight);
    canaryRequests += second.canary.requests;
    window = {
      requests: window.requests + second.canary.requests,
      errors: window.errors + second.canary.errors,
      slow: window.slow + second.canary.slow,
    };
    if (t % rule.intervalSeconds !== 0) continue;
    const ok =
      window.requests > 0 &&
      window.errors / window.requests <= rule.maxErrorRatio &&
      window.slow / window.requests <= rule.maxSlowRatio;
    window = { requests: 0, errors: 0, slow: 0 };
    if (!ok) {
      failed++;
      if (failed >= rule.threshold) {
        return { decision: 'rollback', reason: 'failed checks', seconds: t, canaryRequests, alerted: false };
      }
      continue;
    }
    if (weight >= rule.maxWeight) {
      return { decision: 'promote', reason: undefined, seconds: t, canaryRequests, alerted: false };
    }
    weight = Math.min(rule.maxWeight, weight + rule.stepWeight);
  }
  return { decision: 'undecided', reason: undefined, seconds: horizon, canaryRequests, alerted: false };
}
