import { canaryGate, httpDurationBuckets } from '@homelab/platform';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createCountedHistogram, type TimingSeries } from './counted-histogram.ts';

export interface MetricsOptions {
  readonly service: string;
  readonly version: string;
  readonly commit: string;
}

/** Methods outside this set are counted as `other`, so random methods cannot grow the label set. */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface ServiceMetrics {
  /** The app's own registry: never prom-client's global one, so two apps in one process stay apart. */
  readonly registry: Registry;
  readonly httpRequestsInFlight: Gauge;
  readonly buildInfo: Gauge<'version' | 'commit'>;
  /** In-flight bookkeeping for `http_requests_in_flight` (a plain counter read at scrape time). */
  requestStarted(): void;
  requestFinished(): void;
  /**
   * Counts one finished request in `http_requests_total` and `http_request_duration_seconds`. `synthetic`: the
   * canary gate's tagged load (ADR 0130), labelled `traffic="synthetic"` so user-facing SLOs can leave it out.
   */
  observeRequest(method: string, route: string, status: number, seconds: number, synthetic?: boolean): void;
}

export function createMetrics({ service, version, commit }: MetricsOptions): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const red = createCountedHistogram({
    registry,
    counter: {
      name: 'http_requests_total',
      help: `HTTP requests answered by ${service}, by method, matched route pattern and status`,
    },
    histogram: {
      name: 'http_request_duration_seconds',
      help: `Time from request to response in ${service}; buckets include every latency SLO threshold`,
    },
    labelNames: ['method', 'route', 'status', canaryGate.synthetic.label],
    buckets: httpDurationBuckets,
  });
  // Counted in a plain number and read at scrape time: no prom-client call on the request path.
  let inFlight = 0;
  const httpRequestsInFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests being handled right now',
    registers: [registry],
    collect() {
      this.set(inFlight);
    },
  });
  const buildInfo = new Gauge({
    name: 'build_info',
    help: 'Always 1; the labels tell which build (stable or canary) is running',
    labelNames: ['version', 'commit'] as const,
    registers: [registry],
  });
  buildInfo.labels(version, commit).set(1);

  // One series per label combination, found by a Map lookup; the observation itself is a few additions.
  const children = new Map<string, TimingSeries>();
  const observeRequest = (method: string, route: string, status: number, seconds: number, synthetic = false) => {
    const m = knownMethods.has(method) ? method : 'other';
    const key = synthetic ? `${m} ${status} ${route} s` : `${m} ${status} ${route}`;
    let child = children.get(key);
    if (child === undefined) {
      child = red.series(m, route, String(status), synthetic ? canaryGate.synthetic.labelValue : '');
      children.set(key, child);
    }
    child.observe(seconds);
  };
  return {
    registry,
    httpRequestsInFlight,
    buildInfo,
    observeRequest,
    requestStarted: () => {
      inFlight++;
    },
    requestFinished: () => {
      inFlight--;
    },
  };
}
