import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';

const sources = execFileSync('git', ['ls-files', '*.ts', '*.tsx'], { cwd: repoRoot })
  .toString()
  .split('\n')
  .filter(Boolean);

/** Every import/export-from specifier of a source text, with whether it is type-only (erased at run time). */
const specifiers = (text: string): { specifier: string; typeOnly: boolean }[] =>
  [...text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => ({
    specifier: m[3] ?? '',
    typeOnly: m[2] !== undefined,
  }));
const importsOf = (file: string) => specifiers(readFileSync(join(repoRoot, file), 'utf8'));

const appPackages = /^@homelab\/(api|gateway|web)(\/|$)/;
const isTest = (file: string) => /\.test\.tsx?$|\/test\/|\/testing\//.test(file);

describe('workspace boundaries', () => {
  it('finds the sources', () => {
    expect(sources.length).toBeGreaterThan(200);
  });

  it('no package, infra or observability file imports tools/ (the CLI only dispatches to packages)', () => {
    const offending = sources
      .filter((f) => !f.startsWith('tools/'))
      .flatMap((f) =>
        importsOf(f)
          .filter(({ specifier }) => specifier.startsWith('@homelab/cli') || /(^|\/)tools\//.test(specifier))
          .map(({ specifier }) => `${f} -> ${specifier}`),
      );
    expect(offending).toEqual([]);
  });

  it('packages never import an app at run time (type-only imports of an env schema are erased)', () => {
    const offending = sources
      .filter((f) => f.startsWith('packages/') && !isTest(f))
      .flatMap((f) =>
        importsOf(f)
          .filter(({ specifier, typeOnly }) => appPackages.test(specifier) && !typeOnly)
          .map(({ specifier }) => `${f} -> ${specifier}`),
      );
    expect(offending).toEqual([]);
  });

  it('reads value and type-only imports, multi-line ones included', () => {
    const probe =
      "import { createApp } from '@homelab/api';\nimport type { X } from '@homelab/web/env';\nimport {\n  a,\n  b,\n} from '@homelab/cli';\n";
    expect(specifiers(probe)).toEqual([
      { specifier: '@homelab/api', typeOnly: false },
      { specifier: '@homelab/web/env', typeOnly: true },
      { specifier: '@homelab/cli', typeOnly: false },
    ]);
  });
});
