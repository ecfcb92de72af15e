/** One backend of a route: `stable`, `canary`, ... with the version it runs and its share of traffic. */
export interface UpstreamSpec {
  readonly name: string;
  readonly url: string;
  readonly version: string;
  /** Relative weight, usually a percentage; 0 takes it out of rotation. */
  readonly weight: number;
}

export interface WeightedUpstreams<T extends { readonly spec: UpstreamSpec }> {
  /** Picks one upstream in proportion to the current weights; `random` is in [0, 1). */
  pick(random?: number): T;
  /** Replaces weights by name, all at once; names not given keep their weight. Throws on a bad value. */
  setWeights(weights: Readonly<Record<string, number>>): void;
  /** The current weights, by name. */
  weights(): Record<string, number>;
  readonly all: readonly T[];
}

/**
 * Weighted selection over a fixed set of upstreams. A weight change swaps one immutable table: a request that
 * has already picked its upstream keeps it, so changing weights never drops or re-routes one in flight.
 */
export function createWeightedUpstreams<T extends { readonly spec: UpstreamSpec }>(
  upstreams: readonly T[],
): WeightedUpstreams<T> {
  if (upstreams.length === 0) throw new Error('a route needs at least one upstream');
  const byName = new Map(upstreams.map((u) => [u.spec.name, u]));
  if (byName.size !== upstreams.length) throw new Error('upstream names must be unique');
  const build = (weights: Map<string, number>) => {
    let total = 0;
    const cumulative = upstreams.map((u) => {
      total += weights.get(u.spec.name) ?? 0;
      return total;
    });
    if (total <= 0) throw new Error('at least one upstream needs a positive weight');
    return { weights, cumulative, total };
  };
  let table = build(new Map(upstreams.map((u) => [u.spec.name, u.spec.weight])));
  return {
    all: upstreams,
    pick(random = Math.random()) {
      const target = random * table.total;
      const { cumulative } = table;
      for (let i = 0; i < cumulative.length; i++) {
        if (target < (cumulative[i] as number)) return upstreams[i] as T;
      }
      return upstreams[upstreams.length - 1] as T;
    },
    setWeights(changes) {
      const next = new Map(table.weights);
      for (const [name, weight] of Object.entries(changes)) {
        if (!byName.has(name)) throw new Error(`unknown upstream "${name}"`);
        if (!Number.isFinite(weight) || weight < 0) throw new Error(`weight of "${name}" must be a number >= 0`);
        next.set(name, weight);
      }
      table = build(next);
    },
    weights: () => Object.fromEntries(table.weights),
  };
}
