import {
  type AppName,
  apps,
  type BurnRateTier,
  burnRateTiers,
  errorBudget,
  type SloSpec,
  sliRequests,
  sloAlerting,
} from '@homelab/platform';
import { type AlertingRule, alertRule, type RecordingRule, type RuleGroup } from './alert-rule.ts';
import { pascalCase, promNumber } from './numbers.ts';
import { serviceSelector } from './service-selector.ts';
import { durationSeconds } from './windows.ts';

/** Recording-rule names, shared with the dashboards and the promtool tests so none repeats a string. */
export const sloSeries = {
  errorRatio: (window: string) => `slo:sli_error:ratio_rate${window}`,
  requestRate: (window: string) => `slo:sli_requests:rate${window}`,
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  budgetRemaining: 'slo:error_budget_remaining:ratio',
} as const;

/** The label matchers that pick one SLO's recorded series. */
export const sloMatchers = (service: AppName, slo: SloSpec): string => `service="${service}",slo="${slo.name}"`;

export const periodWindow = (slo: SloSpec): string => `${slo.periodDays}d`;

export const burnRateAlertName = (service: AppName, slo: SloSpec): string =>
  `${pascalCase(service)}${pascalCase(slo.name)}ErrorBudgetBurn`;

/**
 * The SLI as PromQL over one window, computed from counters (never by averaging shorter ratios, which is biased
 * when traffic is spiky). Availability: 5xx / all. Latency: 1 - (requests within the threshold bucket) / all.
 */
export function sliQueries(service: AppName, slo: SloSpec, window: string): { errorRatio: string; requests: string } {
  // Probes and scrapes never count (sliRequests): the status page and the canary gate use the same matcher.
  const selector = `${serviceSelector(service)},${sliRequests.promqlMatcher}`;
  if (slo.kind === 'availability') {
    const requests = `sum(rate(http_requests_total{${selector}}[${window}]))`;
    // No 5xx series at all means no errors, not "no data": `or vector(0)` keeps the ratio (and the budget) defined.
    const errors = `(sum(rate(http_requests_total{${selector},status=~"5.."}[${window}])) or vector(0))`;
    return { errorRatio: `${errors} / ${requests}`, requests };
  }
  if (slo.thresholdSeconds === undefined) throw new Error(`latency SLO of ${service} has no thresholdSeconds`);
  const requests = `sum(rate(http_request_duration_seconds_count{${selector}}[${window}]))`;
  const fast = `sum(rate(http_request_duration_seconds_bucket{${selector},le="${slo.thresholdSeconds}"}[${window}]))`;
  return { errorRatio: `1 - (${fast} / ${requests})`, requests };
}

function recordingRules(service: AppName, slo: SloSpec): RecordingRule[] {
  const labels = { service, slo: slo.name };
  const windows = [...sloAlerting.windows, periodWindow(slo)];
  const perWindow = windows.flatMap((window): RecordingRule[] => {
    const { errorRatio, requests } = sliQueries(service, slo, window);
    return [
      { record: sloSeries.requestRate(window), expr: requests, labels },
      { record: sloSeries.errorRatio(window), expr: errorRatio, labels },
    ];
  });
  const budget = promNumber(errorBudget(slo));
  return [
    ...perWindow,
    { record: sloSeries.objective, expr: `vector(${promNumber(slo.objective)})`, labels },
    { record: sloSeries.errorBudget, expr: `vector(${budget})`, labels },
    {
      record: sloSeries.budgetRemaining,
      expr: `1 - ${sloSeries.errorRatio(periodWindow(slo))}{${sloMatchers(service, slo)}} / ${budget}`,
      labels,
    },
  ];
}

/** The threshold a tier compares both windows' error ratios with: factor x error budget. */
export const tierThreshold = (tier: BurnRateTier, slo: SloSpec): number => tier.factor * errorBudget(slo);

/**
 * One tier of the multi-window, multi-burn-rate alert: long AND short window over the threshold (the short window
 * makes the alert reset soon after the burn stops), AND the short window holding enough requests to mean something.
 */
export function burnRateExpr(service: AppName, slo: SloSpec, tier: BurnRateTier): string {
  const matchers = sloMatchers(service, slo);
  const threshold = promNumber(tierThreshold(tier, slo));
  return [
    `${sloSeries.errorRatio(tier.longWindow)}{${matchers}} > ${threshold}`,
    'and',
    `${sloSeries.errorRatio(tier.shortWindow)}{${matchers}} > ${threshold}`,
    'and',
    `${sloSeries.requestRate(tier.shortWindow)}{${matchers}} * ${durationSeconds(tier.shortWindow)} >= ${sloAlerting.lowTrafficMinRequests}`,
  ].join('\n');
}

function burnRateAlerts(service: AppName, slo: SloSpec): AlertingRule[] {
  const objective = `${promNumber(slo.objective * 100)} % over ${slo.periodDays} days`;
  return burnRateTiers
    .filter((tier) => tier.enabled)
    .map((tier) =>
      alertRule({
        name: burnRateAlertName(service, slo),
        component: service,
        expr: burnRateExpr(service, slo, tier),
        for: tier.for,
        severity: tier.severity,
        labels: { service, slo: slo.name, tier: tier.name },
        summary: `${service} is burning its ${slo.name} error budget ${tier.factor}x too fast.`,
        description:
          `The ${slo.name} SLO of ${service} (${slo.description}; objective ${objective}) has failed more than ` +
          `${tier.factor}x its error budget over both the last ${tier.longWindow} and the last ${tier.shortWindow}. ` +
          `Left alone, this burns ${promNumber((tier.factor * durationSeconds(tier.longWindow) * 100) / (slo.periodDays * 86_400))} % of the ${slo.periodDays}-day budget every ${tier.longWindow}.`,
      }),
    );
}

/**
 * One rule group per service: recording rules first, then the alerts, because rules in a group run in order and
 * the alerts then read the ratios of the same evaluation, not the previous one.
 */
export function sloRuleGroup(service: AppName): RuleGroup {
  const slos = apps[service].slos;
  return {
    name: `slo-${service}`,
    rules: [
      ...slos.flatMap((slo) => recordingRules(service, slo)),
      ...slos.flatMap((slo) => burnRateAlerts(service, slo)),
    ],
  };
}
