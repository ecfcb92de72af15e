import { httpDurationBuckets } from '@homelab/platform';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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
  readonly httpRequestsTotal: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly httpRequestsInFlight: Gauge;
  readonly buildInfo: Gauge<'version' | 'commit'>;
  /** In-flight bookkeeping for `http_requests_in_flight` (a plain counter read at scrape time). */
  requestStarted(): void;
  requestFinished(): void;
  /** Counts one finished request in both RED series; the per-label children are cached after first use. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics({ service, version, commit }: MetricsOptions): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const httpRequestsTotal = new Counter({
    name: 'http_requests_total',
    help: `HTTP requests answered by ${service}, by method, matched route pattern and status`,
    labelNames,
    registers: [registry],
  });
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: `Time from request to response in ${service}; buckets include every latency SLO threshold`,
    labelNames,
    buckets: [...httpDurationBuckets],
    registers: [registry],
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

  // prom-client hashes the label object on every call; reusing one child per label combination keeps the hot
  // path to a Map lookup plus two increments.
  const children = new Map<
    string,
    { count: Counter.Internal; time: Histogram.Internal<'method' | 'route' | 'status'> }
  >();
  const observeRequest = (method: string, route: string, status: number, seconds: number) => {
    const m = knownMethods.has(method) ? method : 'other';
    const key = `${m} ${status} ${route}`;
    let child = children.get(key);
    if (child === undefined) {
      const s = String(status);
      child = { count: httpRequestsTotal.labels(m, route, s), time: httpRequestDuration.labels(m, route, s) };
      children.set(key, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  };
  return {
    registry,
    httpRequestsTotal,
    httpRequestDuration,
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
