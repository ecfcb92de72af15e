import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps, httpDurationBuckets } from '@homelab/platform';
import { findBinary, freePort, realServersRequired } from '@homelab/test-servers';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { statusFromPrometheus } from './slo-status.ts';

const prometheus = findBinary('prometheus', ['/usr/bin']);

/**
 * The status page's PromQL against a real Prometheus scraping a prom-client endpoint that pretends to be the
 * API: proves the queries parse, select by job, skip probes and turn into the same ratios.
 */
describe.runIf(prometheus || realServersRequired())('status from a real Prometheus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-prom-'));
  let child: ChildProcess | undefined;
  let server: Server | undefined;
  afterAll(async () => {
    child?.kill('SIGTERM');
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads error ratio and budget left per SLO', async () => {
    if (!prometheus) throw new Error('CI requires prometheus: apt-get install prometheus');
    const registry = new Registry();
    const labelNames = ['method', 'route', 'status'] as const;
    const total = new Counter({ name: 'http_requests_total', help: 'h', labelNames, registers: [registry] });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'h',
      labelNames,
      buckets: [...httpDurationBuckets],
      registers: [registry],
    });
    const serve = (route: string, status: string, seconds: number, times: number) => {
      total.labels('GET', route, status).inc(0);
      if (times === 0) duration.zero({ method: 'GET', route, status });
      for (let i = 0; i < times; i++) {
        total.labels('GET', route, status).inc();
        duration.labels('GET', route, status).observe(seconds);
      }
    };
    // Every series exists from the first scrape (increase() cannot see a series' first value).
    serve('/v1/notes', '200', 0.01, 1);
    serve('/v1/notes', '500', 0.01, 0);
    serve('/v1/notes', '200', 1, 0);
    serve('/readyz', '503', 0.001, 0);
    server = createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const port = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: api\n    static_configs: [{ targets: ["${target}"] }]\n`,
    );
    child = spawn(
      prometheus,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const url = `http://127.0.0.1:${port}`;
    const upQuery = `${url}/api/v1/query?query=${encodeURIComponent('count(count_over_time(http_requests_total{job="api"}[1m]))')}`;
    const waitForScrapes = async () => {
      for (let i = 0; i < 100; i++) {
        const body = (await fetch(upQuery)
          .then((r) => r.json())
          .catch(() => undefined)) as { data?: { result: unknown[] } } | undefined;
        if (body?.data?.result.length) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('Prometheus never scraped the target');
    };
    await waitForScrapes();
    await new Promise((r) => setTimeout(r, 1_200));
    serve('/v1/notes', '200', 0.01, 90);
    serve('/v1/notes', '500', 0.01, 5);
    serve('/v1/notes', '200', 1, 5); // slower than the API's latency threshold
    serve('/readyz', '503', 0.001, 100); // probes never count
    await new Promise((r) => setTimeout(r, 2_500));

    const status = await statusFromPrometheus(url);
    expect(status.source).toBe('prometheus');
    const api = status.services.find((s) => s.service === 'api');
    const [availability, latency] = api?.slos ?? [];
    expect(availability?.slo).toBe(apps.api.slos[0]);
    // increase() extrapolates to the window edges, so the totals are approximate; the ratios are exact.
    expect(availability?.errorRatio).toBeCloseTo(0.05, 2);
    expect(availability?.budgetLeft).toBeCloseTo(1 - 0.05 / 0.001, 0);
    expect(latency?.errorRatio).toBeCloseTo(0.05, 2);
    expect(status.services.find((s) => s.service === 'web')?.slos[0]?.errorRatio).toBeUndefined();
  }, 40_000);
});
