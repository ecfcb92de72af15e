/**
 * How SLOs turn into alerts: the four multi-window, multi-burn-rate tiers of the SRE Workbook (ch. 5) and the
 * guard that keeps a handful of requests from paging anyone. Observability and the canary gate read these.
 */
export type Severity = 'page' | 'ticket';

export interface BurnRateTier {
  /** Label value `tier="..."` on the alert, used by Alertmanager inhibition and the runbooks. */
  readonly name: 'page-fast' | 'page-slow' | 'ticket-fast' | 'ticket-slow';
  readonly severity: Severity;
  /** Burn-rate factor: the alert fires when both windows burn faster than factor x (1 - objective). */
  readonly factor: number;
  readonly longWindow: string;
  readonly shortWindow: string;
  /** How long both windows must stay over the threshold before the alert fires. */
  readonly for: string;
  /** Set false to drop a tier platform-wide (a tier that only ever adds noise is worse than none). */
  readonly enabled: boolean;
}

/** Budget spent when each tier fires, for a 30-day SLO: 2 %, 5 %, 10 %, 10 %. */
export const burnRateTiers: readonly BurnRateTier[] = [
  { name: 'page-fast', severity: 'page', factor: 14.4, longWindow: '1h', shortWindow: '5m', for: '2m', enabled: true },
  { name: 'page-slow', severity: 'page', factor: 6, longWindow: '6h', shortWindow: '30m', for: '15m', enabled: true },
  {
    name: 'ticket-fast',
    severity: 'ticket',
    factor: 3,
    longWindow: '1d',
    shortWindow: '2h',
    for: '1h',
    enabled: true,
  },
  {
    name: 'ticket-slow',
    severity: 'ticket',
    factor: 1,
    longWindow: '3d',
    shortWindow: '6h',
    for: '3h',
    enabled: true,
  },
];

export const sloAlerting = {
  /** Every window an error ratio is recorded for (the tiers' windows), computed from counters. */
  windows: ['5m', '30m', '1h', '2h', '6h', '1d', '3d'],
  /**
   * Low-traffic guard: a tier fires only when its short window saw at least this many requests, so one failed
   * request out of three pages nobody. A quiet service is then caught by the slower tiers, whose short windows
   * hold more requests.
   */
  lowTrafficMinRequests: 10,
} as const;
