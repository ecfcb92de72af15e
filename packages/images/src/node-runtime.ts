import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { imageUser } from '@homelab/platform';

/**
 * The shared libraries a binary loads, from `ldd`: the host's Debian 12 glibc and libstdc++, the same release as
 * the node:*-bookworm-slim base the Dockerfile uses.
 */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const paths: string[] = [];
  for (const line of out.split('\n')) {
    const match = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match?.[1]) paths.push(match[1]);
  }
  return paths;
}

/** Copies a file into the root at the same path, following symlinks (the image gets the real bytes). */
export function copyIntoRoot(root: string, path: string, mode?: number): void {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(path), target);
  if (mode !== undefined) chmodSync(target, mode);
}

/**
 * The minimal filesystem every image here starts from: /tmp (sticky, world-writable), /etc/passwd and /etc/group
 * naming root and the unprivileged app user, and the given binaries with their shared libraries.
 */
export function baseRoot(
  root: string,
  binaries: readonly { readonly from: string; readonly to: string }[],
  /** Files already in the tree (native addons) whose libraries the image needs too. */
  libraryUsers: readonly string[] = [],
): void {
  mkdirSync(join(root, 'tmp'), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  mkdirSync(join(root, 'etc'), { recursive: true });
  const { uid, gid } = imageUser;
  writeFileSync(
    join(root, 'etc/passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\napp:x:${uid}:${gid}:app:/tmp:/sbin/nologin\n`,
  );
  writeFileSync(join(root, 'etc/group'), `root:x:0:\napp:x:${gid}:\n`);
  for (const binary of binaries) {
    const target = join(root, binary.to);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(realpathSync(binary.from), target);
    chmodSync(target, 0o755);
  }
  for (const user of [...binaries.map((b) => b.from), ...libraryUsers])
    for (const lib of sharedLibraries(user)) if (!existsSync(join(root, lib))) copyIntoRoot(root, lib);
}
