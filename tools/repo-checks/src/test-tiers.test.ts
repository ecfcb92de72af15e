import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fullTierOnly } from '../../../vitest.config.ts';
import { repoRoot } from './repo-root.ts';

/**
 * The helpers that start what the quick tier must never start (docs/testing.md): a control plane or real nodes,
 * podman with built images, a Go build of the API. A test importing one belongs to the full tier.
 */
const heavyHelpers = [
  /(^|\/)test\/test-cluster\.ts$|^@homelab\/cluster\/testing$/,
  /(^|\/)test\/real-cluster\.ts$/,
  /(^|\/)test\/podman(-compose)?\.ts$/,
  /(^|\/)testing\/(api-process|go-binary)\.ts$|^@homelab\/api-go\/testing$/,
];

const testFiles = execFileSync('git', ['ls-files', '*.test.ts', '*.test.tsx'], { cwd: repoRoot })
  .toString()
  .split('\n')
  .filter(Boolean);
const inFullTierOnly = (file: string) => fullTierOnly.some((pattern) => matchesGlob(file, pattern));
const importsOf = (file: string) =>
  [
    ...readFileSync(join(repoRoot, file), 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm),
  ].map((m) => m[1] as string);

describe('the quick test tier (docs/testing.md)', () => {
  it('leaves out only suites that exist: a renamed slow suite must not slip into the quick tier unnoticed', () => {
    const paths = fullTierOnly.filter((p) => !/[*{]/.test(p));
    expect(paths.filter((p) => !existsSync(join(repoRoot, p)))).toEqual([]);
  });

  it('leaves out every suite that starts a cluster, real nodes, built images in podman or a Go build', () => {
    const heavy = testFiles.filter((f) => importsOf(f).some((s) => heavyHelpers.some((h) => h.test(s))));
    expect(heavy.length).toBeGreaterThan(5);
    expect(heavy.filter((f) => !inFullTierOnly(f))).toEqual([]);
  });

  it('matches paths the way vitest does: by glob, conventions included', () => {
    expect(inFullTierOnly('packages/images/src/compose.test.ts')).toBe(true);
    expect(inFullTierOnly('apps/api/src/big.slow.test.ts')).toBe(true);
    expect(inFullTierOnly('infra/k8s/test/cluster/on-cluster.test.ts')).toBe(true);
    expect(inFullTierOnly('apps/api/src/notes.test.ts')).toBe(false);
  });
});
