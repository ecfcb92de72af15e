import { secretKeys } from '@homelab/platform';
import { type K8sObject, objectId, podTemplateOf, workloads } from '../src/manifests.ts';
import type { Guard } from './cross-references.ts';

/**
 * Every name and key a container reads from a ConfigMap or Secret exists, and every `*_FILE` path it is given
 * is a file a volume of that container puts there. The API server accepts all of these; the pod then sits in
 * CreateContainerConfigError, or the app starts and fails on a missing file (the data tier's images too:
 * POSTGRES_PASSWORD_FILE, the exporter's DATA_SOURCE_PASS_FILE).
 */

interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[]; optional?: boolean };
  configMap?: { name: string; items?: { key: string; path: string }[]; optional?: boolean };
}
interface Container {
  name: string;
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      configMapKeyRef?: { name: string; key: string; optional?: boolean };
      secretKeyRef?: { name: string; key: string; optional?: boolean };
    };
  }[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string } }[];
  volumeMounts?: VolumeMount[];
}

const configMapData = (objects: readonly K8sObject[], ns: string, name: string): Record<string, string> | undefined =>
  objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && o.metadata.name === name)?.data;

/** A key of a ConfigMap's data, never an inherited name (`constructor`, `toString`). */
const configMapValue = (data: Record<string, string> | undefined, key: string): string | undefined =>
  data && Object.hasOwn(data, key) ? data[key] : undefined;

const knownSecretKeys = (name: string): readonly string[] | undefined =>
  Object.hasOwn(secretKeys, name) ? (secretKeys as Readonly<Record<string, readonly string[]>>)[name] : undefined;

/** The files a volume shows at its mount point (keys, or `items` paths); undefined when its content is runtime data. */
const filesOf = (objects: readonly K8sObject[], ns: string, volume: Volume): readonly string[] | undefined => {
  if (volume.secret) {
    return volume.secret.items?.map((i) => i.path) ?? knownSecretKeys(volume.secret.secretName) ?? [];
  }
  if (volume.configMap) {
    const cm = configMapData(objects, ns, volume.configMap.name);
    // An optional ConfigMap no manifest creates is written at run time (the deploy history): its files may exist.
    if (!cm) return volume.configMap.optional ? undefined : [];
    return volume.configMap.items?.map((i) => i.path) ?? Object.keys(cm);
  }
  return undefined;
};

/** Where a `*_FILE` path points: a file a mounted Secret or ConfigMap provides, or a problem. */
const fileProblem = (
  objects: readonly K8sObject[],
  ns: string,
  volumes: readonly Volume[],
  container: Container,
  path: string,
): string | undefined => {
  const mounts = (container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  const mount = mounts[0];
  if (!mount) return `${path} is under no volume mount of container ${container.name}`;
  const volume = volumes.find((v) => v.name === mount.name);
  if (!volume) return `${path}: mount ${mount.name} names no volume`;
  const files = filesOf(objects, ns, volume);
  if (files === undefined) return undefined;
  const file = mount.subPath ? mount.subPath : path.slice(mount.mountPath.replace(/\/$/, '').length + 1);
  if (mount.subPath ? path !== mount.mountPath : !files.includes(file)) {
    const source = volume.secret ? `Secret ${volume.secret.secretName}` : `ConfigMap ${volume.configMap?.name}`;
    return `${path}: ${source} has no key ${file} (keys: ${files.join(', ') || 'none'})`;
  }
  return undefined;
};

const isFileSetting = (name: string) => name.endsWith('_FILE');

export const configReferencesResolve: Guard = (objects) =>
  workloads(objects).flatMap((o) => {
    const ns = o.metadata.namespace ?? '';
    const spec = podTemplateOf(o)?.spec ?? {};
    const volumes: Volume[] = spec.volumes ?? [];
    const containers: Container[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    const problems: string[] = [];
    const say = (c: Container, what: string) => problems.push(`${objectId(o)} container ${c.name}: ${what}`);
    for (const v of volumes) {
      if (v.configMap && !v.configMap.optional && !configMapData(objects, ns, v.configMap.name))
        problems.push(`${objectId(o)} volume ${v.name}: ConfigMap ${v.configMap.name} does not exist`);
      if (v.secret && !knownSecretKeys(v.secret.secretName))
        problems.push(`${objectId(o)} volume ${v.name}: Secret ${v.secret.secretName} is not one the platform writes`);
      for (const item of v.secret?.items ?? []) {
        if (!knownSecretKeys(v.secret?.secretName ?? '')?.includes(item.key))
          problems.push(`${objectId(o)} volume ${v.name}: Secret ${v.secret?.secretName} has no key ${item.key}`);
      }
    }
    for (const c of containers) {
      const settings: [string, string][] = [];
      for (const e of c.envFrom ?? []) {
        if (!e.configMapRef) continue;
        const data = configMapData(objects, ns, e.configMapRef.name);
        if (!data) {
          if (!e.configMapRef.optional) say(c, `envFrom ConfigMap ${e.configMapRef.name} does not exist`);
          continue;
        }
        settings.push(...Object.entries(data));
      }
      for (const e of c.env ?? []) {
        const cmRef = e.valueFrom?.configMapKeyRef;
        if (cmRef) {
          const data = configMapData(objects, ns, cmRef.name);
          if (!cmRef.optional && !data) say(c, `${e.name}: ConfigMap ${cmRef.name} does not exist`);
          else {
            const value = configMapValue(data, cmRef.key);
            if (value !== undefined) settings.push([e.name, value]);
            else if (!cmRef.optional) say(c, `${e.name}: ConfigMap ${cmRef.name} has no key ${cmRef.key}`);
          }
        }
        const secretRef = e.valueFrom?.secretKeyRef;
        if (secretRef && !secretRef.optional && !knownSecretKeys(secretRef.name)?.includes(secretRef.key))
          say(c, `${e.name}: Secret ${secretRef.name} has no key ${secretRef.key}`);
        if (e.value !== undefined) settings.push([e.name, e.value]);
      }
      // An empty value means "not set" (the restore Job's BACKUP_FILE: the newest dump).
      for (const [name, value] of settings) {
        if (!isFileSetting(name) || value === '') continue;
        const problem = fileProblem(objects, ns, volumes, c, value);
        if (problem) say(c, `${name}=${problem}`);
      }
    }
    return problems;
  });
