import { secretKeys } from '@homelab/platform';
import { type K8sObject, objectId, podTemplateOf, workloads } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';
import { selects } from './selectors.ts';

interface Credentials {
  name?: string;
  key?: string;
}
interface Endpoint {
  port?: string;
  authorization?: { type?: string; credentials?: Credentials };
}

const knownKey = (c: Credentials | undefined) =>
  !!c?.name && !!c.key && !!(secretKeys as Readonly<Record<string, readonly string[]>>)[c.name]?.includes(c.key);

/** The `METRICS_TOKEN_FILE` a workload's containers are given (from their ConfigMaps or inline env), if any. */
const metricsTokenFile = (objects: readonly K8sObject[], o: K8sObject): string | undefined => {
  const ns = o.metadata.namespace;
  for (const c of podTemplateOf(o)?.spec?.containers ?? []) {
    for (const e of c.envFrom ?? []) {
      const cm = objects.find(
        (x) => x.kind === 'ConfigMap' && x.metadata.namespace === ns && x.metadata.name === e.configMapRef?.name,
      );
      const value = cm?.data?.METRICS_TOKEN_FILE;
      if (value) return value;
    }
    const inline = (c.env ?? []).find((e: { name: string }) => e.name === 'METRICS_TOKEN_FILE')?.value;
    if (inline) return inline;
  }
  return undefined;
};

/** The Secret key behind a mounted file path: the volume whose mount holds it, and the file name under it. */
const secretBehind = (o: K8sObject, path: string): Credentials | undefined => {
  const spec = podTemplateOf(o)?.spec ?? {};
  for (const c of spec.containers ?? []) {
    for (const m of c.volumeMounts ?? []) {
      const prefix = `${m.mountPath.replace(/\/$/, '')}/`;
      if (!path.startsWith(prefix)) continue;
      const volume = (spec.volumes ?? []).find((v: { name: string }) => v.name === m.name);
      if (volume?.secret) return { name: volume.secret.secretName, key: path.slice(prefix.length) };
    }
  }
  return undefined;
};

/**
 * A target that wants a bearer token for `/metrics` (METRICS_TOKEN_FILE, ADR 0122) is scraped with that very
 * token: every PodMonitor selecting its pods sends `Authorization: Bearer` from the same Secret key, in the
 * monitor's own namespace (prometheus-operator reads it there). Without it Prometheus gets 401/403 and the
 * target's series vanish while the manifests look fine. And every monitor credential names a key the platform
 * writes (`secretKeys`).
 */
export const metricsScrapesCarryToken: Guard = (objects) => {
  const problems: string[] = [];
  const monitors = objects.filter((o) => o.kind === 'PodMonitor');
  for (const m of monitors) {
    for (const e of (m.spec?.podMetricsEndpoints ?? []) as Endpoint[]) {
      const c = e.authorization?.credentials;
      if (c && !knownKey(c))
        problems.push(`${objectId(m)}: credentials ${c.name}/${c.key} are no Secret key the platform writes`);
    }
  }
  for (const o of workloads(objects)) {
    const file = metricsTokenFile(objects, o);
    if (!file) continue;
    const wanted = secretBehind(o, file);
    if (!wanted) {
      problems.push(`${objectId(o)}: METRICS_TOKEN_FILE=${file} is under no mounted Secret`);
      continue;
    }
    const labels = podTemplateOf(o)?.metadata?.labels ?? {};
    const scraping = monitors.filter(
      (m) => m.metadata.namespace === o.metadata.namespace && selects(m.spec?.selector ?? {}, labels),
    );
    if (scraping.length === 0) problems.push(`${objectId(o)}: wants a metrics token, but no PodMonitor scrapes it`);
    for (const m of scraping) {
      for (const e of (m.spec?.podMetricsEndpoints ?? []) as Endpoint[]) {
        const a = e.authorization;
        if (
          a?.type?.toLowerCase() !== 'bearer' ||
          a.credentials?.name !== wanted.name ||
          a.credentials?.key !== wanted.key
        )
          problems.push(
            `${objectId(m)} endpoint ${e.port}: scrapes ${objectId(o)} without Bearer ${wanted.name}/${wanted.key} (its METRICS_TOKEN_FILE)`,
          );
      }
    }
  }
  return problems;
};
