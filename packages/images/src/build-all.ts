import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AppName,
  appNames,
  type GoImageName,
  goImageNames,
  type LocalImageName,
  localImages,
  versions,
} from '@homelab/platform';
import { type BuiltImage, buildAppImage } from './build-images.ts';
import { buildDataImage, buildPauseImage } from './data-images.ts';
import { childEnv } from './env.ts';
import { buildGoImage } from './go-image.ts';
import { repoRoot } from './repo-root.ts';

export const imageNames: readonly string[] = [...appNames, ...goImageNames, ...Object.keys(localImages)];

/**
 * kubernetes' pause.c from the pinned k8s.io/kubernetes module (versions.json kubernetes.controlPlane), in the Go
 * module cache the control-plane build uses (.tools/go/.gomodcache); `go mod download` fetches it when absent.
 */
export function pauseSource(): string {
  const version = versions.kubernetes.controlPlane;
  const modcache = join(repoRoot, '.tools/go/.gomodcache');
  const file = join(modcache, `k8s.io/kubernetes@${version}/build/pause/linux/pause.c`);
  if (!existsSync(file)) {
    execFileSync('go', ['mod', 'download', `k8s.io/kubernetes@${version}`], {
      env: childEnv({ GOMODCACHE: modcache, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' }),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return file;
}

export function buildImage(name: string, out?: string): Promise<BuiltImage> {
  if ((appNames as string[]).includes(name)) return buildAppImage(name as AppName, { out });
  if ((goImageNames as string[]).includes(name)) return buildGoImage(name as GoImageName, { out });
  if (name === 'pause') return buildPauseImage(pauseSource(), out);
  if (name in localImages) return buildDataImage(name as Exclude<LocalImageName, 'pause'>, out);
  throw new Error(`unknown image ${name}; known: ${imageNames.join(', ')}`);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `images build [--out DIR] [name...]`: every image (or the named ones), with progress and sizes. */
export async function buildImages(options: {
  names: readonly string[];
  out: string | undefined;
}): Promise<BuiltImage[]> {
  const wanted = options.names.length > 0 ? options.names : imageNames;
  const built: BuiltImage[] = [];
  for (const name of wanted) {
    process.stdout.write(`building ${name} ... `);
    const result = await buildImage(name, options.out);
    console.log(`${mb(result.bytes)} in ${result.seconds.toFixed(1)} s${result.cached ? ' (cached)' : ''}`);
    built.push(result);
  }
  console.table(
    built.map((b) => ({
      image: b.name,
      reference: b.reference,
      size: mb(b.bytes),
      seconds: +b.seconds.toFixed(1),
      cached: b.cached,
    })),
  );
  return built;
}
