import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findBinary, postgresAvailable, realServersRequired, redisAvailable } from '@homelab/test-servers';
import { describe, expect, it } from 'vitest';
import { type BenchEntry, type BenchNeed, expectedOutput, readManifests, repositoryFiles } from './bench-manifests.ts';
import { repoRoot } from './repo-root.ts';

/**
 * Runs the smoke mode of every benchmark the `bench.json` manifests list (the coverage check in
 * bench-manifests.test.ts makes sure that is every benchmark). A smoke run passes when it exits 0 and prints a
 * markdown table (a Go test benchmark: its `go test -bench` result lines); the bench itself exits 1 with the reasons when a row did not do the same work as the row it is
 * compared with. No figure is asserted here. One at a time: they measure, and would share two cores otherwise.
 */
const available: Record<BenchNeed, () => boolean> = {
  postgres: postgresAvailable,
  redis: redisAvailable,
  nginx: () => findBinary('nginx', ['/usr/sbin']) !== undefined,
  prometheus: () => findBinary('prometheus') !== undefined,
  go: () => findBinary('go') !== undefined,
  root: () => process.getuid?.() === 0,
};
/** How a missing need reads in the skip notice. */
const missingText = (need: BenchNeed) => (need === 'root' ? 'not running as root' : `${need} not installed`);

const files = repositoryFiles(repoRoot);
const entries = readManifests(repoRoot, files).flatMap(({ dir, manifest }) =>
  manifest.benches.map((bench) => ({ dir, bench })),
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runSmoke(dir: string, bench: BenchEntry): Promise<Run> {
  const [command = '', ...args] = bench.smoke;
  const child = spawn(command === 'node' ? process.execPath : command, args, {
    cwd: join(repoRoot, dir),
    env: { ...process.env, BENCH_SMOKE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), (bench.timeoutSeconds ?? 180) * 1000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('benchmark smoke runs', () => {
  it('finds benchmarks to run', () => {
    expect(entries.length).toBeGreaterThan(0);
  });

  for (const { dir, bench } of entries) {
    const missing = (bench.needs ?? []).filter((need) => !available[need]());
    const name = `${dir}/${bench.script}: ${bench.smoke.join(' ')}`;
    if (missing.length > 0 && !realServersRequired()) {
      console.warn(
        `\n\u001b[33m[notice]\u001b[0m skipping the smoke run of ${dir}/${bench.script}: ${missing.map(missingText).join(', ')} (CI=true requires it)`,
      );
      it.skip(name);
      continue;
    }
    it(
      name,
      async () => {
        expect(missing, `CI=true requires ${missing.join(', ')} for this benchmark`).toEqual([]);
        const run = await runSmoke(dir, bench);
        const tail = `\n--- stdout\n${run.stdout.slice(-3000)}\n--- stderr\n${run.stderr.slice(-3000)}`;
        expect(run.code, `exit code${tail}`).toBe(0);
        const output = expectedOutput(bench.script);
        expect(run.stdout, `${output.description} on stdout${tail}`).toMatch(output.pattern);
      },
      ((bench.timeoutSeconds ?? 180) + 30) * 1000,
    );
  }
});
