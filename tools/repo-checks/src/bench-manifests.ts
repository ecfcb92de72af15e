import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/**
 * Benchmarks plug into CI through a `bench.json` manifest (docs/benchmarks.md): every benchmark names the command
 * of its smoke mode, and every other file of a bench directory is declared a helper. The repo-check finds
 * benchmarks by convention, whatever the language, so a new one cannot be left out of the smoke run:
 *
 * - any file under a directory named `bench` or `benchmarks` (TypeScript, Go `main` packages, shell...);
 * - any Go test file declaring `func BenchmarkXxx(b *testing.B)`;
 * - any package.json script whose name starts with `bench`: the file it runs.
 *
 * Each must be covered by the nearest `bench.json` in its directory or above it.
 */
export const manifestName = 'bench.json';

/**
 * What a smoke run needs on the machine; missing locally it skips with a notice, under CI=true it fails. `root`:
 * the benchmark creates namespaces and cgroups (orch-bench), which an ordinary user cannot.
 */
export const benchNeeds = ['postgres', 'redis', 'nginx', 'prometheus', 'go', 'root'] as const;
export type BenchNeed = (typeof benchNeeds)[number];

export interface BenchEntry {
  /** The benchmark's entry file, relative to the manifest. */
  readonly script: string;
  /**
   * The smoke command (argv; `node` is the running Node), run in the manifest's directory. It must print a
   * markdown table, or, for a Go test file (`*_test.go`), `go test -bench` result lines.
   */
  readonly smoke: readonly string[];
  readonly needs?: readonly BenchNeed[];
  /** Default 180. A smoke run is seconds of tiny load; this only stops a hung one (a loaded machine stretches it). */
  readonly timeoutSeconds?: number;
}

export interface BenchManifest {
  readonly benches: readonly BenchEntry[];
  /**
   * Files of the bench directory that are not benchmarks themselves (servers, load generators, types). A Go test
   * file with a Benchmark function is a benchmark wherever it is: it cannot be a helper.
   */
  readonly helpers?: readonly string[];
}

/** A manifest as read from disk, with its directory (repository-relative, '' for the root). */
export interface LocatedManifest {
  readonly dir: string;
  readonly manifest: BenchManifest;
}

const benchDir = /(^|\/)(bench|benchmarks)\//;
const goBenchmark = /^func Benchmark\w*\(\w+ \*testing\.B\)/m;

/** What a smoke run must print: a markdown table, or a `go test -bench` result line for a Go test file. */
export const markdownTable = /^\|( *:?-{3,}:? *\|)+ *$/m;
export const goBenchmarkResult = /^Benchmark\w+(-\d+)?\s+\d+\s+[\d.]+ ns\/op/m;
export const expectedOutput = (script: string): { readonly pattern: RegExp; readonly description: string } =>
  script.endsWith('_test.go')
    ? { pattern: goBenchmarkResult, description: 'a go test -bench result line' }
    : { pattern: markdownTable, description: 'a markdown table' };
const notCode = /\.(md|json)$/;

/** Files a benchmark may live in, by the conventions above (paths relative to the repository). */
export function benchCandidates(files: readonly string[], read: (file: string) => string): string[] {
  const found = new Set<string>();
  for (const file of files) {
    if (benchDir.test(file) && !notCode.test(file)) found.add(file);
    else if (file.endsWith('_test.go') && goBenchmark.test(read(file))) found.add(file);
    else if (posix.basename(file) === 'package.json' && !file.includes('node_modules/')) {
      const scripts = (JSON.parse(read(file)) as { scripts?: Record<string, string> }).scripts ?? {};
      for (const [name, command] of Object.entries(scripts)) {
        if (!name.startsWith('bench')) continue;
        // The last such word: the first may be a launcher (`bash ../../scripts/tools.sh node bench/x.ts`).
        const target = command.split(/\s+/).findLast((word) => /\.(ts|js|mjs|go|sh)$/.test(word));
        found.add(target ? posix.join(posix.dirname(file), target) : `${file}#scripts.${name}`);
      }
    }
  }
  return [...found].sort();
}

/** The manifest covering a file: the nearest `bench.json` in its directory or an ancestor. */
export function coveringManifest(file: string, manifests: readonly LocatedManifest[]): LocatedManifest | undefined {
  let dir = posix.dirname(file);
  for (;;) {
    const here = manifests.find((m) => m.dir === (dir === '.' ? '' : dir));
    if (here) return here;
    if (dir === '.' || dir === '') return undefined;
    dir = posix.dirname(dir);
  }
}

const within = (m: LocatedManifest, path: string) => (m.dir ? posix.join(m.dir, path) : posix.normalize(path));

/** Why the manifests do not cover the repository's benchmarks (empty when they do). */
export function coverageProblems(
  candidates: readonly string[],
  manifests: readonly LocatedManifest[],
  exists: (file: string) => boolean,
  read: (file: string) => string = () => '',
): string[] {
  const problems: string[] = [];
  for (const file of candidates) {
    const m = coveringManifest(file, manifests);
    if (!m) {
      problems.push(`${file}: a benchmark (by convention) with no ${manifestName} in its directory or above`);
      continue;
    }
    const declared = [...m.manifest.benches.map((b) => b.script), ...(m.manifest.helpers ?? [])].map((p) =>
      within(m, p),
    );
    if (!declared.includes(file)) {
      problems.push(`${file}: not listed in ${within(m, manifestName)} (a bench with a smoke command, or a helper)`);
    }
  }
  for (const m of manifests) {
    for (const b of m.manifest.benches) {
      if (!exists(within(m, b.script))) problems.push(`${within(m, manifestName)}: ${b.script} does not exist`);
      if (b.smoke.length === 0) problems.push(`${within(m, manifestName)}: ${b.script} has no smoke command`);
      for (const need of b.needs ?? []) {
        if (!benchNeeds.includes(need)) problems.push(`${within(m, manifestName)}: ${b.script} needs unknown ${need}`);
      }
    }
    for (const h of m.manifest.helpers ?? []) {
      if (!exists(within(m, h))) problems.push(`${within(m, manifestName)}: helper ${h} does not exist`);
      else if (h.endsWith('_test.go') && goBenchmark.test(read(within(m, h)))) {
        problems.push(
          `${within(m, manifestName)}: ${h} declares a Go Benchmark function: list it under benches with a smoke command (go test -run '^$' -bench . -benchtime 1x), not as a helper`,
        );
      }
    }
  }
  return problems;
}

/** Tracked and new (not ignored) files of the repository, so a bench not yet committed is checked too. */
export function repositoryFiles(root: string): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString()
    .split('\n')
    .filter((f) => f && existsSync(join(root, f)));
}

/** Every `bench.json` of the repository. */
export function readManifests(root: string, files: readonly string[]): LocatedManifest[] {
  return files
    .filter((f) => posix.basename(f) === manifestName)
    .map((f) => ({
      dir: dirname(f) === '.' ? '' : dirname(f),
      manifest: JSON.parse(readFileSync(join(root, f), 'utf8')) as BenchManifest,
    }));
}
