import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiImage,
  appNames,
  apps,
  auth,
  dataWorkloads,
  goImageNames,
  hashApiKey,
  localImages,
} from '@homelab/platform';
import { freePortBelowEphemeral, realServersRequired, takeHostNetworkTurn } from '@homelab/test-servers';
import { hashSync } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Podman, podmanMissing } from '../test/podman.ts';
import { PodmanCompose } from '../test/podman-compose.ts';
import { buildImage } from './build-all.ts';
import { defaultImageDir } from './build-images.ts';
import {
  composeFiles,
  composeImageVariables,
  composeSecrets,
  publishedPortVariables,
  renderCompose,
} from './compose.ts';
import { repoRoot } from './repo-root.ts';

const file = join(repoRoot, composeFiles.base);
const goFile = join(repoRoot, composeFiles.apiGo);
const committed = readFileSync(file, 'utf8');
const committedGo = readFileSync(goFile, 'utf8');
type Service = {
  networks?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  mem_limit?: string;
  image: string;
  command?: string[];
};
const services = (parse(committed) as { services: Record<string, Service> }).services;
const goServices = (parse(committedGo) as { services: Record<string, Service> }).services;

describe('compose.yaml', () => {
  it('is the one generated from packages/platform (regenerate: node packages/images/src/cli.ts compose)', () => {
    expect(committed).toBe(renderCompose('ts'));
    expect(committedGo).toBe(renderCompose('go'));
  });

  it('compose.api-go.yaml differs only in the api image, its command and its healthcheck', () => {
    const { api: goApi, ...goRest } = goServices;
    const { api, ...rest } = services;
    expect(goRest).toEqual(rest);
    expect(goApi?.image).toBe(apiImage('go'));
    expect(goApi?.healthcheck?.test).toEqual(['CMD', '/app/api', 'healthcheck']);
    const strip = (s: Service | undefined) => ({
      ...s,
      image: '',
      command: [],
      healthcheck: { ...s?.healthcheck, test: [] },
    });
    expect(strip(goApi)).toEqual(strip(api));
  });

  it('keeps the data tier off the edge network: web cannot reach PostgreSQL, Redis or the api', () => {
    expect(services.web?.networks).toEqual(['edge']);
    for (const name of ['api', 'postgres', 'redis', 'postgres-exporter', 'redis-exporter'])
      expect(services[name]?.networks, name).toEqual(['data']);
  });

  it('publishes only web and the gateway, on 127.0.0.1 only', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports);
    expect(published.map(([name]) => name).sort()).toEqual(['gateway', 'web']);
    for (const [, s] of published) for (const port of s.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('gives every app and store a healthcheck and the memory limit of the platform', () => {
    for (const app of appNames) {
      expect(services[app]?.healthcheck, app).toBeDefined();
      expect(services[app]?.mem_limit).toBe(apps[app].resources.memoryLimit.replace('Mi', 'm'));
    }
    expect(services.postgres?.mem_limit).toBe(dataWorkloads.postgres.resources.memoryLimit.replace('Mi', 'm'));
    expect(services.postgres?.healthcheck).toBeDefined();
    expect(services.redis?.healthcheck).toBeDefined();
  });
});

const missing =
  (await podmanMissing()) ??
  (await import('node:child_process')).spawnSync('podman-compose', ['version']).error?.message;
const required = realServersRequired();
if (missing && !required) console.warn(`[compose] SKIPPED: running compose.yaml needs ${missing}`);

const secret = () => randomBytes(24).toString('hex');

/**
 * The file run for real: podman-compose (Debian) on the images built here, on a private podman store. Notes CRUD
 * through the gateway to the api, stored in PostgreSQL; `down` then `up` and the note is still there.
 */
describe.skipIf(missing !== undefined && !required)('compose.yaml run with podman-compose', () => {
  const podman = new Podman(join(defaultImageDir, 'podman-compose-test'));
  const demoKey = secret();
  let compose: PodmanCompose;
  const variables: Record<string, string> = {};
  let giveBackTurn: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    giveBackTurn = await takeHostNetworkTurn('the compose run');
  }, 1_300_000);
  afterAll(async () => {
    if (compose) {
      await compose.compose(file, variables, 'down', '-v').catch(() => undefined);
      await podman.dispose();
    }
    await giveBackTurn?.();
  }, 180_000);

  it('serves notes CRUD through the gateway, and a note survives down + up', async () => {
    if (missing) throw new Error(`running compose.yaml needs ${missing} (required under CI=true)`);
    await podman.init();
    compose = new PodmanCompose(podman, join(defaultImageDir, 'podman-compose-test'), 'homelabtest');
    for (const name of [...appNames, ...goImageNames, 'postgres', 'redis', 'postgresExporter', 'redisExporter'])
      await podman.load((await buildImage(name)).archive);
    Object.assign(variables, {
      [composeSecrets.adminToken]: secret(),
      [composeSecrets.apiKeys]: `demo:${hashApiKey(demoKey)}`,
      [composeSecrets.jwtSecret]: secret(),
      [composeSecrets.sessionSecret]: secret(),
      [composeSecrets.identityToken]: secret(),
      [composeSecrets.webUsers]: `demo:${hashSync(secret())}`,
      [composeSecrets.postgresPassword]: secret(),
      [composeImageVariables.postgres]: localImages.postgres,
      [composeImageVariables.redis]: localImages.redis,
      [composeImageVariables.postgresExporter]: localImages.postgresExporter,
      [composeImageVariables.redisExporter]: localImages.redisExporter,
      [publishedPortVariables.web]: String(await freePortBelowEphemeral()),
      [publishedPortVariables.gateway]: String(await freePortBelowEphemeral()),
    });
    const gateway = `http://127.0.0.1:${variables[publishedPortVariables.gateway]}`;
    const web = `http://127.0.0.1:${variables[publishedPortVariables.web]}`;
    const headers = { [auth.apiKeyHeader]: demoKey, 'content-type': 'application/json' };
    const untilStatus = async (url: string, init: RequestInit, want: number, timeoutMs = 180_000) => {
      const deadline = Date.now() + timeoutMs;
      let last = 0;
      while (Date.now() < deadline) {
        last = await fetch(url, { ...init, signal: AbortSignal.timeout(3_000) }).then(
          (r) => r.status,
          () => 0,
        );
        if (last === want) return;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error(`${url} answered ${last}, not ${want}, within ${timeoutMs / 1000} s\n${await diagnosis()}`);
    };

    /** What failed: every container's state, then each one's last lines (a 4 KB tail of all logs hid the gateway's). */
    const diagnosis = async () => {
      const states = await podman
        .podman('ps', '-a', '--format', '{{.Names}} {{.Status}} {{.Ports}}')
        .then((o) => o.stdout, String);
      const logs: string[] = [`up -d printed:\n${upOutput.slice(-3000)}`, `containers:\n${states}`];
      for (const name of ['gateway', 'api', 'web'])
        logs.push(
          `--- ${name}\n${await podman
            .podman('logs', '--tail', '20', `homelabtest_${name}_1`)
            .then((o) => o.stdout + o.stderr, String)}`,
        );
      return logs.join('\n');
    };
    /**
     * The service's compose healthcheck command (`CMD` form), run in its container as Docker runs it: 'healthy' or
     * its error. Not `podman healthcheck run`: podman-compose 1.0.3 wraps a `CMD` list in `/bin/sh -c`, which these
     * images (no shell) do not have, so under it every app reads unhealthy (docs/compose.md).
     */
    const health = (model: Record<string, Service>, service: string) => {
      const [form, ...command] = model[service]?.healthcheck?.test ?? [];
      expect(form).toBe('CMD');
      return podman.podman('exec', `homelabtest_${service}_1`, ...command).then(
        () => 'healthy',
        (e: { stdout?: string; stderr?: string; message: string }) =>
          `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
      );
    };
    const up = await compose.compose(file, variables, 'up', '-d');
    const upOutput = `${up.stdout}\n${up.stderr}`;
    await untilStatus(`${web}/readyz`, {}, 200);
    // The first write waits for the api to reach PostgreSQL (it migrates as it starts).
    await untilStatus(`${gateway}/v1/notes?limit=1`, { headers }, 200);
    const created = await fetch(`${gateway}/v1/notes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'kept' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    await compose.compose(file, variables, 'down');
    await compose.compose(file, variables, 'up', '-d');
    await untilStatus(`${gateway}/v1/notes/${id}`, { headers }, 200);
    const read = await fetch(`${gateway}/v1/notes/${id}`, { headers });
    expect(((await read.json()) as { title: string }).title).toBe('kept');
    for (const app of appNames) expect(await health(services, app)).toBe('healthy');

    // The same platform with the Go API (compose.api-go.yaml): same project, database and volumes.
    await compose.compose(file, variables, 'down');
    await compose.compose(goFile, variables, 'up', '-d');
    await untilStatus(`${gateway}/v1/notes/${id}`, { headers }, 200);
    const apiImageName = (await podman.podman('inspect', '--format', '{{.ImageName}}', 'homelabtest_api_1')).stdout;
    expect(apiImageName.trim()).toBe(apiImage('go'));
    const readByGo = await fetch(`${gateway}/v1/notes/${id}`, { headers });
    const note = (await readByGo.json()) as { title: string; version: number };
    expect(note.title).toBe('kept');
    const patched = await fetch(`${gateway}/v1/notes/${id}`, {
      method: 'PATCH',
      headers: { ...headers, 'if-match': `"${note.version}"` },
      body: JSON.stringify({ title: 'kept, edited by the Go API' }),
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(((await patched.json()) as { version: number }).version).toBe(note.version + 1);
    // The image's own healthcheck command (distroless: no shell, no node) says ready.
    expect(await health(goServices, 'api')).toBe('healthy');
  }, 600_000);
});
