/**
 * Test A: Wald's sequential probability ratio test of the canary's bad-event rate against the SLO, canary alone.
 * H0: rate <= p0 = 1 - objective; H1: rate >= p1 = burnFactor x p0. For any true rate <= p0, exp(llr) is a
 * non-negative supermartingale, so by Ville's inequality P(llr ever >= upper) <= alpha however often one looks.
 */
export interface SprtBounds {
  readonly p0: number;
  readonly p1: number;
  /** ln((1 - beta) / alpha): reject H0 (roll back) at or above. */
  readonly upper: number;
  /** ln(beta / (1 - alpha)): accept H0 (the stage passes) at or below. */
  readonly lower: number;
  /** Added per bad event. */
  readonly badStep: number;
  /** Added per good event (negative). */
  readonly goodStep: number;
}

export function sprtBounds(objective: number, burnFactor: number, alpha: number, beta: number): SprtBounds {
  const p0 = 1 - objective;
  const p1 = Math.min(burnFactor * p0, 0.999_999);
  if (!(p0 > 0 && p0 < p1)) throw new Error(`sprt: need 0 < p0 < p1 < 1, got p0=${p0} p1=${p1}`);
  if (!(alpha > 0 && alpha < 1 && beta > 0 && beta < 1)) throw new Error('sprt: alpha and beta must be in (0, 1)');
  return {
    p0,
    p1,
    upper: Math.log((1 - beta) / alpha),
    lower: Math.log(beta / (1 - alpha)),
    badStep: Math.log(p1 / p0),
    goodStep: Math.log((1 - p1) / (1 - p0)),
  };
}

/** The log-likelihood ratio that `requests` events with `bad` bad ones add. */
export const sprtIncrement = (bounds: SprtBounds, requests: number, bad: number): number =>
  bad * bounds.badStep + (requests - bad) * bounds.goodStep;
