import { z } from 'zod';
import type { Counts, VersionReading } from '../engine/counts.ts';
import type { MetricSource } from './metric-source.ts';
import { countedRouteMatcher, serverErrorMatcher } from './sli.ts';

export interface PrometheusSourceOptions {
  /** e.g. http://127.0.0.1:9090 */
  readonly url: string;
  /** Selects the app's own series, e.g. `job=~"(homelab-apps/)?api"`. */
  readonly selector: string;
  /** The label that tells the tracks apart: `track` locally, `homelab_dev_track` from the PodMonitor. */
  readonly trackLabel: string;
  readonly latencyThresholdSeconds: number;
  readonly timeoutMs?: number;
}

const vectorResponse = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
  }),
});

/**
 * The raw counters by instance, through the HTTP API's instant queries. Deliberately not `increase()`: that
 * extrapolates to the window edges and returns fractions; the gate differences exact counter values itself.
 */
export function prometheusSource(options: PrometheusSourceOptions): MetricSource {
  const timeoutMs = options.timeoutMs ?? 5000;
  const query = async (promql: string): Promise<Map<string, number>> => {
    const url = new URL('/api/v1/query', options.url);
    url.searchParams.set('query', promql);
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`prometheus ${url.origin}: HTTP ${response.status} for ${promql}`);
    const parsed = vectorResponse.parse(await response.json());
    return new Map(parsed.data.result.map((r) => [r.metric.instance ?? '', Number(r.value[1])]));
  };
  const le = String(options.latencyThresholdSeconds);
  const readTrack = async (track: string): Promise<VersionReading | undefined> => {
    const base = `${options.selector},${options.trackLabel}="${track}",${countedRouteMatcher}`;
    const [requests, errors, count, fast] = await Promise.all([
      query(`sum by (instance) (http_requests_total{${base}})`),
      query(`sum by (instance) (http_requests_total{${base},${serverErrorMatcher}})`),
      query(`sum by (instance) (http_request_duration_seconds_count{${base}})`),
      query(`sum by (instance) (http_request_duration_seconds_bucket{${base},le="${le}"})`),
    ]);
    if (requests.size === 0) return undefined;
    const reading: Record<string, Counts> = {};
    for (const [instance, n] of requests) {
      reading[instance] = {
        requests: n,
        // No 5xx series yet means no server errors, not missing data.
        errors: errors.get(instance) ?? 0,
        slow: Math.max(0, (count.get(instance) ?? 0) - (fast.get(instance) ?? 0)),
      };
    }
    return reading;
  };
  return {
    description: `Prometheus ${options.url}`,
    async read() {
      const [canary, stable] = await Promise.all([readTrack('canary'), readTrack('stable')]);
      return { canary, stable };
    },
  };
}
