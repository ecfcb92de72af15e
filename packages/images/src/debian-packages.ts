import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Debian's own packages as image content: the named packages and, transitively, the shared-library packages they
 * depend on (`lib*`, which includes libc6, and zlib1g), as `apt-cache depends` lists them. Maintainer scripts never run (the
 * image has no dpkg database); the images carry only what these packages ship.
 */
/** Shared-library packages: Debian names them lib*, with zlib1g (libz.so.1, which libxml2 and LLVM load) the exception. */
const libraryPackage = /^(lib|zlib1g$)/;

export function packageClosure(roots: readonly string[]): string[] {
  const seen = new Set<string>(roots);
  let level = [...roots];
  // One apt-cache call per level of the graph: each call costs seconds on a busy machine.
  while (level.length > 0) {
    const out = execFileSync(
      'apt-cache',
      [
        'depends',
        '--no-recommends',
        '--no-suggests',
        '--no-conflicts',
        '--no-breaks',
        '--no-replaces',
        '--no-enhances',
        ...level,
      ],
      { encoding: 'utf8' },
    );
    const next: string[] = [];
    // "  Depends: libc6" and "  PreDepends: ..."; of alternatives ("|Depends: a" then "  Depends: b") take the first.
    let alternative = false;
    for (const line of out.split('\n')) {
      const match = /^\s*(\|)?(?:Pre)?Depends: (\S+)/.exec(line);
      if (!match?.[2]) {
        if (/^\S/.test(line)) alternative = false;
        continue;
      }
      const dep = match[2].replace(/:any$/, '');
      const takeIt = !alternative && libraryPackage.test(dep);
      alternative = match[1] === '|';
      if (takeIt && !seen.has(dep)) {
        seen.add(dep);
        next.push(dep);
      }
    }
    level = next;
  }
  return [...seen].sort();
}

/** The installed-candidate version of each package, for the cache key: a Debian security update rebuilds. */
export function candidateVersions(packages: readonly string[]): string[] {
  const out = execFileSync('apt-cache', ['policy', ...packages], { encoding: 'utf8' });
  return [...out.matchAll(/^(\S+):\n\s+Installed: .*\n\s+Candidate: (\S+)/gm)].map((m) => `${m[1]}=${m[2]}`);
}

/** `apt-get download` into `debs` (kept as a cache), then `dpkg-deb -x` each into `root`. */
export function extractPackages(packages: readonly string[], debs: string, root: string): void {
  mkdirSync(debs, { recursive: true });
  const have = new Set(readdirSync(debs).map((f) => f.split('_')[0]));
  const need = packages.filter((p) => !have.has(p));
  if (need.length > 0)
    execFileSync('apt-get', ['download', '-qq', ...need], { cwd: debs, stdio: ['ignore', 'ignore', 'inherit'] });
  mkdirSync(root, { recursive: true });
  for (const file of readdirSync(debs)) {
    if (!file.endsWith('.deb') || !packages.includes(file.split('_')[0] ?? '')) continue;
    execFileSync('dpkg-deb', ['-x', join(debs, file), root]);
  }
  if (!existsSync(join(root, 'usr'))) throw new Error(`nothing extracted from ${packages.join(', ')}`);
}

/**
 * A stamp of apt's package lists (names, sizes, times): the data images rebuild when `apt-get update` brings new
 * versions, without asking apt-cache (seconds per call on a busy machine) on every warm run.
 */
export function aptListsStamp(dir = '/var/lib/apt/lists'): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) {
    const stat = statSync(join(dir, file));
    if (stat.isFile()) hash.update(`${file}:${stat.size}:${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}
