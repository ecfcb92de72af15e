import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Counts, VersionReading } from '../engine/counts.ts';
import type { MetricSource } from './metric-source.ts';
import { countsRoute, isServerError } from './sli.ts';

export interface ScrapeSourceOptions {
  /** Each version's processes: their /metrics URLs. */
  readonly canary: readonly string[];
  readonly stable: readonly string[];
  /** The latency SLO threshold: must be a bucket boundary of `http_request_duration_seconds`. */
  readonly latencyThresholdSeconds: number;
  /** Per scrape; a slow or dead process is a missing reading, not a failure. Default 2000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Counts from Prometheus' text format as the service kit exposes it: requests and server errors from
 * `http_requests_total`, slow requests as the histogram's count minus its bucket `le` = threshold. Only routes
 * that count (sli.ts) are summed. Returns undefined when the families are absent.
 */
export function countsFromExposition(text: string, latencyThresholdSeconds: number): Counts | undefined {
  const families = parsePrometheusTextFormat(text);
  const requestsFamily = families.find((f) => f.name === 'http_requests_total');
  const histogram = families.find((f) => f.name === 'http_request_duration_seconds');
  if (!requestsFamily) return undefined;
  let requests = 0;
  let errors = 0;
  for (const sample of requestsFamily.metrics) {
    if (!countsRoute(sample.labels?.route)) continue;
    const value = Number(sample.value ?? 0);
    requests += value;
    if (isServerError(sample.labels?.status)) errors += value;
  }
  let slow = 0;
  for (const sample of histogram?.metrics ?? []) {
    if (!countsRoute(sample.labels?.route)) continue;
    const buckets = sample.buckets ?? {};
    const key = Object.keys(buckets).find((le) => Number(le) === latencyThresholdSeconds);
    if (key === undefined) {
      throw new Error(
        `http_request_duration_seconds has no bucket le=${latencyThresholdSeconds}: the SLO threshold must be one`,
      );
    }
    slow += Number(sample.count ?? 0) - Number(buckets[key] ?? 0);
  }
  return { requests, errors, slow };
}

/** Reads every process' /metrics directly: the local platform without Prometheus. */
export function scrapeSource(options: ScrapeSourceOptions): MetricSource {
  const timeoutMs = options.timeoutMs ?? 2000;
  const readVersion = async (urls: readonly string[]): Promise<VersionReading | undefined> => {
    const entries = await Promise.all(
      urls.map(async (url) => {
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
          if (!response.ok) return undefined;
          const counts = countsFromExposition(await response.text(), options.latencyThresholdSeconds);
          return counts ? ([url, counts] as const) : undefined;
        } catch (error) {
          if ((error as Error).message.includes('no bucket')) throw error;
          return undefined;
        }
      }),
    );
    const present = entries.filter((e) => e !== undefined);
    return present.length > 0 ? Object.fromEntries(present) : undefined;
  };
  return {
    description: `scraping ${[...options.stable, ...options.canary].join(', ')}`,
    async read() {
      const [canary, stable] = await Promise.all([readVersion(options.canary), readVersion(options.stable)]);
      return { canary, stable };
    },
  };
}
