import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type AppName, appImages } from '@homelab/platform';
import { build, type Plugin } from 'esbuild';

/**
 * Workspace directories (`apps/<x>`, `packages/<y>`) reached at run time from an app image's entry points.
 *
 * esbuild follows the import graph the way Node will: `verbatimModuleSyntax` keeps every import that is not
 * `import type` (Node's type stripping erases exactly those), workspace packages resolve through their
 * package.json `exports`, and every third-party or builtin module stays external (pnpm installs those from the
 * lockfile). Nothing is written; only the metafile's inputs are read.
 */
export async function runtimeWorkspaceDirs(root: string, app: AppName): Promise<Set<string>> {
  const image = appImages[app];
  const appDir = join(root, 'apps', app);
  const scripts = [image.command, ...Object.values(image.jobs)].map((command) => command.at(-1) ?? '');
  const externals: Plugin = {
    name: 'third-party-external',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) =>
        args.path.startsWith('@homelab/') ? undefined : { path: args.path, external: true },
      );
    },
  };
  const result = await build({
    absWorkingDir: appDir,
    entryPoints: scripts,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: 'out',
    logLevel: 'silent',
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    plugins: [externals],
  });
  const dirs = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = relative(root, join(appDir, input)).split('/');
    if ((path[0] === 'apps' || path[0] === 'packages') && path[1]) dirs.add(`${path[0]}/${path[1]}`);
  }
  return dirs;
}

/** Workspace packages (`@homelab/<dir>` under packages/) the app depends on in package.json, transitively. */
export function declaredWorkspacePackages(root: string, app: AppName): Set<string> {
  const found = new Set<string>();
  const visit = (dir: string) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
      if (!version.startsWith('workspace:')) continue;
      const pkg = name.replace('@homelab/', '');
      if (found.has(pkg)) continue;
      found.add(pkg);
      visit(`packages/${pkg}`);
    }
  };
  visit(`apps/${app}`);
  return found;
}
