import { data, dataWorkloads } from '@homelab/platform';
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { validateAll } from '../../test/schema-validation.ts';
import { Postgres } from './postgres.ts';
import { Redis } from './redis.ts';

// biome-ignore lint/suspicious/noExplicitAny: synthesized objects are untyped JSON.
const objectsOf = (chart: Chart): any[] => Testing.synth(chart);

describe('SingleInstanceStore', () => {
  it('exposes what clients connect to: the Service host in its chart namespace, the URL and its pods as a peer', () => {
    const chart = new Chart(new App(), 'data', { namespace: 'somewhere' });
    const redis = new Redis(chart, 'redis');
    expect(redis.serviceHost).toBe('redis.somewhere.svc.cluster.local');
    expect(redis.clientUrl).toBe(`redis://redis.somewhere.svc.cluster.local:${data.redis.port}`);
    expect(redis.pods).toEqual({ kind: 'pods', name: 'redis', namespace: 'somewhere', labels: redis.podLabels });
    const service = objectsOf(chart).find((o) => o.kind === 'Service');
    expect(service.metadata.name).toBe(redis.serviceName);
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([redis.port, redis.exporterPort]);
  });

  it('refuses a chart without a namespace, whose Service host it could not name', () => {
    expect(() => new Postgres(new Chart(new App(), 'cluster'), 'postgres')).toThrow(
      /postgres: its pods need a chart with a namespace/,
    );
  });

  it('builds one valid StatefulSet with the store and its exporter, the data claim mounted first', () => {
    const chart = new Chart(new App(), 'data', { namespace: 'homelab-data' });
    new Postgres(chart, 'postgres', { storageClass: 'standard' });
    const objects = objectsOf(chart);
    expect(validateAll(objects)).toEqual([]);
    const set = objects.find((o) => o.kind === 'StatefulSet');
    const [store, exporter] = set.spec.template.spec.containers;
    expect(store.volumeMounts[0]).toEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
    expect(exporter.ports[0].containerPort).toBe(dataWorkloads.postgres.exporterPort);
    expect(set.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('standard');
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });
});
