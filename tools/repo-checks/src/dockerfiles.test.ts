import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appNames, versions } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './repo-root.ts';

/**
 * No Docker engine runs here, so the image is never built on this machine; these checks hold the one Dockerfile
 * to the facts it must agree with, so a renamed directory or a new app cannot rot it unnoticed.
 */
/** Docker's build-argument placeholder, spelt out so it is not mistaken for a template literal. */
const appArg = `$${'{'}APP}`;
const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = (name: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `))
    .map((line) => line.slice(name.length + 1).trim());
const copySources = (app: string) =>
  instructions('COPY')
    .filter((args) => !args.includes('--from='))
    .flatMap((args) =>
      args
        .split(/\s+/)
        .filter((p) => !p.startsWith('--'))
        .slice(0, -1),
    )
    .map((source) => source.replaceAll(appArg, app));

describe('the Dockerfile', () => {
  it('defaults NODE_IMAGE to the pinned Node image', () => {
    expect(instructions('ARG')).toContain(`NODE_IMAGE=${versions.images.node}`);
  });

  it('runs as an unprivileged UID and GID >= 10000 and installs only production dependencies of one app', () => {
    const [uid, gid] = (instructions('USER')[0] ?? '').split(':').map(Number);
    expect(uid).toBeGreaterThanOrEqual(10000);
    expect(gid).toBeGreaterThanOrEqual(10000);
    expect(text).toContain('pnpm install --offline --prod');
    expect(text).toContain(`--filter "@homelab/${appArg}..."`);
  });

  it.each(appNames)('copies only paths that exist for %s, its own directory included', (app) => {
    const sources = copySources(app);
    expect(sources).toContain(`apps/${app}`);
    for (const source of sources) expect(existsSync(join(repoRoot, source)), source).toBe(true);
  });

  it('is built for every app by the images workflow, with the pinned Node image', () => {
    const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/images.yml'), 'utf8'));
    const matrix = workflow.jobs.build.strategy.matrix;
    expect(matrix.app.sort()).toEqual([...appNames].sort());
    const build = workflow.jobs.build.steps.find((s: { id?: string }) => s.id === 'push');
    expect(build.with['build-args']).toMatch(/APP=\$\{\{ matrix.app \}\}/);
    expect(build.with['build-args']).toMatch(/NODE_IMAGE=/);
  });

  it('gives the web app the tsx loader its JSX needs, and only the web app', () => {
    const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/images.yml'), 'utf8'));
    const include: { app: string; node_options?: string }[] = workflow.jobs.build.strategy.matrix.include ?? [];
    expect(include.filter((i) => i.node_options)).toEqual([{ app: 'web', node_options: '--import=tsx' }]);
  });
});
