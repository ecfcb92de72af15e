import { type AppName, appNames, apps, http, type SloSpec, sliRequests } from '@homelab/platform';
import { parseMetricsText, type Sample } from './metrics-text.ts';

/** One SLO's current standing. `errorRatio` is undefined when there was no traffic to judge. */
export interface SloStanding {
  readonly slo: SloSpec;
  readonly errorRatio: number | undefined;
  /** 1 = untouched, 0 = spent, negative = overspent (-1: errors at twice the allowed share). */
  readonly budgetLeft: number | undefined;
  /** Requests that count (sliRequests), rounded: Prometheus' increase() extrapolates to fractions. */
  readonly requests: number;
  /** True when the count is Prometheus' estimate from samples rather than the services' exact counters. */
  readonly estimated?: boolean;
}

export interface ServiceStatus {
  readonly service: AppName;
  readonly reachable: boolean;
  readonly slos: readonly SloStanding[];
}

export interface CanaryStatus {
  readonly inProgress: boolean;
  readonly weight: number;
  readonly version?: string;
}

export interface PlatformStatus {
  readonly source: 'prometheus' | 'service metrics';
  readonly window: string;
  readonly services: readonly ServiceStatus[];
  readonly canary: CanaryStatus | undefined;
}

/** The standing from good/bad counts: error ratio and how much of the budget (1 - objective) is left. */
export function standing(slo: SloSpec, requests: number, bad: number, estimated = false): SloStanding {
  const counted = Math.round(requests);
  if (counted <= 0) return { slo, errorRatio: undefined, budgetLeft: undefined, requests: 0, estimated };
  // Prometheus extrapolates each series' increase() on its own, so bad can come out a hair below 0 or above all.
  const errorRatio = Math.min(1, Math.max(0, bad) / requests);
  return { slo, errorRatio, budgetLeft: 1 - errorRatio / (1 - slo.objective), requests: counted, estimated };
}

/** SLO standings of one service from its (summed) samples since the processes started. */
export function standingsFromSamples(service: AppName, samples: readonly Sample[]): SloStanding[] {
  let total = 0;
  let serverErrors = 0;
  let durationCount = 0;
  const withinBucket = new Map<number, number>();
  for (const s of samples) {
    if (!sliRequests.counts(s.labels.route)) continue;
    if (s.name === 'http_requests_total') {
      total += s.value;
      if ((s.labels.status ?? '').startsWith('5')) serverErrors += s.value;
    } else if (s.name === 'http_request_duration_seconds_count') {
      durationCount += s.value;
    } else if (s.name === 'http_request_duration_seconds_bucket') {
      const le = Number(s.labels.le);
      withinBucket.set(le, (withinBucket.get(le) ?? 0) + s.value);
    }
  }
  return apps[service].slos.map((slo) =>
    slo.kind === 'availability'
      ? standing(slo, total, serverErrors)
      : standing(slo, durationCount, durationCount - (withinBucket.get(slo.thresholdSeconds ?? Number.NaN) ?? 0)),
  );
}

/** The canary as the gateway reports it: its weight and version (`gateway_upstream_weight`). */
export function canaryFromSamples(samples: readonly Sample[]): CanaryStatus | undefined {
  const weight = samples.find((s) => s.name === 'gateway_upstream_weight' && s.labels.upstream === 'canary');
  if (!weight) return undefined;
  return {
    inProgress: weight.value > 0,
    weight: weight.value,
    ...(weight.labels.version ? { version: weight.labels.version } : {}),
  };
}

const appOf = (targetName: string): AppName | undefined =>
  appNames.find((name) => targetName === name || targetName.startsWith(`${name}-`));

/**
 * Without Prometheus: scrape every target's /metrics and add the samples of targets of the same app (the
 * canary API counts towards the API). Counters run since each process started, so the window is "since start".
 */
export async function statusFromServiceMetrics(
  targets: readonly { name: string; url: string }[],
  timeoutMs = 2_000,
): Promise<PlatformStatus> {
  const scraped = await Promise.all(
    targets.map(async (t) => {
      try {
        const res = await fetch(`${t.url}${http.paths.metrics}`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) return { target: t, samples: undefined };
        return { target: t, samples: parseMetricsText(await res.text()) };
      } catch {
        return { target: t, samples: undefined };
      }
    }),
  );
  const services = appNames.map((service) => {
    const mine = scraped.filter((s) => appOf(s.target.name) === service);
    const reachable = mine.some((s) => s.samples !== undefined);
    const samples = mine.flatMap((s) => s.samples ?? []);
    return { service, reachable, slos: standingsFromSamples(service, samples) };
  });
  const gatewaySamples = scraped.filter((s) => appOf(s.target.name) === 'gateway').flatMap((s) => s.samples ?? []);
  return {
    source: 'service metrics',
    window: 'since the services started',
    services,
    canary: canaryFromSamples(gatewaySamples),
  };
}

/**
 * How many events a counter selection saw over `window`. increase() cannot see the first value of a series born
 * inside the window (a route's first request after start-up): its first sample already holds it, and increase()
 * only counts growth after that. So those series add their first value (a counter's minimum over the window) once.
 * Both halves answer nothing when there is nothing, hence `or vector(0)`.
 */
export const counterIncrease = (metric: string, selector: string, window: string): string =>
  `(sum(increase(${metric}{${selector}}[${window}])) or vector(0)) + ` +
  `(sum(min_over_time(${metric}{${selector}}[${window}]) unless ${metric}{${selector}} offset ${window}) or vector(0))`;

/**
 * With Prometheus: each SLO over its own period (the window its budget is defined over, the one the
 * `slo:error_budget_remaining:ratio` rule and the ticket alerts use), by `job`, counting only sliRequests.
 */
export async function statusFromPrometheus(prometheusUrl: string, timeoutMs = 3_000): Promise<PlatformStatus> {
  const query = async (promql: string): Promise<number> => {
    const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`Prometheus answered ${res.status}`);
    const body = (await res.json()) as {
      data: { result: { value: [number, string]; metric: Record<string, string> }[] };
    };
    const first = body.data.result[0];
    return first ? Number(first.value[1]) : 0;
  };
  const services = await Promise.all(
    appNames.map(async (service): Promise<ServiceStatus> => {
      const sel = `${sliRequests.promqlJobMatcher(service)},${sliRequests.promqlMatcher}`;
      try {
        const slos = await Promise.all(
          apps[service].slos.map(async (slo) => {
            const window = `${slo.periodDays}d`;
            if (slo.kind === 'availability') {
              const total = await query(counterIncrease('http_requests_total', sel, window));
              const bad = await query(counterIncrease('http_requests_total', `${sel},status=~"5.."`, window));
              return standing(slo, total, bad, true);
            }
            const count = await query(counterIncrease('http_request_duration_seconds_count', sel, window));
            const good = await query(
              counterIncrease('http_request_duration_seconds_bucket', `${sel},le="${slo.thresholdSeconds}"`, window),
            );
            return standing(slo, count, count - good, true);
          }),
        );
        return { service, reachable: true, slos };
      } catch {
        return { service, reachable: false, slos: apps[service].slos.map((slo) => standing(slo, 0, 0)) };
      }
    }),
  );
  let canary: CanaryStatus | undefined;
  try {
    const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('max(gateway_upstream_weight{upstream="canary"})')}`;
    const body = (await (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).json()) as {
      data: { result: { value: [number, string] }[] };
    };
    const weight = body.data.result[0] ? Number(body.data.result[0].value[1]) : undefined;
    if (weight !== undefined) canary = { inProgress: weight > 0, weight };
  } catch {
    canary = undefined;
  }
  const periods = [...new Set(appNames.flatMap((s) => apps[s].slos.map((slo) => slo.periodDays)))];
  return {
    source: 'prometheus',
    window: `each SLO's ${periods.join('/')}-day period, as the alerts use (as far back as Prometheus has data)`,
    services,
    canary,
  };
}
