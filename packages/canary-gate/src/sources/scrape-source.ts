import type { Counts, VersionReading } from '../engine/counts.ts';
import { parseSamples } from './exposition.ts';
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
  const samples = parseSamples(
    text,
    new Set(['http_requests_total', 'http_request_duration_seconds_bucket', 'http_request_duration_seconds_count']),
  );
  if (!samples.some((s) => s.name === 'http_requests_total')) return undefined;
  let requests = 0;
  let errors = 0;
  let count = 0;
  let fast = 0;
  let thresholdSeen = false;
  for (const { name, labels, value } of samples) {
    if (!countsRoute(labels.route)) continue;
    if (name === 'http_requests_total') {
      requests += value;
      if (isServerError(labels.status)) errors += value;
    } else if (name === 'http_request_duration_seconds_count') {
      count += value;
    } else if (Number(labels.le) === latencyThresholdSeconds) {
      thresholdSeen = true;
      fast += value;
    }
  }
  if (count > 0 && !thresholdSeen) {
    throw new Error(
      `http_request_duration_seconds has no bucket le=${latencyThresholdSeconds}: the SLO threshold must be one`,
    );
  }
  return { requests, errors, slow: Math.max(0, count - fast) };
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
