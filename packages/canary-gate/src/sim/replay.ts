import type { GateConfig } from '../engine/config.ts';
import { addCounts, type Counts, zeroCounts } from '../engine/counts.ts';
import { currentWeight, type Decision, startGate, step } from '../engine/gate.ts';
import { type TrafficScenario, trafficStream } from './traffic.ts';

/** How one replayed rollout ended. */
export interface ReplayOutcome {
  readonly decision: 'promote' | 'rollback' | 'undecided';
  readonly reason: string | undefined;
  /** Seconds from the start of the rollout to the final decision. */
  readonly seconds: number;
  /** Canary requests until the final decision. */
  readonly canaryRequests: number;
  /** Whether a hold raised the shared-outage alert on the way. */
  readonly alerted: boolean;
}

/** Replays one seeded rollout through the gate, evaluating every `evaluationSeconds`. */
export function replayGate(
  config: GateConfig,
  scenario: TrafficScenario,
  seed: number,
  evaluationSeconds: number,
): ReplayOutcome {
  const state = startGate(config);
  const stream = trafficStream(scenario, seed);
  const horizon = config.stages.reduce((s, st) => s + st.deadlineSeconds, 0) + evaluationSeconds;
  let canaryRequests = 0;
  let alerted = false;
  let window = { canary: zeroCounts, stable: zeroCounts };
  for (let t = 1; t <= horizon; t++) {
    const second = stream.next(currentWeight(config, state));
    canaryRequests += second.canary.requests;
    window = { canary: addCounts(window.canary, second.canary), stable: addCounts(window.stable, second.stable) };
    if (t % evaluationSeconds !== 0) continue;
    const decision: Decision = step(config, state, { at: t, seconds: evaluationSeconds, ...window });
    window = { canary: zeroCounts as Counts, stable: zeroCounts as Counts };
    if (decision.kind === 'hold' && decision.alert) alerted = true;
    if (decision.kind === 'promote' || decision.kind === 'rollback') {
      return {
        decision: decision.kind,
        reason: decision.kind === 'rollback' ? decision.reason : undefined,
        seconds: t,
        canaryRequests,
        alerted,
      };
    }
  }
  return { decision: 'undecided', reason: undefined, seconds: horizon, canaryRequests, alerted };
}
