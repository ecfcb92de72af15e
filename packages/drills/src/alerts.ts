import { burnRateAlertName } from '@homelab/observability/slo-rules';
import { durationSeconds } from '@homelab/observability/windows';
import { type AppName, apps, type BurnRateTier, burnRateTiers, type SloSpec } from '@homelab/platform';
import { sloOf } from './budget.ts';
import type { AlertState, ExpectedSignal, Scenario } from './scenario.ts';

export type AlertSignal = Extract<ExpectedSignal, { kind: 'alert' }>;

const pageFast = burnRateTiers.find((t) => t.name === 'page-fast') as BurnRateTier;

/**
 * The page-fast burn-rate alert of one SLO, as the observability package names it (the tiers share the name, the
 * `tier` label tells them apart). Pending is what a drill of seconds can reach; firing needs the tier's `for`.
 */
export function pageAlert(app: AppName, slo: SloSpec['kind'], state: AlertState = 'pending'): AlertSignal {
  return {
    kind: 'alert',
    alert: burnRateAlertName(app, sloOf(app, slo)),
    state,
    labels: { service: apps[app].name, tier: pageFast.name },
  };
}

/** `Name{a="b"}`: how the alert reads in Prometheus' own UI and in the drill's output. */
export const alertSelector = (signal: AlertSignal): string =>
  `${signal.alert}${
    signal.labels
      ? `{${Object.entries(signal.labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(',')}}`
      : ''
  }`;

/** The `for` of the burn-rate tier the signal names (its `tier` label); undefined for any other alert. */
export function alertForSeconds(signal: AlertSignal): number | undefined {
  const tier = burnRateTiers.find((t) => t.name === signal.labels?.tier);
  return tier ? durationSeconds(tier.for) : undefined;
}

/** An alert instance as Prometheus' `/api/v1/alerts` reports it. */
export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
  /** RFC 3339: when the expression first turned true (the start of pending). */
  readonly activeAt: string;
  readonly value: string;
}

/**
 * The alert instance that meets `signal` among Prometheus' active alerts: same name, every label the signal names,
 * the state reached (firing meets pending too), and active since `since` (an instance already active before the
 * injection is an earlier fault's, not this one's).
 */
export function matchingAlert(
  signal: AlertSignal,
  active: readonly ActiveAlert[],
  since: number,
): ActiveAlert | undefined {
  return active.find(
    (a) =>
      a.labels.alertname === signal.alert &&
      Object.entries(signal.labels ?? {}).every(([k, v]) => a.labels[k] === v) &&
      (a.state === 'firing' || (signal.state === 'pending' && a.state === 'pending')) &&
      Date.parse(a.activeAt) >= since,
  );
}

/** Alerts expected in the scenario that are already active: a drill cannot tell its own from an earlier fault's. */
export function alreadyActive(scenario: Scenario, active: readonly ActiveAlert[]): string[] {
  return scenario.expect
    .filter((s): s is AlertSignal => s.kind === 'alert')
    .flatMap((s) =>
      matchingAlert({ ...s, state: 'pending' }, active, Number.NEGATIVE_INFINITY)
        ? [`${alertSelector(s)} is already active (an earlier fault's): wait until it resolves`]
        : [],
    );
}

/**
 * The scenario held until its pending alerts fire: each pending alert also expected as firing, and the load long
 * enough for the tier's `for` plus `marginSeconds` (scrape, evaluation, the windows filling). For home use: the
 * page tier's `for` is minutes, too long for CI. Returns the fault's longest hold in seconds with it.
 */
export function untilFiring(scenario: Scenario, marginSeconds = 30): { scenario: Scenario; holdSeconds: number } {
  const pending = scenario.expect.filter((s): s is AlertSignal => s.kind === 'alert' && s.state === 'pending');
  if (pending.length === 0) throw new Error(`${scenario.name} expects no alert to wait for`);
  const holdSeconds =
    Math.max(
      ...pending.map((s) => {
        const seconds = alertForSeconds(s);
        if (seconds === undefined) throw new Error(`no known \`for\` for ${alertSelector(s)}`);
        return seconds;
      }),
    ) + marginSeconds;
  const firing = pending.map((s): AlertSignal => ({ ...s, state: 'firing' }));
  return {
    scenario: {
      ...scenario,
      expect: [...scenario.expect, ...firing],
      load: {
        ...scenario.load,
        maxSeconds: Math.max(scenario.load.maxSeconds, scenario.baselineSeconds + holdSeconds + 30),
      },
    },
    holdSeconds,
  };
}
