import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps, http, httpDurationBuckets } from '@homelab/platform';
import { findBinary, freePort, realServersRequired } from '@homelab/test-servers';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { StatusPage } from '../views/status.tsx';
import { statusFromPrometheus } from './slo-status.ts';

const prometheus = findBinary('prometheus', ['/usr/bin']);

/** A prom-client endpoint with the services' metric names, standing in for one service's /metrics. */
async function fakeService() {
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
    for (let i = 0; i < times; i++) {
      total.labels('GET', route, status).inc();
      duration.labels('GET', route, status).observe(seconds);
    }
  };
  const server = createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { serve, server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * The status page's numbers against a real Prometheus scraping prom-client endpoints that stand in for the API
 * and the web app, with known traffic. Every series is born after Prometheus started, as a route's first request
 * after start-up is: the case that showed "no traffic" for web after it had served pages.
 */
describe.runIf(prometheus || realServersRequired())('status from a real Prometheus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-prom-'));
  let child: ChildProcess | undefined;
  const servers: Server[] = [];
  afterAll(async () => {
    child?.kill('SIGTERM');
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts whole requests of new series, leaves probes out, and says what an overspent budget means', async () => {
    if (!prometheus) throw new Error('CI requires prometheus: apt-get install prometheus');
    const api = await fakeService();
    const web = await fakeService();
    servers.push(api.server, web.server);
    const port = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s }',
        'scrape_configs:',
        `  - { job_name: api, static_configs: [{ targets: ["${api.address}"] }] }`,
        `  - { job_name: web, static_configs: [{ targets: ["${web.address}"] }] }`,
        '',
      ].join('\n'),
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
    const scrapedQuery = `${url}/api/v1/query?query=${encodeURIComponent('count(up{job=~"api|web"} == 1) == 2')}`;
    const scrapedTwice = async () => {
      for (let i = 0; i < 150; i++) {
        const body = (await fetch(scrapedQuery)
          .then((r) => r.json())
          .catch(() => undefined)) as { data?: { result: unknown[] } } | undefined;
        if (body?.data?.result.length) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('Prometheus never scraped both targets');
    };
    await scrapedTwice();
    // Known traffic, all on series that did not exist at the first scrape.
    web.serve('/notes', '200', 0.02, 40);
    web.serve(http.paths.readiness, '503', 0.001, 100); // probes never count
    web.serve(http.paths.metrics, '200', 0.001, 100); // nor scrapes
    api.serve('/v1/notes', '200', 0.01, 180);
    api.serve('/v1/notes', '500', 0.01, 10);
    api.serve('/v1/notes', '200', 1, 10); // slower than the API's latency threshold
    // Let several scrapes see the values (waiting for data, not asserting on time).
    await new Promise((r) => setTimeout(r, 4_000));

    const status = await statusFromPrometheus(url);
    const webAvailability = status.services.find((s) => s.service === 'web')?.slos[0];
    const [availability, latency] = status.services.find((s) => s.service === 'api')?.slos ?? [];
    expect(availability?.slo).toBe(apps.api.slos[0]);

    // Web served pages: it has traffic, whole requests, about the 40 it served (increase() extrapolates to
    // the window's edges, so the estimate runs a little over; never the 240 that counting probes would give).
    expect(webAvailability?.errorRatio).toBe(0);
    expect(Number.isInteger(webAvailability?.requests)).toBe(true);
    expect(webAvailability?.requests).toBeGreaterThanOrEqual(40);
    expect(webAvailability?.requests).toBeLessThan(60);
    expect(webAvailability?.estimated).toBe(true);

    expect(Number.isInteger(availability?.requests)).toBe(true);
    expect(availability?.requests).toBeGreaterThanOrEqual(200);
    expect(availability?.requests).toBeLessThan(300);
    expect(availability?.errorRatio).toBeCloseTo(0.05, 2);
    expect(latency?.errorRatio).toBeCloseTo(0.05, 2);
    // 5 % errors against a 0.1 % budget: 50x overspent.
    expect(availability?.budgetLeft).toBeCloseTo(1 - 0.05 / (1 - apps.api.slos[0].objective), 0);

    const html = String(await StatusPage({ status }).toString());
    expect(html).toMatch(/exhausted: errors at 50\.\d× the allowed share/);
    expect(html).not.toMatch(/-\d[\d.]* %/); // no bare negative percentage
    expect(html).not.toMatch(/\d\.\d{4,}/); // no raw floats
    expect(html).toMatch(/≈ \d+ requests/);
    expect(html).toContain('30-day period');
  }, 60_000);
});
