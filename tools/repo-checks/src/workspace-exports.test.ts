import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';
import { workspacePackageDirs } from './workspace-packages.ts';

type Exports = string | { [subpath: string]: Exports | null };

// Every file an exports map names, whatever the nesting (conditions, subpaths); wildcards are left out.
const targets = (exports: Exports | undefined): string[] =>
  exports === undefined || exports === null
    ? []
    : typeof exports === 'string'
      ? exports.includes('*')
        ? []
        : [exports]
      : Object.values(exports).flatMap((e) => targets(e ?? undefined));

const workspacePackages = () => workspacePackageDirs().map((dir) => join(repoRoot, dir, 'package.json'));

describe('workspace packages', () => {
  const manifests = workspacePackages().filter((p) => existsSync(p));

  it('finds the workspace', () => {
    expect(manifests.length).toBeGreaterThan(10);
  });

  it('export only files that exist', () => {
    const missing = manifests.flatMap((manifest) => {
      const { name, exports } = JSON.parse(readFileSync(manifest, 'utf8'));
      return targets(exports)
        .filter((target) => !existsSync(join(dirname(manifest), target)))
        .map((target) => `${name}: ${target}`);
    });
    expect(missing).toEqual([]);
  });
});
