import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps, local } from '@homelab/platform';
import { findBinary, realServersRequired } from '@homelab/test-servers';
import { describe, expect, it } from 'vitest';
import { localPorts, platformProcesses } from './platform-processes.ts';
import { localPrometheusConfigText, minimalPrometheusConfig } from './prometheus-config.ts';

const secrets = {
  demoApiKey: 'k',
  jwtSecret: 'j'.repeat(48),
  adminToken: 'a'.repeat(24),
  sessionSecret: 's'.repeat(32),
  identityTokenSecret: 'i'.repeat(32),
  demoPassword: 'p'.repeat(22),
};
const base = { root: '/repo', dataDir: '/data', secrets, demoApiKeyHash: 'h'.repeat(64), demoIdentity: 'demo' };
const envOf = (list: ReturnType<typeof platformProcesses>, name: string) =>
  list.find((p) => p.name === name)?.env ?? {};

describe('local platform wiring', () => {
  it('--api-impl go runs the Go binary on the shared database, the canary as chosen (ADR 0135)', () => {
    const list = platformProcesses({
      ...base,
      apiImplementation: 'go',
      canaryImplementation: 'ts',
      canaryWeight: 50,
      goApiBinary: '/bin/api-go',
    });
    expect(list.map((p) => p.name)).toEqual(['database', 'api', 'api-canary', 'gateway', 'web']);
    const api = list.find((p) => p.name === 'api');
    expect(api?.command).toBe('/bin/api-go');
    expect(api?.args).toEqual([]);
    expect(envOf(list, 'api')).toMatchObject({ MIGRATE_ON_START: 'true' });
    expect(envOf(list, 'api').DATABASE_URL).toBe(envOf(list, 'api-canary').DATABASE_URL);
    expect(list.find((p) => p.name === 'api-canary')?.args).toEqual(['/repo/apps/api/src/main.ts']);
    expect(() => platformProcesses({ ...base, apiImplementation: 'go' })).toThrow(/Go API binary is required/);
  });

  it('runs on embedded defaults with the platform ports and keeps PGlite under the data directory', () => {
    const list = platformProcesses(base);
    expect(list.map((p) => p.name)).toEqual(['api', 'gateway', 'web']);
    expect(envOf(list, 'api')).toMatchObject({ PORT: String(apps.api.port), PGLITE_DATA_DIR: '/data/api/pglite' });
    expect(envOf(list, 'api').DATABASE_URL).toBeUndefined();
    // PGlite in the API's heap is a whole PostgreSQL: the container's memory limit would OOMKill its first start.
    expect(list.find((p) => p.name === 'api')?.resources).toBeUndefined();
    expect(envOf(list, 'gateway')).toMatchObject({
      API_URL: `http://127.0.0.1:${apps.api.port}`,
      API_KEYS: `demo:${'h'.repeat(64)}`,
    });
    expect(envOf(list, 'gateway').REDIS_URL).toBeUndefined();
    expect(envOf(list, 'web').REDIS_URL).toBeUndefined();
    expect(envOf(list, 'web')).toMatchObject({
      GATEWAY_URL: `http://127.0.0.1:${apps.gateway.port}`,
      JWT_SECRET: secrets.jwtSecret,
    });
    expect(envOf(list, 'gateway').JWT_SECRET).toBe(envOf(list, 'web').JWT_SECRET);
  });

  it('wires real PostgreSQL and Redis, a weighted canary and a port offset', () => {
    const list = platformProcesses({
      ...base,
      databaseUrl: 'postgres://db/notes',
      redisUrl: 'redis://cache:6379',
      canaryWeight: 25,
      prometheusUrl: 'http://127.0.0.1:9090',
      portOffset: 100,
    });
    const ports = localPorts(100);
    expect(ports.canaryApi).toBe(local.canaryApiPort + 100);
    expect(envOf(list, 'api')).toMatchObject({
      DATABASE_URL: 'postgres://db/notes',
      MIGRATE_ON_START: 'true',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(list.find((p) => p.name === 'api')?.resources).toEqual(apps.api.resources);
    expect(envOf(list, 'api-canary')).toMatchObject({ PORT: String(ports.canaryApi), SERVICE_VERSION: 'canary' });
    expect(envOf(list, 'gateway')).toMatchObject({
      CANARY_URL: `http://127.0.0.1:${ports.canaryApi}`,
      CANARY_WEIGHT: '25',
      REDIS_URL: 'redis://cache:6379',
    });
    // Sign-out revocations shared with any other web process on the same Redis (ADR 0121).
    expect(envOf(list, 'web')).toMatchObject({
      PROMETHEUS_URL: 'http://127.0.0.1:9090',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(envOf(list, 'web').METRICS_TARGETS).toContain(`api-canary=http://127.0.0.1:${ports.canaryApi}`);
  });
});

const promtool = findBinary('promtool');
describe.runIf(promtool || realServersRequired())('local Prometheus configuration', () => {
  it('passes promtool check config', () => {
    if (!promtool) throw new Error('CI requires promtool: apt-get install prometheus');
    const dir = mkdtempSync(join(tmpdir(), 'cli-prom-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(
        file,
        minimalPrometheusConfig([
          { job: 'api', port: 3002, track: 'stable' },
          { job: 'api', port: 3012, track: 'canary' },
        ]),
      );
      expect(execFileSync(promtool, ['check', 'config', file]).toString()).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads the observability package's configuration and rules, and promtool accepts them", async () => {
    if (!promtool) throw new Error('CI requires promtool: apt-get install prometheus');
    const dir = mkdtempSync(join(tmpdir(), 'cli-prom-'));
    try {
      const { text, source } = await localPrometheusConfigText([{ job: 'api', port: 3002, track: 'stable' }], dir);
      expect(source).toBe('observability');
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, text);
      const checked = execFileSync(promtool, ['check', 'config', file]).toString();
      expect(checked).toContain('SUCCESS');
      expect(checked).toMatch(/rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
