import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';
import { sourceDirs, typecheckConfig, workspacePackageDirs } from './workspace-packages.ts';

const packages = workspacePackageDirs();
const config = (dir: string): { extends?: string; include?: string[] } =>
  JSON.parse(readFileSync(join(repoRoot, typecheckConfig(dir)), 'utf8'));

// Whether each package type-checks on its own: package-typecheck.slow.test.ts (full tier; ADR 0154).
describe('per-package TypeScript configs', () => {
  it('finds the workspace', () => {
    expect(packages.length).toBeGreaterThan(15);
  });

  it('every package has one, extending the shared base config', () => {
    const wrong = packages.filter((dir) => {
      const base = config(dir).extends;
      return !base || resolve(repoRoot, dirname(typecheckConfig(dir)), base) !== join(repoRoot, 'tsconfig.base.json');
    });
    expect(wrong).toEqual([]);
  });

  it('includes every directory of the package that holds TypeScript, so no source escapes the package check', () => {
    const mismatched = packages
      .map((dir) => ({ dir, include: [...(config(dir).include ?? [])].sort(), sources: sourceDirs(dir) }))
      .filter(({ include, sources }) => JSON.stringify(include) !== JSON.stringify(sources));
    expect(mismatched).toEqual([]);
  });

  it('only apps/web keeps a run-time tsconfig.json beside its check config (tsx in the image reads it)', () => {
    expect(packages.filter((dir) => typecheckConfig(dir).endsWith('tsconfig.check.json'))).toEqual(['apps/web']);
  });
});
