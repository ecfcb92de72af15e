import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps, errorBudget, http } from '@homelab/platform';
import { findBinary, freePort } from '@homelab/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createLogger, createMetrics, createServiceApp } from '../../packages/service-kit/src/index.ts';
import { findPromtool, runPromtool } from '../testing/promtool.ts';
import { toolAvailable } from '../testing/required-tool.ts';
import { localPrometheusConfig, writeLocalPrometheusFiles } from './local-prometheus.ts';
import { prometheusRules } from './prometheus-rules.ts';

const scratch = mkdtempSync(join(tmpdir(), 'homelab-local-prometheus-'));
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe('local Prometheus files', () => {
  it('scrape every target /metrics every 5 s, grouped by job, and load every rule file', async () => {
    const dir = join(scratch, 'files');
    const { configFile, ruleFiles } = await writeLocalPrometheusFiles(dir, [
      { job: 'api', address: '127.0.0.1:3002' },
      { job: 'api', address: '127.0.0.1:3012', labels: { track: 'canary' } },
      { job: 'web', address: '127.0.0.1:3000' },
    ]);
    const config = parse(readFileSync(configFile, 'utf8'));
    expect(config.global.scrape_interval).toBe('5s');
    expect(config.scrape_configs.map((s: { job_name: string }) => s.job_name)).toEqual(['api', 'web']);
    expect(config.scrape_configs[0].metrics_path).toBe(http.paths.metrics);
    expect(config.scrape_configs[0].static_configs).toHaveLength(2);
    expect(config.rule_files).toEqual(ruleFiles);
    expect(ruleFiles).toHaveLength(prometheusRules().length);
  });

  it('offer the shape `homelab up --prometheus` calls, writing the same rule files', () => {
    const dir = join(scratch, 'cli');
    const text = localPrometheusConfig({ dir, targets: [{ job: 'api', port: apps.api.port, track: 'stable' }] });
    const config = parse(text);
    expect(config.scrape_configs[0].static_configs[0]).toEqual({
      targets: [`127.0.0.1:${apps.api.port}`],
      labels: { service: 'api', track: 'stable' },
    });
    for (const file of config.rule_files) expect(readFileSync(join(dir, file), 'utf8')).toContain('groups:');
  });

  it('take a shorter interval for drills, scrape and rule evaluation alike', () => {
    const text = localPrometheusConfig({ dir: join(scratch, 'drill'), targets: [], intervalSeconds: 1 });
    expect(parse(text).global).toEqual({ scrape_interval: '1s', evaluation_interval: '1s' });
  });

  it.runIf(toolAvailable('promtool', findPromtool()))('pass promtool check config', async () => {
    const dir = join(scratch, 'check');
    await writeLocalPrometheusFiles(dir, [{ job: 'api', address: '127.0.0.1:3002' }]);
    const result = await runPromtool(['check', 'config', 'prometheus.yml'], dir);
    expect(result.code, result.output).toBe(0);
  });
});

const prometheusBinary = findBinary('prometheus', ['/usr/bin']);

async function poll<T>(what: string, fetchValue: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fetchValue().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe.runIf(toolAvailable('prometheus', prometheusBinary))('the real Prometheus started on those files', () => {
  it('loads every rule group, scrapes a real service and evaluates the SLO rules', { timeout: 90_000 }, async () => {
    // A real service-kit app behind a real socket: what `homelab up` runs.
    const kit = createServiceApp({
      service: 'api',
      logger: createLogger({ service: 'api', version: 'test', level: 'silent' }),
      metrics: createMetrics({ service: 'api', version: 'test', commit: 'test' }),
    });
    const server: Server = createServer(async (req, res) => {
      const response = await kit.app.request(req.url ?? '/');
      res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'text/plain' });
      res.end(await response.text());
    });
    const appPort = await freePort();
    await new Promise<void>((resolve) => server.listen(appPort, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const dir = join(scratch, 'live');
    const { configFile } = await writeLocalPrometheusFiles(dir, [{ job: 'api', address: `127.0.0.1:${appPort}` }]);
    const port = await freePort();
    const prometheus: ChildProcess = spawn(
      prometheusBinary ?? 'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          if (prometheus.exitCode !== null) return resolve();
          prometheus.once('exit', () => resolve());
          prometheus.kill('SIGTERM');
        }),
    );
    const api = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return response.ok
        ? ((await response.json()) as { data: Record<string, unknown> & { result?: unknown[] } })
        : undefined;
    };

    const groups = await poll('rule groups', async () => {
      const body = await api('/api/v1/rules');
      const loaded = (body?.data.groups as Array<{ name: string }> | undefined)?.map((g) => g.name);
      return loaded && loaded.length > 0 ? loaded : undefined;
    });
    expect(groups.sort()).toEqual(
      prometheusRules()
        .flatMap((s) => s.groups.map((g) => g.name))
        .sort(),
    );

    const up = await poll('the api target to be scraped', async () => {
      const body = await api(`/api/v1/query?query=${encodeURIComponent('up{job="api"}')}`);
      return (body?.data.result as Array<{ value: [number, string] }> | undefined)?.[0]?.value[1];
    });
    expect(up).toBe('1');

    const budget = await poll('the SLO meta rules to be evaluated', async () => {
      const query = 'slo:error_budget:ratio{service="api",slo="availability"}';
      const body = await api(`/api/v1/query?query=${encodeURIComponent(query)}`);
      return (body?.data.result as Array<{ value: [number, string] }> | undefined)?.[0]?.value[1];
    });
    const availability = apps.api.slos.find((s) => s.kind === 'availability');
    expect(Number(budget)).toBeCloseTo(availability ? errorBudget(availability) : Number.NaN, 9);
  });
});
