/**
 * Seeded synthetic traffic for the simulations and the benchmark. Every consumer of one seed sees the same
 * requests with the same random draws (common random numbers), so the gate and the Flagger-equivalent rule are
 * compared on the same generated counts; only their weights decide which version a request lands on.
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

/** Knuth's method: fine for the small means used here (a few tens per second). */
export function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Bad-event probabilities of one version. */
export interface VersionBehaviour {
  readonly errorRate: number;
  readonly slowRate: number;
}

export interface TrafficScenario {
  readonly name: string;
  /** Requests per second to the app as a whole (both versions). */
  readonly rps: number;
  readonly canary: VersionBehaviour;
  readonly stable: VersionBehaviour;
}

/** Counts of one second, split by the weight in force. */
export interface SecondCounts {
  readonly canary: { requests: number; errors: number; slow: number };
  readonly stable: { requests: number; errors: number; slow: number };
}

/**
 * A stream of seconds: `next(weight)` draws the next second's requests and routes each by `weight` (percent to
 * the canary). The draws do not depend on the weight, only the routing does.
 */
export function trafficStream(scenario: TrafficScenario, seed: number) {
  const random = seededRandom(seed);
  return {
    next(weight: number): SecondCounts {
      const canary = { requests: 0, errors: 0, slow: 0 };
      const stable = { requests: 0, errors: 0, slow: 0 };
      const n = poisson(random, scenario.rps);
      for (let i = 0; i < n; i++) {
        const route = random();
        const err = random();
        const slow = random();
        const [target, behaviour] = route < weight / 100 ? [canary, scenario.canary] : [stable, scenario.stable];
        target.requests++;
        if (err < behaviour.errorRate) target.errors++;
        if (slow < behaviour.slowRate) target.slow++;
      }
      return { canary, stable };
    },
  };
}
