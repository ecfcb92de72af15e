import type { TrafficScenario, VersionBehaviour } from './traffic.ts';

/** What a cell is for: which goal it checks. */
export type CellKind =
  | 'healthy'
  | 'regression'
  | 'slow regression'
  | 'relative regression'
  | 'shared outage'
  | 'bad stable'
  | 'hotfix'
  | 'no traffic';

export interface FaultCell {
  readonly name: string;
  readonly kind: CellKind;
  readonly canary: VersionBehaviour;
  readonly stable: VersionBehaviour;
}

/** Stable's everyday behaviour: errors at the 99.9 % SLO's budget, latency well inside the 99 % SLO. */
const everyday: VersionBehaviour = { errorRate: 0.001, slowRate: 0.005 };
const errors = (percent: number, kind: CellKind): FaultCell => ({
  name: `errors ${percent} %`,
  kind,
  canary: { errorRate: percent / 100, slowRate: everyday.slowRate },
  stable: everyday,
});
/** Latency cells run against a stable at the latency SLO's edge (1 % slow). */
const slow = (percent: number, kind: CellKind): FaultCell => ({
  name: `slow ${percent} %`,
  kind,
  canary: { errorRate: everyday.errorRate, slowRate: percent / 100 },
  stable: { errorRate: everyday.errorRate, slowRate: 0.01 },
});
const both = (percent: number): FaultCell => ({
  name: `shared outage ${percent} %`,
  kind: 'shared outage',
  canary: { errorRate: percent / 100, slowRate: everyday.slowRate },
  stable: { errorRate: percent / 100, slowRate: everyday.slowRate },
});

/**
 * Issue 18's cells (and the reference's fault matrix): healthy canaries at 0 % and at the SLO's edge, regressions
 * at 0.5 % (5x relative), 1.44 % (the fast-page burn), 5 % and 100 %, latency at the edge, 2x, 5x and 100 %,
 * shared outages at 1.5-5 %, a bad stable (3 %) with a canary better than it but over the SLO, the hotfix (stable
 * at 3 %, canary healthy), and no traffic at all (not even synthetic: the load never started).
 */
export const faultCells: readonly FaultCell[] = [
  errors(0, 'healthy'),
  errors(0.1, 'healthy'),
  errors(0.5, 'relative regression'),
  errors(1.44, 'regression'),
  errors(5, 'regression'),
  errors(100, 'regression'),
  slow(1, 'healthy'),
  slow(2, 'slow regression'),
  slow(5, 'slow regression'),
  slow(100, 'slow regression'),
  both(1.5),
  both(2),
  both(3),
  both(5),
  {
    name: 'bad stable 3 %, canary 1.44 %',
    kind: 'bad stable',
    canary: { errorRate: 0.0144, slowRate: everyday.slowRate },
    stable: { errorRate: 0.03, slowRate: everyday.slowRate },
  },
  {
    name: 'hotfix: stable 3 %, canary 0.1 %',
    kind: 'hotfix',
    canary: everyday,
    stable: { errorRate: 0.03, slowRate: everyday.slowRate },
  },
  { name: 'no traffic', kind: 'no traffic', canary: everyday, stable: everyday },
];

/** The bench's traffic levels (real requests per second to the app). */
export const benchRates: readonly number[] = [0.5, 2, 5, 20, 200];

/** One cell at one real rate, with the synthetic traffic the gate's plan asks for at that rate. */
export function scenarioAt(cell: FaultCell, rps: number, syntheticRps: number): TrafficScenario {
  if (cell.kind === 'no traffic') return { name: cell.name, rps: 0, canary: cell.canary, stable: cell.stable };
  return { name: cell.name, rps, syntheticRps, canary: cell.canary, stable: cell.stable };
}

export const percentile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};
