import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadApiEnv } from '@homelab/api/env';
import { loadGatewayEnv } from '@homelab/gateway/env';
import { type AppName, appNames, namespaces, secretMountPath } from '@homelab/platform';
import { loadWebEnv } from '@homelab/web/env';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * The contract between the manifests and the apps: each Deployment's ConfigMap, env and mounted Secret files
 * must give its app an environment that the app's own env schema accepts. Without this, a manifest can pass every
 * schema and checker while the pod crash-loops on a missing variable.
 */
// biome-ignore lint/suspicious/noExplicitAny: manifests are plain parsed YAML
type Obj = any;
const objects: Obj[] = parseAllDocuments(readFileSync(new URL('../dist/apps.k8s.yaml', import.meta.url), 'utf8')).map(
  (d) => d.toJSON(),
);

const loaders: Record<AppName, (env: Record<string, string>) => unknown> = {
  api: loadApiEnv,
  gateway: loadGatewayEnv,
  web: loadWebEnv,
};

/** Plausible secret contents by key, long enough for every length rule. */
const secretValue = (key: string): string =>
  key === 'url'
    ? 'postgres://notes:secret@postgres.homelab-data.svc:5432/notes'
    : key === 'users'
      ? 'demo:$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'
      : 's'.repeat(48);

/** Builds the container's environment as the kubelet would, with mounted Secret files written under `root`. */
function containerEnv(deployment: Obj, root: string): Record<string, string> {
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

describe('each app accepts the environment its Deployment gives it', () => {
  it.each(appNames)('%s', (name) => {
    const deployments = objects.filter(
      (o) =>
        o.kind === 'Deployment' &&
        o.metadata.namespace === namespaces.apps &&
        o.metadata.labels?.['app.kubernetes.io/name'] === name,
    );
    expect(deployments.length, 'stable and canary Deployments').toBeGreaterThanOrEqual(2);
    for (const deployment of deployments) {
      const env = containerEnv(deployment, mkdtempSync(join(tmpdir(), `env-${name}-`)));
      expect(() => loaders[name](env), deployment.metadata.name).not.toThrow();
    }
  });

  it('would catch a variable the app requires but the manifest lacks', () => {
    const web = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web');
    const env = containerEnv(web, mkdtempSync(join(tmpdir(), 'env-web-')));
    delete env.SESSION_SECRET_FILE;
    expect(() => loadWebEnv(env)).toThrow(/SESSION_SECRET/);
  });
});
