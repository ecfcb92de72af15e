import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appNames, goImageNames, versions } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './repo-root.ts';

/**
 * The Dockerfile is generated from the image definition (packages/images holds the drift test and builds the same
 * images locally); these checks hold it to the facts outside that definition: the pinned Node image, paths that
 * exist, and the workflow that builds it.
 */
const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = (name: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `))
    .map((line) => line.slice(name.length + 1).trim());
const copySources = instructions('COPY')
  .filter((args) => !args.includes('--from='))
  .flatMap((args) =>
    args
      .split(/\s+/)
      .filter((p) => !p.startsWith('--'))
      .slice(0, -1),
  );

describe('the Dockerfile', () => {
  it('defaults NODE_IMAGE to the pinned Node image', () => {
    expect(instructions('ARG')).toContain(`NODE_IMAGE=${versions.images.node}`);
  });

  it('runs every app as an unprivileged UID and GID >= 10000 with only production dependencies of one app', () => {
    const users = instructions('USER');
    expect(users).toHaveLength(appNames.length + goImageNames.length);
    for (const user of users) {
      const [uid, gid] = user.split(':').map(Number);
      expect(uid).toBeGreaterThanOrEqual(10000);
      expect(gid).toBeGreaterThanOrEqual(10000);
    }
    for (const app of appNames)
      expect(text).toContain(`pnpm install --offline --prod --store-dir /pnpm/store --filter "@homelab/${app}..."`);
  });

  it('copies only paths that exist, every app directory included', () => {
    for (const app of appNames) expect(copySources).toContain(`apps/${app}`);
    for (const source of copySources) expect(existsSync(join(repoRoot, source)), source).toBe(true);
  });

  it('is built for every app by the images workflow, by target, with the pinned Node image', () => {
    const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/images.yml'), 'utf8'));
    const matrix = workflow.jobs.build.strategy.matrix;
    expect(matrix.app.sort()).toEqual([...appNames, ...goImageNames].sort());
    const build = workflow.jobs.build.steps.find((s: { id?: string }) => s.id === 'push');
    expect(build.with.target).toBe(`$${'{'}{ matrix.app }}`);
    expect(build.with['build-args']).toMatch(/NODE_IMAGE=/);
    expect(build.with['build-args']).toMatch(/GO_IMAGE=/);
    expect(build.with['build-args']).toMatch(/GO_RUNTIME_IMAGE=/);
    for (const app of appNames) expect(instructions('FROM')).toContain(`$${'{'}NODE_IMAGE} AS ${app}`);
    for (const name of goImageNames) expect(instructions('FROM')).toContain(`$${'{'}GO_RUNTIME_IMAGE} AS ${name}`);
  });
});
