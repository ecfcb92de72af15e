import {
  type AppName,
  appNames,
  apps,
  type BurnRateTier,
  burnRateTiers,
  errorBudget,
  namespaces,
  type SloSpec,
  sliRequests,
  sloAlerting,
} from '@homelab/platform';
import { type AlertingRule, isAlertingRule } from '../src/alert-rule.ts';
import { promNumber } from '../src/numbers.ts';
import { burnRateAlertName, sloMatchers, sloRuleGroup, sloSeries, tierThreshold } from '../src/slo-rules.ts';
import { durationSeconds } from '../src/windows.ts';
import {
  atStep,
  type CounterSegment,
  counterValues,
  type InputSeries,
  type PromqlExprTest,
  type PromtoolTest,
  type PromtoolTestFile,
} from './promtool-test-file.ts';

/**
 * Evaluation step per tier: fine enough to resolve the short window and `for`, coarse enough that three days of
 * history stay cheap (the ticket tiers run at 10 m and 30 m).
 */
const tierInterval: Record<BurnRateTier['name'], string> = {
  'page-fast': '1m',
  'page-slow': '5m',
  'ticket-fast': '20m',
  'ticket-slow': '1h',
};

/** Requests per evaluation step in the healthy and burning scenarios: enough for fine error ratios. */
const requestsPerStep = 100_000;
/** The burning scenarios run at this multiple of the tier's threshold: below the next faster tier's threshold. */
const burnMultiple = 1.75;

interface Phase {
  steps: number;
  good: number;
  bad: number;
}

/** The series an SLO reads, for a run of phases of good and bad requests per step. */
function inputSeries(service: AppName, slo: SloSpec, phases: readonly Phase[]): InputSeries[] {
  // The gateway's series carry the cluster's job (`<namespace>/<monitor>`), the others the local one (the app
  // name): the suite proves the rules select both.
  const job = service === 'gateway' ? `job="${namespaces.apps}/${service}"` : `job="${service}"`;
  const goodSegments: CounterSegment[] = phases.map((p) => ({ steps: p.steps, increment: p.good }));
  const badSegments: CounterSegment[] = phases.map((p) => ({ steps: p.steps, increment: p.bad }));
  const allSegments: CounterSegment[] = phases.map((p) => ({ steps: p.steps, increment: p.good + p.bad }));
  const route = 'method="GET",route="/probe"';
  if (slo.kind === 'availability') {
    return [
      { series: `http_requests_total{${job},${route},status="200"}`, values: counterValues(goodSegments) },
      { series: `http_requests_total{${job},${route},status="500"}`, values: counterValues(badSegments) },
    ];
  }
  return [
    {
      series: `http_request_duration_seconds_bucket{${job},${route},status="200",le="${slo.thresholdSeconds}"}`,
      values: counterValues(goodSegments),
    },
    { series: `http_request_duration_seconds_count{${job},${route},status="200"}`, values: counterValues(allSegments) },
  ];
}

/**
 * Probe and scrape traffic that must not count (sliRequests): every excluded route answering 503 (a draining
 * pod's readiness) and slower than any threshold, at ten times the user traffic. Were it counted, the meta
 * series test below would see the error ratio and the budget move.
 */
function excludedSeries(service: AppName, slo: SloSpec, steps: number): InputSeries[] {
  const job = `job="${service}"`;
  const noisy = counterValues([{ steps, increment: 10 * requestsPerStep }]);
  return sliRequests.excludedRoutes.flatMap((route): InputSeries[] =>
    slo.kind === 'availability'
      ? [{ series: `http_requests_total{${job},method="GET",route="${route}",status="503"}`, values: noisy }]
      : [
          {
            series: `http_request_duration_seconds_bucket{${job},method="GET",route="${route}",status="200",le="${slo.thresholdSeconds}"}`,
            values: counterValues([{ steps, increment: 0 }]),
          },
          {
            series: `http_request_duration_seconds_count{${job},method="GET",route="${route}",status="200"}`,
            values: noisy,
          },
        ],
  );
}

interface TierContext {
  service: AppName;
  slo: SloSpec;
  tier: BurnRateTier;
  rule: AlertingRule;
  stepSeconds: number;
  historySteps: number;
  longSteps: number;
  shortSteps: number;
  forSteps: number;
  threshold: number;
}

/**
 * The tiers share one alert name, so each check reads the `ALERTS` series of the tier under test: another tier
 * firing at the same time (a long burn rightly trips the slower tiers too) neither hides nor fails it.
 */
const alertsOfTier = (ctx: TierContext): string =>
  `ALERTS{alertname="${ctx.rule.alert}",tier="${ctx.tier.name}",alertstate="firing"}`;

const silent = (ctx: TierContext, step: number): PromqlExprTest => ({
  expr: alertsOfTier(ctx),
  eval_time: atStep(step, ctx.stepSeconds),
  exp_samples: [],
});

const firing = (ctx: TierContext, step: number): PromqlExprTest => {
  const labels = Object.entries({ alertname: ctx.rule.alert, alertstate: 'firing', ...ctx.rule.labels })
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}="${value}"`)
    .join(',');
  return {
    expr: alertsOfTier(ctx),
    eval_time: atStep(step, ctx.stepSeconds),
    exp_samples: [{ labels: `ALERTS{${labels}}`, value: 1 }],
  };
};

/** `1` when the recorded error ratio over `window` is above the tier's threshold at that step. */
const ratioAbove = (ctx: TierContext, window: string, step: number) => ({
  expr: `${sloSeries.errorRatio(window)}{${sloMatchers(ctx.service, ctx.slo)}} > bool ${ctx.threshold}`,
  eval_time: atStep(step, ctx.stepSeconds),
  exp_samples: [{ labels: `{${sloMatchers(ctx.service, ctx.slo)}}`, value: 1 }],
});

/**
 * First step after the incident starts at which the long window's ratio exceeds the threshold: the window then
 * holds `k` burning steps out of `longSteps`, so ratio = bad x k / (requests x longSteps). Computed here, from
 * the definition, not copied from a promtool run.
 */
function firstStepOverThreshold(ctx: TierContext, badPerStep: number): number {
  for (let k = 1; k <= ctx.longSteps; k++) {
    const ratio = (badPerStep * k) / (requestsPerStep * ctx.longSteps);
    // A ratio equal to the threshold would make the expected step depend on floating-point rounding.
    if (Math.abs(ratio - ctx.threshold) < 1e-9) throw new Error(`${ctx.rule.alert}: step ${k} sits on the threshold`);
    if (ratio > ctx.threshold) return k;
  }
  throw new Error(`${ctx.rule.alert} ${ctx.tier.name}: the burn never crosses the threshold`);
}

function firesOnTime(ctx: TierContext): PromtoolTest {
  const bad = Math.round(burnMultiple * ctx.threshold * requestsPerStep);
  const crossing = firstStepOverThreshold(ctx, bad);
  const fireStep = crossing + ctx.forSteps;
  return {
    name: `${ctx.rule.alert} ${ctx.tier.name}: fires when the ${ctx.tier.longWindow} window fills plus ${ctx.tier.for}`,
    interval: tierInterval[ctx.tier.name],
    input_series: inputSeries(ctx.service, ctx.slo, [
      { steps: ctx.historySteps, good: requestsPerStep, bad: 0 },
      { steps: fireStep + 1, good: requestsPerStep - bad, bad },
    ]),
    promql_expr_test: [
      silent(ctx, ctx.historySteps + crossing - 1),
      silent(ctx, ctx.historySteps + fireStep - 1),
      firing(ctx, ctx.historySteps + fireStep),
    ],
  };
}

/** The error ratio of a short spike: over the short window's threshold, under the long window's once averaged. */
function spikeRatio(ctx: TierContext): number {
  const halfLong = (ctx.threshold * ctx.longSteps) / ctx.shortSteps / 2;
  // Stay under the next faster tier's threshold too, or the spike is (rightly) that tier's alert.
  const faster = burnRateTiers.filter((t) => t.enabled && t.factor > ctx.tier.factor).map((t) => t.factor);
  const cap = faster.length > 0 ? 0.9 * Math.min(...faster) * errorBudget(ctx.slo) : 1;
  return Math.min(halfLong, cap, 1);
}

function silentOnShortSpike(ctx: TierContext): PromtoolTest {
  const bad = Math.round(spikeRatio(ctx) * requestsPerStep);
  const spikeEnd = ctx.historySteps + ctx.shortSteps;
  return {
    name: `${ctx.rule.alert} ${ctx.tier.name}: silent on a spike as long as the ${ctx.tier.shortWindow} window`,
    interval: tierInterval[ctx.tier.name],
    input_series: inputSeries(ctx.service, ctx.slo, [
      { steps: ctx.historySteps, good: requestsPerStep, bad: 0 },
      { steps: ctx.shortSteps, good: requestsPerStep - bad, bad },
      { steps: ctx.shortSteps + ctx.forSteps + 1, good: requestsPerStep, bad: 0 },
    ]),
    promql_expr_test: [
      silent(ctx, ctx.historySteps + ctx.forSteps + 1),
      silent(ctx, spikeEnd),
      silent(ctx, spikeEnd + ctx.forSteps),
      // The spike really did burn the short window: only the long window keeps the alert quiet.
      ratioAbove(ctx, ctx.tier.shortWindow, spikeEnd),
    ],
  };
}

function silentAfterRecovery(ctx: TierContext): PromtoolTest {
  const bad = Math.round(burnMultiple * ctx.threshold * requestsPerStep);
  const burnSteps = Math.ceil(0.85 * ctx.longSteps);
  const recovered = ctx.historySteps + burnSteps + ctx.shortSteps + 1;
  return {
    name: `${ctx.rule.alert} ${ctx.tier.name}: resets once the ${ctx.tier.shortWindow} window recovers`,
    interval: tierInterval[ctx.tier.name],
    input_series: inputSeries(ctx.service, ctx.slo, [
      { steps: ctx.historySteps, good: requestsPerStep, bad: 0 },
      { steps: burnSteps, good: requestsPerStep - bad, bad },
      { steps: ctx.shortSteps + 2, good: requestsPerStep, bad: 0 },
    ]),
    promql_expr_test: [
      firing(ctx, ctx.historySteps + burnSteps),
      silent(ctx, recovered),
      // The long window is still over the threshold: only the short window lets the alert resolve.
      ratioAbove(ctx, ctx.tier.longWindow, recovered),
    ],
  };
}

function silentOnLowTraffic(ctx: TierContext): PromtoolTest {
  // Every request fails, but the short window never holds enough of them to mean something.
  const gap = Math.max(1, Math.ceil(ctx.shortSteps / (0.6 * sloAlerting.lowTrafficMinRequests)));
  const evalStep = Math.max(ctx.shortSteps, 2 * gap) + ctx.forSteps;
  const phases: Phase[] = [];
  for (let step = 0; step <= evalStep; step += gap) {
    phases.push({ steps: 1, good: 0, bad: 1 }, { steps: gap - 1, good: 0, bad: 0 });
  }
  return {
    name: `${ctx.rule.alert} ${ctx.tier.name}: silent when the ${ctx.tier.shortWindow} window holds few requests`,
    interval: tierInterval[ctx.tier.name],
    input_series: inputSeries(ctx.service, ctx.slo, phases),
    promql_expr_test: [
      silent(ctx, evalStep),
      silent(ctx, evalStep + gap),
      // Both windows burn far over the threshold: only the guard keeps the alert quiet.
      ratioAbove(ctx, ctx.tier.longWindow, evalStep),
      ratioAbove(ctx, ctx.tier.shortWindow, evalStep),
    ],
  };
}

/**
 * Traffic falls to a trickle of failing requests right after a real burn: the long window still burns, the short
 * window burns too, but holds too few requests, so the guard resolves the alert. This is the case where the guard
 * must read the short window: a guard on the long window would keep paging on a handful of requests.
 */
function silentWhenTrafficTrickles(ctx: TierContext): PromtoolTest {
  const bad = Math.round(burnMultiple * ctx.threshold * requestsPerStep);
  const burnSteps = Math.ceil(0.85 * ctx.longSteps);
  const gap = Math.max(1, Math.ceil(ctx.shortSteps / (0.6 * sloAlerting.lowTrafficMinRequests)));
  const trickleSteps = ctx.shortSteps + 2 * gap + 1;
  const trickle: Phase[] = [];
  for (let step = 0; step < trickleSteps; step += gap) {
    trickle.push({ steps: 1, good: 0, bad: 1 }, { steps: gap - 1, good: 0, bad: 0 });
  }
  const quiet = ctx.historySteps + burnSteps + ctx.shortSteps + 1;
  return {
    name: `${ctx.rule.alert} ${ctx.tier.name}: resolves when traffic falls to a trickle after a burn`,
    interval: tierInterval[ctx.tier.name],
    input_series: inputSeries(ctx.service, ctx.slo, [
      { steps: ctx.historySteps, good: requestsPerStep, bad: 0 },
      { steps: burnSteps, good: requestsPerStep - bad, bad },
      ...trickle,
    ]),
    promql_expr_test: [
      firing(ctx, ctx.historySteps + burnSteps),
      silent(ctx, quiet),
      // Both windows still over the threshold: only the short window's request count resolves the alert.
      ratioAbove(ctx, ctx.tier.longWindow, quiet),
      ratioAbove(ctx, ctx.tier.shortWindow, quiet),
    ],
  };
}

/**
 * The meta series: after two hours at half the error budget, the period's error ratio is budget / 2, so half the
 * budget remains; objective and budget are the SLO's. Compared within 1e-9 (float division).
 */
function metaSeries(ctx: TierContext): PromtoolTest {
  const budget = errorBudget(ctx.slo);
  const bad = Math.round((budget / 2) * requestsPerStep);
  const steps = 120;
  const matchers = sloMatchers(ctx.service, ctx.slo);
  const near = (expr: string, expected: number) => ({
    expr: `abs(${expr}{${matchers}} - ${promNumber(expected)}) < bool 1e-9`,
    eval_time: atStep(steps, ctx.stepSeconds),
    exp_samples: [{ labels: `{${matchers}}`, value: 1 }],
  });
  return {
    name: `${ctx.rule.alert}: objective, budget and budget remaining, probes and scrapes left out`,
    interval: tierInterval[ctx.tier.name],
    input_series: [
      ...inputSeries(ctx.service, ctx.slo, [{ steps, good: requestsPerStep - bad, bad }]),
      ...excludedSeries(ctx.service, ctx.slo, steps),
    ],
    promql_expr_test: [
      near(sloSeries.objective, ctx.slo.objective),
      near(sloSeries.errorBudget, budget),
      near(sloSeries.errorRatio(`${ctx.slo.periodDays}d`), bad / requestsPerStep),
      near(sloSeries.budgetRemaining, 1 - bad / requestsPerStep / budget),
    ],
  };
}

function tierContext(service: AppName, slo: SloSpec, tier: BurnRateTier): TierContext {
  const stepSeconds = durationSeconds(tierInterval[tier.name]);
  const alertName = burnRateAlertName(service, slo);
  const rule = sloRuleGroup(service)
    .rules.filter(isAlertingRule)
    .find((r) => r.alert === alertName && r.labels.tier === tier.name);
  if (!rule) throw new Error(`no ${tier.name} rule for ${alertName}`);
  return {
    service,
    slo,
    tier,
    rule,
    stepSeconds,
    // Healthy history that fills the tier's long window before anything happens.
    historySteps: durationSeconds(tier.longWindow) / stepSeconds,
    longSteps: durationSeconds(tier.longWindow) / stepSeconds,
    shortSteps: durationSeconds(tier.shortWindow) / stepSeconds,
    forSteps: durationSeconds(tier.for) / stepSeconds,
    threshold: tierThreshold(tier, slo),
  };
}

/**
 * One promtool test file per service and enabled tier (a file loads only its service's rules, which keeps
 * promtool fast), covering every SLO: fires on time, silent on a short spike, resets after the short window
 * recovers, silent under the low-traffic guard.
 */
export function sloAlertTestFiles(ruleFileDir: string): Array<{ name: string; file: PromtoolTestFile }> {
  return appNames.flatMap((service) =>
    burnRateTiers
      .filter((tier) => tier.enabled)
      .map((tier) => ({
        name: `slo-${service}-${tier.name}`,
        file: {
          rule_files: [`${ruleFileDir}/slo-${service}.yaml`],
          evaluation_interval: tierInterval[tier.name],
          tests: apps[service].slos.flatMap((slo) => {
            const ctx = tierContext(service, slo, tier);
            return [
              firesOnTime(ctx),
              silentOnShortSpike(ctx),
              silentAfterRecovery(ctx),
              silentOnLowTraffic(ctx),
              silentWhenTrafficTrickles(ctx),
              // The meta series do not depend on the tier: tested once, in the fastest tier's file.
              ...(tier === burnRateTiers[0] ? [metaSeries(ctx)] : []),
            ];
          }),
        },
      })),
  );
}
