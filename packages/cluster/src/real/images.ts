import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sh } from './host.ts';

/** An image archive `ctr images import` takes: a docker-archive tar (the rootfs builder below) or an OCI archive. */
export interface ImageArchive {
  readonly ref: string;
  readonly archive: string;
}

/**
 * Where the real-node run gets an image from: anything that returns an archive for a ref. The platform's images are
 * the shipped ones (packages/images, through `nodeImages()` in packages/drill-targets); the minimal rootfs builder
 * below makes only the pause image.
 */
export interface ImageSource {
  readonly ref: string;
  /** Writes the archive under `dir` and returns it. */
  build(dir: string): Promise<ImageArchive>;
}

export interface RootfsImage {
  readonly ref: string;
  /**
   * Host executables, each with the shared libraries `ldd` says it loads: a path is copied to the same path, or
   * `{ from, to }` to another.
   */
  readonly binaries?: readonly (string | { readonly from: string; readonly to: string })[];
  /** Host directories copied to another path in the image (an application tree). */
  readonly trees?: readonly { readonly from: string; readonly to: string }[];
  /** Host file -> path in the image, copied as they are. */
  readonly files?: Readonly<Record<string, string>>;
  /** Host directories copied whole to the same path (e.g. PostgreSQL's share and lib directories). */
  readonly dirs?: readonly string[];
  /** Path in the image -> content, written executable (entrypoint scripts). */
  readonly scripts?: Readonly<Record<string, string>>;
  /** Symlinks: path in the image -> target. */
  readonly links?: Readonly<Record<string, string>>;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workdir?: string;
}

/** The shared libraries (and the dynamic loader) a host binary loads, as absolute paths. */
export const sharedLibraries = (binary: string): string[] => {
  let out = '';
  try {
    out = sh('ldd', [binary]);
  } catch {
    return []; // static
  }
  return [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1] as string);
};

const sha256File = (file: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });

const put = (rootfs: string, from: string, to: string) => {
  const target = join(rootfs, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(from, target);
};

/** Builds a one-layer image from host files: no registry, no Docker engine, no base image to pull. */
export const rootfsImage = (spec: RootfsImage): ImageSource => ({
  ref: spec.ref,
  async build(dir) {
    const name = spec.ref.replace(/[^a-zA-Z0-9.-]+/g, '_');
    const work = join(dir, `${name}.d`);
    const rootfs = join(work, 'rootfs');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(rootfs, 'tmp'), { recursive: true });
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    for (const b of spec.binaries ?? []) {
      const { from, to } = typeof b === 'string' ? { from: b, to: b } : b;
      put(rootfs, from, to);
      for (const lib of sharedLibraries(from)) put(rootfs, lib, lib);
    }
    for (const t of spec.trees ?? []) {
      mkdirSync(dirname(join(rootfs, t.to)), { recursive: true });
      sh('cp', ['-a', t.from, join(rootfs, t.to)]);
    }
    for (const [from, to] of Object.entries(spec.files ?? {})) put(rootfs, from, to);
    for (const d of spec.dirs ?? []) {
      mkdirSync(dirname(join(rootfs, d)), { recursive: true });
      sh('cp', ['-a', '-L', d, join(rootfs, d)]);
    }
    for (const [to, content] of Object.entries(spec.scripts ?? {})) {
      mkdirSync(dirname(join(rootfs, to)), { recursive: true });
      writeFileSync(join(rootfs, to), content, { mode: 0o755 });
    }
    for (const [path, target] of Object.entries(spec.links ?? {})) {
      mkdirSync(dirname(join(rootfs, path)), { recursive: true });
      symlinkSync(target, join(rootfs, path));
    }
    // Numeric users without a passwd entry work, but some programs ask for their own name.
    writeFileSync(
      join(rootfs, 'etc', 'passwd'),
      'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:10001:10001::/tmp:/sbin/nologin\n',
    );
    writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\nnonroot:x:10001:\n');
    sh('chmod', ['1777', join(rootfs, 'tmp')]);
    const layer = join(work, 'layer.tar');
    // Reproducible: sorted, owned by root, no timestamps from the build.
    sh('tar', [
      '-C',
      rootfs,
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      // Readable by every user: the containers run as non-root, and trees copied from mkdtemp dirs are 0700.
      '--mode=a+rX',
      '-cf',
      layer,
      '.',
    ]);
    const diffId = `sha256:${await sha256File(layer)}`;
    const config = {
      architecture: 'amd64',
      os: 'linux',
      config: {
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd ? { Cmd: spec.cmd } : {}),
        Env: ['PATH=/usr/local/bin:/usr/bin:/bin', ...(spec.env ?? [])],
        ...(spec.user ? { User: spec.user } : {}),
        WorkingDir: spec.workdir ?? '/',
      },
      rootfs: { type: 'layers', diff_ids: [diffId] },
    };
    const configJson = JSON.stringify(config);
    const configName = `${createHash('sha256').update(configJson).digest('hex')}.json`;
    writeFileSync(join(work, configName), configJson);
    writeFileSync(
      join(work, 'manifest.json'),
      JSON.stringify([{ Config: configName, RepoTags: [spec.ref], Layers: ['layer.tar'] }]),
    );
    const archive = join(dir, `${name}.tar`);
    sh('tar', ['-C', work, '-cf', archive, 'manifest.json', configName, 'layer.tar']);
    rmSync(work, { recursive: true, force: true });
    return { ref: spec.ref, archive };
  },
});
