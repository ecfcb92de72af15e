import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type KubeObject, sh } from '@homelab/cluster';
import { loadManifests, podTemplateOf } from '@homelab/k8s';
import { apps, data, hashedApiKeyStore, namespaces, secretNames, serviceHost } from '@homelab/platform';
import { hashSync } from '@node-rs/argon2';
import { localImageFor } from '../src/cluster/node-images.ts';

/** What the real-node platform run changes in the synthesized objects, each said in the output. */
export interface RealNodeManifests {
  readonly objects: KubeObject[];
  readonly notes: string[];
  /** Workloads whose image no node has: applied, expected not to start (ErrImagePull), named in the output. */
  readonly withoutImage: string[];
}

/**
 * Every synthesized object from infra/k8s, prepared for the real-node cluster: the upstream data-tier images (pinned
 * by digest, which no local build can match) become their local builds (packages/images); the app images are the
 * ones the manifests name, built here. Workloads whose image was not imported are listed.
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
    for (const c of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
      const local = localImageFor[c.image];
      if (local) {
        notes.add(`${o.kind} ${o.metadata.name}: ${c.image.split('@')[0]} -> ${local} (built here from Debian 12)`);
        c.image = local;
      }
      if (!imported.has(c.image))
        withoutImage.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name} (${c.image})`);
    }
  }
  // Envoy Gateway's data plane does not run here (its objects are data): the gateway, which reaches the api through
  // the internal Envoy gateway at home, is pointed at the api Service itself.
  for (const o of objects) {
    if (o.kind === 'ConfigMap' && o.data?.API_URL && o.metadata.namespace === namespaces.apps) {
      const direct = `http://${serviceHost(apps.api.name, namespaces.apps)}:${apps.api.port}`;
      notes.add(`ConfigMap ${o.metadata.name}: API_URL ${o.data.API_URL} -> ${direct} (no Envoy data plane here)`);
      o.data.API_URL = direct;
    }
  }
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

/** The user the real-node clients act as, at the gateway (API key identity) and at web (sign-in). */
export const realNodesUser = 'real-nodes';

/**
 * The Secrets the manifests mount (PlatformSecrets creates them from the stack's config at home), with fresh random
 * values, plus the identity token key a test client signs with.
 */
export function platformSecrets(postgresService: string, clusterDomain: string) {
  const password = random();
  const identityKey = randomBytes(32).toString('hex');
  // The API key a client presents at the gateway, stored hashed as PlatformSecrets stores it.
  const apiKey = random();
  // The web user's password, sent only to web's sign-in form; the Secret holds its argon2id hash.
  const webPassword = random();
  const url = `postgres://${data.postgres.user}:${password}@${postgresService}.${namespaces.data}.svc.${clusterDomain}:${data.postgres.port}/${data.postgres.database}`;
  return {
    identityKey,
    apiKey,
    webPassword,
    objects: [
      secret(namespaces.data, secretNames.postgres, { password }),
      secret(namespaces.apps, secretNames.apiDatabase, { url }),
      secret(namespaces.apps, secretNames.apiAdminToken, { token: random() }),
      secret(namespaces.apps, secretNames.identityToken, { secret: identityKey }),
      secret(namespaces.apps, secretNames.gatewayJwt, { secret: random() }),
      secret(namespaces.apps, secretNames.gatewayApiKeys, { keys: hashedApiKeyStore({ [realNodesUser]: apiKey }) }),
      secret(namespaces.apps, secretNames.gatewayMetricsToken, { token: random() }),
      secret(namespaces.apps, secretNames.webSession, { secret: random() }),
      // One user, as `homelab up` writes it: a name and an argon2id hash (web refuses a list that names no one).
      secret(namespaces.apps, secretNames.webUsers, { users: `${realNodesUser}:${hashSync(webPassword)}` }),
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
