import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { type AppName, appImages, carriedPackagePaths } from '@homelab/platform';
import { childEnv } from './env.ts';

/** The Dockerfile's ignore patterns (Dockerfile.dockerignore): the local builder drops exactly what BuildKit drops. */
export function ignorePatterns(root: string): string[] {
  return readFileSync(join(root, 'Dockerfile.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

const ignored = (patterns: readonly string[], path: string) =>
  patterns.some((pattern) => matchesGlob(path, pattern) || matchesGlob(path, `${pattern}/**`));

/** The files of the image's tree, relative to the repository root, as the Dockerfile's COPY lines take them. */
export function sourcePaths(root: string, app: AppName, options: { readonly leaveOut?: string } = {}): string[] {
  const image = appImages[app];
  const patterns = ignorePatterns(root);
  const tops = [
    'package.json',
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    ...image.packages
      .filter((p) => p !== options.leaveOut)
      .flatMap((p) => [`packages/${p}/package.json`, ...carriedPackagePaths(p)]),
    `apps/${app}`,
  ];
  const files: string[] = [];
  const walk = (path: string) => {
    if (ignored(patterns, path)) return;
    const full = join(root, path);
    if (!existsSync(full)) throw new Error(`the image definition names ${path}, which does not exist`);
    if (!statSync(full).isDirectory()) {
      files.push(path);
      return;
    }
    for (const entry of readdirSync(full)) walk(`${path}/${entry}`);
  };
  for (const top of tops) walk(top);
  return files.sort();
}

/**
 * Lays out `<out>/app` as the Dockerfile's runtime stage has `/app`: the manifests, `pnpm install --offline --prod
 * --filter "@homelab/<app>..."` (workspace packages stay symlinks, as in the image), then the sources.
 * `leaveOut` drops one carried workspace package: the deliberately broken image a test must see fail.
 */
export function layOutApp(root: string, app: AppName, out: string, options: { readonly leaveOut?: string } = {}) {
  const tree = join(out, 'app');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const files = sourcePaths(root, app, options);
  // Manifests first (the Dockerfile's deps stage), so the install sees exactly the carried workspace packages.
  const manifests = files.filter((f) => !f.includes('/') || /^(apps|packages)\/[^/]+\/package\.json$/.test(f));
  for (const file of manifests) cpSync(join(root, file), join(tree, file));
  const pnpm = existsSync(join(root, '.tools/bin/pnpm')) ? join(root, '.tools/bin/pnpm') : 'pnpm';
  execFileSync(pnpm, ['install', '--offline', '--prod', '--frozen-lockfile', '--filter', `@homelab/${app}...`], {
    cwd: tree,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: childEnv({ CI: 'true' }),
  });
  for (const file of files) cpSync(join(root, file), join(tree, file));
  return { tree, files };
}
