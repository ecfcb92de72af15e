import { apps, httpDurationBuckets } from '@homelab/platform';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseMetricsText } from './metrics-text.ts';
import { canaryFromSamples, standing, standingsFromSamples } from './slo-status.ts';

async function apiMetricsText() {
  const registry = new Registry();
  const total = new Counter({
    name: 'http_requests_total',
    help: 'h',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'h',
    labelNames: ['method', 'route', 'status'],
    buckets: [...httpDurationBuckets],
    registers: [registry],
  });
  const weight = new Gauge({
    name: 'gateway_upstream_weight',
    help: 'h',
    labelNames: ['route', 'upstream', 'version'],
    registers: [registry],
  });
  const record = (route: string, status: string, seconds: number, times: number) => {
    for (let i = 0; i < times; i++) {
      total.labels('GET', route, status).inc();
      duration.labels('GET', route, status).observe(seconds);
    }
  };
  record('/v1/notes/:id', '200', 0.01, 990);
  record('/v1/notes/:id', '500', 0.01, 4);
  record('/v1/notes', '200', 0.4, 6); // slower than the API's 250 ms latency threshold
  record('/readyz', '503', 0.001, 50); // probes never count
  weight.labels('notes', 'canary', '1.1.0 "rc"').set(25);
  return registry.metrics();
}

describe('metrics text parser', () => {
  it("reads prom-client's exposition, including escaped label values", async () => {
    const samples = parseMetricsText(await apiMetricsText());
    const ok = samples.find(
      (s) => s.name === 'http_requests_total' && s.labels.route === '/v1/notes/:id' && s.labels.status === '200',
    );
    expect(ok?.value).toBe(990);
    const inf = samples.find(
      (s) =>
        s.name === 'http_request_duration_seconds_bucket' && s.labels.le === '+Inf' && s.labels.route === '/v1/notes',
    );
    expect(inf?.value).toBe(6);
    expect(canaryFromSamples(samples)).toEqual({ inProgress: true, weight: 25, version: '1.1.0 "rc"' });
  });
});

describe('SLO standings', () => {
  it('computes error ratio and budget left per SLO, excluding probe traffic', async () => {
    const [availability, latency] = standingsFromSamples('api', parseMetricsText(await apiMetricsText()));
    expect(availability?.requests).toBe(1000);
    expect(availability?.errorRatio).toBeCloseTo(0.004);
    // 0.4 % errors against a 0.1 % budget: overspent four times.
    expect(availability?.budgetLeft).toBeCloseTo(1 - 0.004 / (1 - apps.api.slos[0].objective));
    expect(latency?.errorRatio).toBeCloseTo(0.006);
    expect(latency?.budgetLeft).toBeCloseTo(1 - 0.006 / 0.01);
  });

  it('reports no traffic instead of a perfect score when nothing was served', () => {
    expect(standing(apps.web.slos[0], 0, 0)).toMatchObject({ errorRatio: undefined, budgetLeft: undefined });
  });
});
