import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashedApiKeyStore, secretMountPath } from '@homelab/platform';
import { expect } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain parsed YAML
type Obj = any;

/** Plausible secret contents by key, long enough for every length rule. */
const secretValue = (key: string): string =>
  key === 'url'
    ? 'postgres://notes:secret@postgres.homelab-data.svc:5432/notes'
    : key === 'keys'
      ? hashedApiKeyStore({ demo: 'k'.repeat(40) })
      : key === 'users'
        ? 'demo:$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'
        : 's'.repeat(48);

/** Builds the container's environment as the kubelet would, with mounted Secret files written under `root`. */
export function containerEnv(objects: readonly Obj[], deployment: Obj, root: string): Record<string, string> {
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name);
    expect(configMap, `ConfigMap ${from.configMapRef?.name}`).toBeDefined();
    Object.assign(env, configMap.data);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.secretKeyRef) env[variable.name] = secretValue(variable.valueFrom.secretKeyRef.key);
  }
  const secretVolumes = new Map<string, Obj>(
    (pod.volumes ?? []).filter((v: Obj) => v.secret).map((v: Obj) => [v.name, v.secret]),
  );
  for (const [name, value] of Object.entries(env)) {
    if (!value.startsWith(`${secretMountPath}/`)) continue;
    const mount = (container.volumeMounts ?? []).find(
      (m: Obj) => secretVolumes.has(m.name) && value.startsWith(`${m.mountPath}/`),
    );
    expect(mount, `${name}=${value} is on a mounted Secret volume`).toBeDefined();
    const key = value.slice(mount.mountPath.length + 1);
    const items = secretVolumes.get(mount.name).items;
    if (items)
      expect(
        items.map((i: Obj) => i.path),
        `${name}: key ${key} projected`,
      ).toContain(key);
    const file = join(root, value);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, secretValue(key));
    env[name] = file;
  }
  return env;
}
