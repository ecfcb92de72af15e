import { Writable } from 'node:stream';
// Reading the apps' real /metrics output is the point (no copied list of names to drift). This check lives above
// both observability and the apps, so neither package depends on the other.
import { createApp as createApi } from '@homelab/api';
import { createApp as createGateway, createMemoryRateLimiter } from '@homelab/gateway';
import { createLogger, createMetrics, createServiceApp } from '@homelab/service-kit';

const silentLogger = (service: string) =>
  createLogger({ service, version: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });

/** Metric names in Prometheus text exposition, with the series names a histogram or summary expands to. */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/**
 * Builds the three services' real apps (no ports: `app.request`), sends each a request so the labelled series
 * exist, and returns every metric name their /metrics answers.
 */
export async function appMetricNames(): Promise<Set<string>> {
  const texts: string[] = [];

  const web = createServiceApp({
    service: 'web',
    logger: silentLogger('web'),
    metrics: createMetrics({ service: 'web', version: 'test', commit: 'test' }),
  });
  await web.app.request('/healthz');
  texts.push(await (await web.app.request('/metrics')).text());

  const unavailable = async () => {
    throw new Error('not connected in this test');
  };
  const api = createApi({
    logger: silentLogger('api'),
    metrics: createMetrics({ service: 'api', version: 'test', commit: 'test' }),
    db: {
      kind: 'none',
      query: unavailable,
      transaction: unavailable,
      exec: unavailable,
      ping: unavailable,
      close: async () => {},
    },
    cache: { kind: 'none', get: unavailable, set: unavailable, delete: unavailable, close: async () => {} },
    identitySecret: 'metric-names-only-identity-secret-0123456789',
  });
  await api.app.request('/healthz');
  texts.push(await (await api.app.request('/metrics')).text());

  const gateway = createGateway({
    logger: silentLogger('gateway'),
    metrics: createMetrics({ service: 'gateway', version: 'test', commit: 'test' }),
    // A closed port: the proxied request fails fast and still counts in the upstream series.
    upstreams: [{ name: 'stable', url: 'http://127.0.0.1:9', version: 'test', weight: 100 }],
    verifyApiKey: () => 'tester',
    limiter: createMemoryRateLimiter({ capacity: 10, refillPerSecond: 1 }),
    signIdentity: () => 'unsigned-metric-names-only',
    webOrigin: 'http://127.0.0.1',
  });
  await gateway.app.request('/healthz');
  texts.push(await (await gateway.app.request('/metrics')).text());

  return new Set(texts.flatMap((text) => [...exposedNames(text)]));
}
