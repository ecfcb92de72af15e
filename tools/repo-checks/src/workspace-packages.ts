import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './repo-root.ts';

/** The workspace's package directories (pnpm-workspace.yaml's globs), relative to the root, each with a package.json. */
export function workspacePackageDirs(): string[] {
  const globs: string[] = parse(readFileSync(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8')).packages;
  return globs
    .flatMap((glob) => {
      const base = glob.replace(/\/\*$/, '');
      if (base === glob) return [glob];
      return readdirSync(join(repoRoot, base), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${base}/${d.name}`);
    })
    .filter((dir) => existsSync(join(repoRoot, dir, 'package.json')));
}

/** The top-level directories of a package that hold tracked TypeScript sources (src, bench, test, scripts...). */
export function sourceDirs(dir: string): string[] {
  const files = execFileSync('git', ['ls-files', '--', `${dir}/*.ts`, `${dir}/*.tsx`], { cwd: repoRoot })
    .toString()
    .split('\n')
    .filter(Boolean);
  const dirs = files
    .map((f) => f.slice(dir.length + 1).split('/'))
    .filter((parts) => parts.length > 1)
    .map((parts) => parts[0] as string);
  return [...new Set(dirs)].sort();
}

/**
 * The config a package is type-checked with on its own: `tsconfig.json`, or `tsconfig.check.json` where the
 * package's tsconfig.json is read at run time and must stand alone (apps/web: tsx in the image, which does not
 * carry the base config, takes its JSX settings from it).
 */
export const typecheckConfig = (dir: string): string =>
  existsSync(join(repoRoot, dir, 'tsconfig.check.json')) ? `${dir}/tsconfig.check.json` : `${dir}/tsconfig.json`;
