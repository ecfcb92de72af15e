import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appNames, apps, versions } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';

/**
 * No Docker engine runs here, so the images are never built in CI on this machine; these checks hold the
 * Dockerfiles to the facts they must agree with, so a renamed directory or a changed port cannot rot them.
 */
const dockerfile = (app: string) => readFileSync(join(repoRoot, 'apps', app, 'Dockerfile'), 'utf8');
const instructions = (text: string, name: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `))
    .map((line) => line.slice(name.length + 1).trim());

describe.each(appNames)('apps/%s/Dockerfile', (app) => {
  const text = dockerfile(app);

  it('defaults NODE_IMAGE to the pinned Node image', () => {
    expect(instructions(text, 'ARG')).toContain(`NODE_IMAGE=${versions.images.node}`);
  });

  it('exposes the port from the platform and runs as an unprivileged UID >= 10000', () => {
    expect(instructions(text, 'EXPOSE')).toEqual([String(apps[app].port)]);
    const [user] = instructions(text, 'USER');
    const [uid, gid] = (user ?? '').split(':').map(Number);
    expect(uid).toBeGreaterThanOrEqual(10000);
    expect(gid).toBeGreaterThanOrEqual(10000);
  });

  it('copies only paths that exist, including its own sources and package manifest', () => {
    const sources = instructions(text, 'COPY')
      .filter((args) => !args.includes('--from='))
      .flatMap((args) => {
        const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
        return parts.slice(0, -1);
      });
    expect(sources).toContain(`apps/${app}/src`);
    expect(sources).toContain(`apps/${app}/package.json`);
    for (const source of sources) expect(existsSync(join(repoRoot, source)), source).toBe(true);
  });

  it('installs only its own production dependencies', () => {
    expect(text).toContain(`--filter "@homelab/${app}..."`);
    expect(text).toMatch(/pnpm install --offline --prod/);
  });
});
