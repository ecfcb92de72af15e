import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiImage, namespaces, storageClasses, tls } from '@homelab/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifests, objectId } from './manifests.ts';
import { buildPlatform } from './platform-app.ts';

const scratch = mkdtempSync(join(tmpdir(), 'homelab-platform-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const synthTo = (name: string, options: Omit<Parameters<typeof buildPlatform>[0], 'outdir'> = {}) => {
  const outdir = join(scratch, name);
  buildPlatform({ outdir, ...options }).synth();
  return loadManifests(outdir);
};

const clusterScoped = new Set(['Namespace', 'GatewayClass', 'ClusterIssuer']);

describe('the platform app', () => {
  const objects = synthTo('default');

  it('puts namespaced objects only in the platform namespaces and cluster-scoped ones in none', () => {
    const allowed = new Set<string>([...Object.values(namespaces), tls.certManagerNamespace]);
    for (const o of objects) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace, objectId(o)).toBeUndefined();
      else expect(allowed, objectId(o)).toContain(o.metadata.namespace);
    }
  });

  it('names every object once per kind and namespace', () => {
    const ids = objects.map(objectId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("uses k3s's storage class by default and kind's when asked", () => {
    const classes = (list: typeof objects) =>
      list.flatMap((o) => [
        ...(o.kind === 'PersistentVolumeClaim' ? [o.spec.storageClassName] : []),
        ...(o.spec?.volumeClaimTemplates ?? []).map(
          (t: { spec: { storageClassName: string } }) => t.spec.storageClassName,
        ),
      ]);
    expect(new Set(classes(objects))).toEqual(new Set([storageClasses.k3s]));
    expect(new Set(classes(synthTo('kind', { storageClass: storageClasses.kind })))).toEqual(
      new Set([storageClasses.kind]),
    );
  });

  it('adds the ACME issuer only when a real domain is configured', () => {
    const issuers = (list: typeof objects) =>
      list.filter((o) => o.kind === 'ClusterIssuer').map((o) => o.metadata.name);
    expect(issuers(objects)).not.toContain('letsencrypt-staging');
    const withAcme = synthTo('acme', {
      acme: { email: 'ops@example.org', dnsZone: 'example.org', cloudflareTokenSecret: 'cloudflare-token' },
    });
    expect(issuers(withAcme)).toContain('letsencrypt-staging');
  });
});

describe('the Go API as the implementation (ADR 0135)', () => {
  const objects = synthTo('api-go', { apiImplementation: 'go' });
  const containersOf = (kind: string, name: string) =>
    (
      objects.find((o) => o.kind === kind && o.metadata.name === name) as unknown as {
        spec: { template: { spec: { containers: { image: string; command?: string[] }[] } } };
      }
    ).spec.template.spec.containers;

  it('runs the api-go image in both tracks and migrates with its binary', () => {
    for (const name of ['api', 'api-canary']) expect(containersOf('Deployment', name)[0]?.image).toBe(apiImage('go'));
    const [job] = containersOf('Job', 'api-migration');
    expect(job?.image).toBe(apiImage('go'));
    expect(job?.command).toEqual(['/app/api', 'migrate']);
  });

  it('differs from the TypeScript api workload only in the image, so a deploy that swaps the image switches (ADR 0151)', () => {
    // The cluster driver applies only the canary's image: any other difference (a command, an env variable only
    // one implementation reads) would leave a switched canary running with the other implementation's settings.
    const withoutImage = (objs: typeof objects, name: string) =>
      JSON.stringify(
        objs.find((o) => o.kind === 'Deployment' && o.metadata.name === name),
        (key, value) => (key === 'image' ? undefined : value),
      );
    const ts = synthTo('api-ts', { apiImplementation: 'ts' });
    for (const name of ['api', 'api-canary']) {
      expect(withoutImage(objects, name)).toContain('"envFrom"');
      expect(withoutImage(objects, name)).toBe(withoutImage(ts, name));
      // No command: the container runs the image's entrypoint (node src/main.ts or /app/api).
      expect(containersOf('Deployment', name)[0]?.command).toBeUndefined();
    }
    const config = (objs: typeof objects) =>
      objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'api-config');
    expect(config(objects)).toEqual(config(ts));
  });
});
