import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type KubeObject, sh } from '@homelab/cluster';
import { loadManifests, podTemplateOf } from '@homelab/k8s';
import { data, namespaces, secretNames, versions } from '@homelab/platform';
import { standInRefs } from '../src/cluster/stand-in-images.ts';

/** What the real-node platform run changes in the synthesized objects, each said in the output. */
export interface RealNodeManifests {
  readonly objects: KubeObject[];
  readonly notes: string[];
  /** Workloads whose image no node has: applied, expected not to start (ErrImagePull), named in the output. */
  readonly withoutImage: string[];
}

/** The exporters' images: no local build of them exists yet, so their sidecars are left out on real nodes. */
const exporterImages: readonly string[] = [versions.images.postgresExporter, versions.images.redisExporter];

/**
 * Every synthesized object from infra/k8s, prepared for the real-node cluster: the upstream PostgreSQL and Redis
 * images (pinned by digest, which no local build can match) become the Debian stand-ins, the exporter sidecars are
 * dropped (no image), and workloads whose image was not imported are listed (gateway and web until the images branch
 * lands). Everything else is applied as synthesized.
 */
export function manifestsForRealNodes(imported: ReadonlySet<string>): RealNodeManifests {
  const objects = loadManifests() as KubeObject[];
  const notes = new Set<string>();
  const withoutImage: string[] = [];
  for (const o of objects) {
    const template = podTemplateOf(o) as
      | { spec: { containers: { name: string; image: string }[]; initContainers?: { image: string }[] } }
      | undefined;
    if (!template) continue;
    const spec = template.spec;
    const dropped = spec.containers.filter((c) => exporterImages.includes(c.image));
    if (dropped.length) {
      spec.containers = spec.containers.filter((c) => !dropped.includes(c));
      notes.add(`${o.kind} ${o.metadata.name}: exporter sidecar left out (its image is not built here)`);
    }
    for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
      const standIn = standInRefs[c.image];
      if (standIn) {
        notes.add(`${o.kind} ${o.metadata.name}: ${c.image.split('@')[0]} -> ${standIn} (Debian stand-in, built here)`);
        c.image = standIn;
      }
      if (!imported.has(c.image))
        withoutImage.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name} (${c.image})`);
    }
  }
  // The migration Job runs as synthesized: found here, it used to need the identity-token key it does not mount
  // (apps/api's migrate now reads only the database: loadMigrationEnv).
  return { objects, notes: [...notes], withoutImage };
}

const secret = (namespace: string, name: string, stringData: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type: 'Opaque',
  stringData,
});
const random = () => randomBytes(24).toString('base64url');

/**
 * The Secrets the manifests mount (PlatformSecrets creates them from the stack's config at home), with fresh random
 * values, plus the identity token key a test client signs with.
 */
export function platformSecrets(postgresService: string, clusterDomain: string) {
  const password = random();
  const identityKey = randomBytes(32).toString('hex');
  const url = `postgres://${data.postgres.user}:${password}@${postgresService}.${namespaces.data}.svc.${clusterDomain}:${data.postgres.port}/${data.postgres.database}`;
  return {
    identityKey,
    objects: [
      secret(namespaces.data, secretNames.postgres, { password }),
      secret(namespaces.apps, secretNames.apiDatabase, { url }),
      secret(namespaces.apps, secretNames.apiAdminToken, { token: random() }),
      secret(namespaces.apps, secretNames.identityToken, { secret: identityKey }),
      secret(namespaces.apps, secretNames.gatewayJwt, { secret: random() }),
      secret(namespaces.apps, secretNames.gatewayApiKeys, { keys: '{}' }),
      secret(namespaces.apps, secretNames.webSession, { secret: random() }),
      secret(namespaces.apps, secretNames.webUsers, { users: '' }),
    ],
  };
}

/**
 * A container's memory as its cgroup (v1, cgroupfs under the node's cgroup root) counts it: RSS now, the peak
 * usage and the limit. Undefined when the container is gone.
 */
export function containerMemory(
  containerId: string | undefined,
): { rss: number; max: number; limit: number } | undefined {
  const id = containerId?.replace(/^containerd:\/\//, '');
  if (!id) return undefined;
  let dir: string;
  try {
    dir =
      sh('find', ['/sys/fs/cgroup/memory', '-maxdepth', '6', '-type', 'd', '-name', id]).trim().split('\n')[0] ?? '';
  } catch {
    return undefined;
  }
  if (!dir) return undefined;
  try {
    const stat = readFileSync(`${dir}/memory.stat`, 'utf8');
    const rss = Number(/^total_rss (\d+)/m.exec(stat)?.[1] ?? 0);
    const max = Number(readFileSync(`${dir}/memory.max_usage_in_bytes`, 'utf8'));
    const limit = Number(readFileSync(`${dir}/memory.limit_in_bytes`, 'utf8'));
    return { rss, max, limit };
  } catch {
    return undefined;
  }
}
