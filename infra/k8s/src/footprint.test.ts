import { apps, footprintBudget } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { budgetedGroups, cpuMillis, footprint, footprintAtPeak, memoryMiB, totals, withinBudget } from './footprint.ts';
import { loadManifests } from './manifests.ts';

const objects = loadManifests();
const rows = footprint(objects);

describe('footprint', () => {
  it('parses quantities', () => {
    expect(cpuMillis('50m')).toBe(50);
    expect(cpuMillis('1.5')).toBe(1500);
    expect(memoryMiB('96Mi')).toBe(96);
    expect(memoryMiB('2Gi')).toBe(2048);
    expect(memoryMiB('1024Ki')).toBe(1);
    expect(() => memoryMiB('5Xi')).toThrow(/Xi/);
  });

  it('counts HPA-owned apps at minReplicas and canaries at zero', () => {
    const api = rows.find((r) => r.workload === 'Deployment/api');
    expect(api?.replicas).toBe(apps.api.replicas.min);
    expect(api?.cpuMillis).toBe(cpuMillis(apps.api.resources.cpuRequest));
    expect(rows.find((r) => r.workload === 'Deployment/api-canary')?.replicas).toBe(0);
    expect(rows.some((r) => r.group === 'edge' && r.workload.startsWith('envoy/'))).toBe(true);
    expect(rows.some((r) => r.group === 'add-ons')).toBe(true);
  });

  it('fits apps + data + edge into one mini PC share (1 CPU, 2 GiB requested)', () => {
    const t = totals(rows, budgetedGroups);
    expect(t.cpuMillis).toBeLessThanOrEqual(footprintBudget.cpuMillis);
    expect(t.memoryMiB).toBeLessThanOrEqual(footprintBudget.memoryMiB);
    expect(withinBudget(rows)).toBe(true);
  });

  it('notices a platform that no longer fits', () => {
    const bigger = rows.map((r) => (r.workload === 'StatefulSet/postgres' ? { ...r, memoryMiB: 4096 } : r));
    expect(withinBudget(bigger)).toBe(false);
  });

  it('counts the peak: HPA maximum plus the rollout surge, one canary, every Job once', () => {
    const peak = footprintAtPeak(objects);
    const replicas = (w: string) => peak.find((r) => r.workload === w)?.replicas;
    expect(replicas('Deployment/api')).toBe(apps.api.replicas.max + 1);
    expect(replicas('Deployment/api-canary')).toBe(Math.max(1, apps.api.replicas.min - 1));
    expect(replicas('Job/postgres-restore')).toBe(1);
    expect(replicas('CronJob/postgres-backup')).toBe(1);
    expect(replicas('StatefulSet/postgres')).toBe(1);
  });
});
