import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appNames, apps, http, httpDurationBuckets, local, shutdown, versions } from './index.ts';

describe('the platform source of truth', () => {
  it('puts every latency threshold on a histogram bucket boundary', () => {
    for (const name of appNames) {
      for (const slo of apps[name].slos) {
        if (slo.kind !== 'latency') continue;
        expect(httpDurationBuckets, `${name}/${slo.name}`).toContain(slo.thresholdSeconds);
      }
    }
  });

  it('keeps buckets strictly increasing', () => {
    const sorted = [...httpDurationBuckets].sort((a, b) => a - b);
    expect(httpDurationBuckets).toEqual(sorted);
    expect(new Set(httpDurationBuckets).size).toBe(httpDurationBuckets.length);
  });

  it('orders keep-alive timeouts proxy < keepAlive < headers', () => {
    const { proxyIdleTimeoutSeconds, serverKeepAliveTimeoutMs, serverHeadersTimeoutMs } = http.keepAlive;
    expect(proxyIdleTimeoutSeconds * 1000).toBeLessThan(serverKeepAliveTimeoutMs);
    expect(serverKeepAliveTimeoutMs).toBeLessThan(serverHeadersTimeoutMs);
  });

  it('gives the grace period room for preStop plus the drain', () => {
    expect(shutdown.terminationGracePeriodSeconds).toBeGreaterThan(shutdown.preStopSeconds + shutdown.drainSeconds);
  });

  it('uses a distinct port for every local process', () => {
    const ports = [...appNames.map((n) => apps[n].port), local.prometheusPort, local.canaryApiPort];
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('keeps at least two replicas of every stateless app and objectives that are ratios', () => {
    for (const name of appNames) {
      expect(apps[name].replicas.min).toBeGreaterThanOrEqual(2);
      expect(apps[name].replicas.max).toBeGreaterThanOrEqual(apps[name].replicas.min);
      for (const slo of apps[name].slos) {
        expect(slo.objective).toBeGreaterThan(0.9);
        expect(slo.objective).toBeLessThan(1);
      }
    }
  });

  it('pins a Node version that satisfies the engines field', async () => {
    const { engines } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    // `>=22.12`: the one form the root package.json uses (bootstrap.sh reads its major the same way).
    const minimum = /^>=(\d+)\.(\d+)/.exec(engines.node);
    expect(minimum, engines.node).not.toBeNull();
    const [major, minor] = versions.tools.node.split('.').map(Number) as [number, number];
    const [minMajor, minMinor] = [Number(minimum?.[1]), Number(minimum?.[2])];
    expect(
      major > minMajor || (major === minMajor && minor >= minMinor),
      `${versions.tools.node} vs ${engines.node}`,
    ).toBe(true);
  });
});
