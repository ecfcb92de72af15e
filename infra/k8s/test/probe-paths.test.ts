import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type AppName, appNames, namespaces } from '@homelab/platform';
import { freePort } from '@homelab/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { containerEnv } from './container-env.ts';

/**
 * Meaning only the app knows: a probe path or port the app does not serve passes every schema, checker and the real
 * API server (kwok nodes run no containers), and then the kubelet restarts the pod forever. So each app is started
 * here as its stable Deployment runs it (the image's `node src/main.ts` in the app's directory, the Deployment's
 * environment and mounted Secret files) and every probe the manifest names is requested.
 *
 * What differs from the cluster, and why: the listening port is a free one (the three apps share one host here; the
 * test first proves the probes' named port is the port the app is told to listen on), the API runs on embedded
 * PGlite instead of the cluster's PostgreSQL, and Redis is left out (both are optional dependencies of liveness).
 */
// biome-ignore lint/suspicious/noExplicitAny: manifests are plain parsed YAML
type Obj = any;

const repositoryRoot = resolve(import.meta.dirname, '../../..');
const objects: Obj[] = parseAllDocuments(readFileSync(new URL('../dist/apps.k8s.yaml', import.meta.url), 'utf8')).map(
  (d) => d.toJSON(),
);
const stable = (name: AppName): Obj =>
  objects.find(
    (o) =>
      o.kind === 'Deployment' &&
      o.metadata.namespace === namespaces.apps &&
      o.metadata.labels?.['app.kubernetes.io/name'] === name &&
      o.spec.replicas !== 0 &&
      !o.metadata.name.endsWith('-canary'),
  );

interface Probe {
  readonly kind: 'startupProbe' | 'livenessProbe' | 'readinessProbe';
  readonly path: string;
  readonly port: number;
}

/** Every httpGet probe of the container, its named port resolved to the container port. */
function probesOf(container: Obj): Probe[] {
  return (['startupProbe', 'livenessProbe', 'readinessProbe'] as const).flatMap((kind) => {
    const get = container[kind]?.httpGet;
    if (!get) return [];
    const port =
      typeof get.port === 'number' ? get.port : container.ports?.find((p: Obj) => p.name === get.port)?.containerPort;
    return [{ kind, path: get.path, port }];
  });
}

const started: ChildProcess[] = [];
const scratch: string[] = [];
afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** `node src/main.ts` in apps/<name> with the Deployment's environment, on `port`; resolves with its output so far. */
function startAsDeployed(name: AppName, env: Record<string, string>, port: number) {
  const output: string[] = [];
  const child = spawn(process.execPath, [...(name === 'web' ? ['--import', 'tsx'] : []), 'src/main.ts'], {
    cwd: join(repositoryRoot, 'apps', name),
    env: { PATH: process.env.PATH ?? '', ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  started.push(child);
  return { child, output };
}

async function status(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return undefined;
  }
}

describe('every probe the manifests name is served by the app', () => {
  it.each(appNames)(
    '%s',
    async (name) => {
      const deployment = stable(name);
      expect(deployment, `the stable ${name} Deployment`).toBeDefined();
      const [container] = deployment.spec.template.spec.containers;
      const probes = probesOf(container);
      expect(
        probes.map((p) => p.kind),
        'startup, liveness and readiness probes',
      ).toEqual(['startupProbe', 'livenessProbe', 'readinessProbe']);

      const root = mkdtempSync(join(tmpdir(), `probe-${name}-`));
      scratch.push(root);
      const env = containerEnv(objects, deployment, root);
      // The probes' port is the one the app listens on: PORT from the Deployment's own environment.
      for (const probe of probes) expect(probe.port, `${probe.kind} port`).toBe(Number(env.PORT));
      if (name === 'api') {
        delete env.DATABASE_URL_FILE;
        env.PGLITE_DATA_DIR = join(root, 'pglite');
      }
      delete env.REDIS_URL;

      const port = await freePort();
      const { child, output } = startAsDeployed(name, env, port);
      const startup = probes.find((p) => p.kind === 'startupProbe') as Probe;
      const deadline = Date.now() + 90_000;
      while ((await status(`http://127.0.0.1:${port}${startup.path}`)) !== 200) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`${name} never answered its startup probe ${startup.path}:\n${output.join('')}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      for (const probe of probes) {
        const answer = await status(`http://127.0.0.1:${port}${probe.path}`);
        // Readiness may honestly say 503 (a dependency left out here); it must still be the app's own route.
        if (probe.kind === 'readinessProbe') expect([200, 503], `${probe.kind} ${probe.path}`).toContain(answer);
        else expect(answer, `${probe.kind} ${probe.path}`).toBe(200);
      }
      // The check discriminates: a path the app does not serve is a 404, not a 200 from a catch-all.
      expect(await status(`http://127.0.0.1:${port}${startup.path}-not-served`)).toBe(404);
      child.kill('SIGTERM');
    },
    120_000,
  );
});
