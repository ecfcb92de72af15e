import type { TrafficScenario } from './traffic.ts';

/** Stable's everyday behaviour in every cell: errors at the 99.9 % SLO's budget, latency well inside its SLO. */
const stable = { errorRate: 0.001, slowRate: 0.005 };
const rps = 20;

const errors = (percent: number): TrafficScenario => ({
  name: `errors ${percent} %`,
  rps,
  canary: { errorRate: percent / 100, slowRate: stable.slowRate },
  stable,
});
const slow = (percent: number, stableSlow = 0.01): TrafficScenario => ({
  name: `slow ${percent} %`,
  rps,
  canary: { errorRate: stable.errorRate, slowRate: percent / 100 },
  stable: { errorRate: stable.errorRate, slowRate: stableSlow },
});

/**
 * The reference's fault matrix at 20 req/s: error rates 0, 0.1, 0.5, 1.44, 5, 100 % on the canary (stable at
 * 0.1 %), latency faults against a stable with 1 % slow requests, no traffic at all, and a shared outage (both
 * versions at 5 % errors).
 */
export const faultMatrix: readonly TrafficScenario[] = [
  errors(0),
  errors(0.1),
  errors(0.5),
  errors(1.44),
  errors(5),
  errors(100),
  slow(1),
  slow(5),
  slow(100),
  { name: 'no traffic', rps: 0, canary: stable, stable },
  {
    name: 'shared outage 5 %',
    rps,
    canary: { errorRate: 0.05, slowRate: 0.005 },
    stable: { errorRate: 0.05, slowRate: 0.005 },
  },
];

export const percentile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};
