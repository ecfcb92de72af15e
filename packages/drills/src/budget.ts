import { type AppName, apps, errorBudget, type SloSpec } from '@homelab/platform';

/** The SLO of `app` with this kind (each app has one availability and one latency SLO). */
export function sloOf(app: AppName, kind: SloSpec['kind']): SloSpec {
  const slo = apps[app].slos.find((s) => s.kind === kind);
  if (!slo) throw new Error(`${app} has no ${kind} SLO`);
  return slo;
}

/**
 * Percent of the period's error budget that `bad` requests spend, if the drill's request rate were the
 * service's traffic for the whole period: budget = (1 − objective) × rate × period. A drill cannot know the real
 * month's traffic; this makes runs comparable with each other and says what the same failure would cost at that
 * traffic.
 */
export function budgetSpentPercent(slo: SloSpec, bad: number, ratePerSecond: number): number {
  const budgetRequests = errorBudget(slo) * ratePerSecond * slo.periodDays * 86_400;
  return budgetRequests === 0 ? 0 : (bad / budgetRequests) * 100;
}

/** The burn rate of a window: its bad ratio over the budget ratio (1 = spending exactly on budget). */
export function burnRate(slo: SloSpec, bad: number, total: number): number {
  return total === 0 ? 0 : bad / total / errorBudget(slo);
}
