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
    const major = Number(versions.tools.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(22);
  });
});
