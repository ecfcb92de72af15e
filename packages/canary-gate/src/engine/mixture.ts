/**
 * Test B: the canary's bad-event rate relative to stable's concurrent traffic (after Lindon & Malek's
 * counting-process test). Conditional on the total bad events of an interval, each one is the canary's with
 * probability pi(theta) = theta n / (theta n + m), where n and m are the versions' requests in that interval and
 * theta the ratio of their bad-event rates. Under H0 (theta = 1) the likelihood ratio against any fixed theta is a
 * martingale, and so is the mean over a fixed set of thetas: roll back when it reaches 1/alpha (Ville).
 * Because pi uses each interval's observed split, changing weights between stages keeps it valid; and it does
 * not care whether stable has zero errors.
 */
export interface MixtureState {
  /** ln L(theta) per ratio in `ratios`. */
  readonly logLikelihoods: readonly number[];
}

export const mixtureStart = (ratios: readonly number[]): MixtureState => ({
  logLikelihoods: ratios.map(() => 0),
});

export function mixtureUpdate(
  state: MixtureState,
  ratios: readonly number[],
  canary: { requests: number; bad: number },
  stable: { requests: number; bad: number },
): MixtureState {
  const n = canary.requests;
  const m = stable.requests;
  // An interval with no requests on one side says nothing about the ratio: pi is 0 or 1 whatever theta is.
  if (n === 0 || m === 0 || canary.bad + stable.bad === 0) return state;
  const pi1 = n / (n + m);
  return {
    logLikelihoods: state.logLikelihoods.map((ll, i) => {
      const theta = ratios[i] ?? 1;
      const pi = (theta * n) / (theta * n + m);
      return ll + canary.bad * Math.log(pi / pi1) + stable.bad * Math.log((1 - pi) / (1 - pi1));
    }),
  };
}

/** ln E, E = mean over the ratios of L(theta); computed in log space so long rollouts do not overflow. */
export function mixtureLogEvidence(state: MixtureState): number {
  const lls = state.logLikelihoods;
  if (lls.length === 0) return 0;
  const max = Math.max(...lls);
  const sum = lls.reduce((acc, ll) => acc + Math.exp(ll - max), 0);
  return max + Math.log(sum / lls.length);
}
