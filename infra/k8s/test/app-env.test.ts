import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApiEnv } from '@homelab/api/env';
import { loadGatewayEnv } from '@homelab/gateway/env';
import { type AppName, appNames, namespaces } from '@homelab/platform';
import { loadWebEnv } from '@homelab/web/env';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { containerEnv } from './container-env.ts';

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
      const env = containerEnv(objects, deployment, mkdtempSync(join(tmpdir(), `env-${name}-`)));
      expect(() => loaders[name](env), deployment.metadata.name).not.toThrow();
    }
  });

  it('would catch a variable the app requires but the manifest lacks', () => {
    const web = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web');
    const env = containerEnv(objects, web, mkdtempSync(join(tmpdir(), 'env-web-')));
    delete env.SESSION_SECRET_FILE;
    expect(() => loadWebEnv(env)).toThrow(/SESSION_SECRET/);
  });
});
