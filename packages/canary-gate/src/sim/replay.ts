import type { GateConfig } from '../engine/config.ts';
import { currentWeight, type Decision, startGate, step } from '../engine/gate.ts';
import { type TrafficScenario, trafficStream } from './traffic.ts';

/** How one replayed rollout ended. */
export interface ReplayOutcome {
  /** `held`: no verdict, the operator decides (the gate's deadline policy); never counted as a rollback. */
  readonly decision: 'promote' | 'rollback' | 'held' | 'undecided';
  readonly reason: string | undefined;
  /** Seconds from the start of the rollout to the final decision. */
  readonly seconds: number;
  /** Canary requests until the final decision. */
  readonly canaryRequests: number;
  /** Whether a hold raised the shared-outage alert on the way. */
  readonly alerted: boolean;
  /** The final decision's text (the record's detail). */
  readonly detail: string;
}

/**
 * Replays one seeded rollout through the gate, evaluating every `evaluationSeconds`, up to its hard limit, after
 * `baselineSeconds` of stable-only real traffic (not counted in the rollout's time, as in `runRollout`).
 */
export function replayGate(
  config: GateConfig,
  scenario: TrafficScenario,
  seed: number,
  evaluationSeconds: number,
  baselineSeconds = 0,
): ReplayOutcome {
  const stream = trafficStream(scenario, seed);
  // The baseline before the first shift: real traffic only (the synthetic load starts once the plan asks for it).
  const baselineStream = trafficStream({ ...scenario, syntheticRps: 0 }, seed + 1_000_003);
  const baseline = baselineSeconds > 0 ? baselineStream.next(0, baselineSeconds).stable : undefined;
  const state = startGate(config, baseline);
  const horizon = Math.max(
    config.maxRolloutSeconds,
    config.stages.reduce((s, st) => s + st.deadlineSeconds, 0),
  );
  let canaryRequests = 0;
  let alerted = false;
  for (let t = evaluationSeconds; t <= horizon + evaluationSeconds; t += evaluationSeconds) {
    const chunk = stream.next(currentWeight(config, state), evaluationSeconds);
    canaryRequests += chunk.canary.requests;
    const decision: Decision = step(config, state, { at: t, seconds: evaluationSeconds, ...chunk });
    if (decision.kind === 'hold' && decision.alert) alerted = true;
    if (decision.kind === 'promote' || decision.kind === 'rollback' || decision.kind === 'held') {
      return {
        decision: decision.kind,
        reason: decision.kind === 'promote' ? undefined : decision.reason,
        seconds: t,
        canaryRequests,
        alerted,
        detail: decision.detail,
      };
    }
  }
  return { decision: 'undecided', reason: undefined, seconds: horizon, canaryRequests, alerted, detail: '' };
}
