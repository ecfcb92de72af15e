/**
 * Seeded simulated traffic for the simulations and the benchmark, drawn as counts per chunk of time (arrivals,
 * the weighted split, bad events), so a 30-minute rollout at 200 req/s costs a few hundred draws.
 */

/** sfc32: small, fast, seedable, good enough for Monte Carlo; Math.random cannot be seeded. */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 + seed;
  let c = 0xb7e15162 ^ (seed * 31);
  let d = 1;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** A standard normal draw (Box-Muller). */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Knuth's method for small means, a rounded normal beyond (200 req/s x 5 s would underflow Knuth's product). */
export function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/**
 * Binomial(n, p): geometric gaps between successes when few are expected (exact, O(np)), a rounded normal when
 * both tails hold more than 30 (the bench's 200 req/s cells). A simulator over counts, not requests: fast enough
 * for thousands of 30-minute rollouts per cell.
 */
export function binomial(random: () => number, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(random, n, 1 - p);
  if (n * p > 30 && n * (1 - p) > 30) {
    const x = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(random));
    return Math.min(n, Math.max(0, x));
  }
  const logQ = Math.log(1 - p);
  let x = 0;
  let position = 0;
  for (;;) {
    position += Math.floor(Math.log(1 - random()) / logQ) + 1;
    if (position > n) return x;
    x++;
  }
}

/** Bad-event probabilities of one version. */
export interface VersionBehaviour {
  readonly errorRate: number;
  readonly slowRate: number;
}

export interface TrafficScenario {
  readonly name: string;
  /** Real requests per second to the app as a whole (both versions). */
  readonly rps: number;
  /**
   * Synthetic requests per second added by the gate's power plan (tagged load, routed by the same weights). The
   * simulation assumes a faulty canary fails them as often as user requests: true of the read path they exercise,
   * not of a fault only in a write path (README: what synthetic traffic cannot see).
   */
  readonly syntheticRps?: number;
  readonly canary: VersionBehaviour;
  readonly stable: VersionBehaviour;
}

export interface Tally {
  requests: number;
  errors: number;
  slow: number;
}

/** Counts of one chunk of time, split by the weight in force. */
export interface SecondCounts {
  readonly canary: Tally;
  readonly stable: Tally;
}

/**
 * A stream of chunks: `next(weight, seconds)` draws the next chunk's requests (real plus synthetic), routes them by
 * `weight` (percent to the canary) and draws each version's bad events. The same seed gives every consumer the
 * same arrivals; the split and the bad events follow the weight.
 */
export function trafficStream(scenario: TrafficScenario, seed: number) {
  const random = seededRandom(seed);
  const rate = scenario.rps + (scenario.syntheticRps ?? 0);
  const version = (requests: number, behaviour: VersionBehaviour): Tally => ({
    requests,
    errors: binomial(random, requests, behaviour.errorRate),
    slow: binomial(random, requests, behaviour.slowRate),
  });
  return {
    next(weight: number, seconds = 1): SecondCounts {
      const n = poisson(random, rate * seconds);
      const toCanary = binomial(random, n, weight / 100);
      return { canary: version(toCanary, scenario.canary), stable: version(n - toCanary, scenario.stable) };
    },
  };
}
