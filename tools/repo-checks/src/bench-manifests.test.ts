import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  benchCandidates,
  coverageProblems,
  expectedOutput,
  type LocatedManifest,
  readManifests,
  repositoryFiles,
} from './bench-manifests.ts';
import { repoRoot } from './repo-root.ts';

describe('every benchmark has a smoke run', () => {
  it('covers every bench script of the repository with a bench.json entry (smoke command) or helper', () => {
    const files = repositoryFiles(repoRoot);
    const candidates = benchCandidates(files, (f) => readFileSync(join(repoRoot, f), 'utf8'));
    const manifests = readManifests(repoRoot, files);
    // The known benchmarks are found by the conventions (a regression here means discovery broke, not coverage).
    expect(candidates).toEqual(
      expect.arrayContaining([
        'apps/api/bench/get-note.ts',
        'apps/gateway/bench/proxy.ts',
        'apps/gateway/bench/breaker-recovery.ts',
        'packages/canary-gate/bench/gate-vs-flagger.ts',
        'packages/drill-targets/bench/drill-alerts.ts',
      ]),
    );
    const read = (f: string) => readFileSync(join(repoRoot, f), 'utf8');
    expect(coverageProblems(candidates, manifests, (f) => existsSync(join(repoRoot, f)), read)).toEqual([]);
  });
});

describe('benchmark discovery', () => {
  const sources: Record<string, string> = {
    'apps/api-go/internal/notes/handler_test.go':
      'package notes\n\nfunc BenchmarkGetNote(b *testing.B) {\n\tfor b.Loop() {}\n}\n',
    'apps/api-go/internal/notes/store_test.go': 'package notes\n\nfunc TestStore(t *testing.T) {}\n',
    'orchestrator/bench/main.go': 'package main\n',
    'apps/api/bench/new-bench.ts': '',
    'apps/api/bench/get-note.ts': '',
    'apps/api/bench/results.md': '',
    'apps/web/package.json': JSON.stringify({ scripts: { 'bench:render': 'node scripts/render.ts', start: 'x' } }),
  };
  const files = Object.keys(sources);
  const read = (f: string) => sources[f] ?? '';
  const api: LocatedManifest = {
    dir: 'apps/api/bench',
    manifest: { benches: [{ script: 'get-note.ts', smoke: ['node', 'get-note.ts', '--smoke'] }] },
  };

  it('finds bench-directory files, Go Benchmark functions and package.json bench scripts, not docs or plain tests', () => {
    expect(benchCandidates(files, read)).toEqual([
      'apps/api-go/internal/notes/handler_test.go',
      'apps/api/bench/get-note.ts',
      'apps/api/bench/new-bench.ts',
      'apps/web/scripts/render.ts',
      'orchestrator/bench/main.go',
    ]);
  });

  it('names each benchmark no manifest covers, and one a manifest does not list', () => {
    const problems = coverageProblems(benchCandidates(files, read), [api], () => true);
    expect(problems).toEqual([
      expect.stringMatching(/^apps\/api-go\/internal\/notes\/handler_test\.go: .*no bench\.json/),
      expect.stringMatching(/^apps\/api\/bench\/new-bench\.ts: not listed in apps\/api\/bench\/bench\.json/),
      expect.stringMatching(/^apps\/web\/scripts\/render\.ts: .*no bench\.json/),
      expect.stringMatching(/^orchestrator\/bench\/main\.go: .*no bench\.json/),
    ]);
  });

  it('accepts a Go module manifest listing its benchmark with a go test smoke command', () => {
    const goModule: LocatedManifest = {
      dir: 'apps/api-go',
      manifest: {
        benches: [
          {
            script: 'internal/notes/handler_test.go',
            smoke: ['go', 'test', '-run', '^$', '-bench', '.', '-benchtime', '1x', './internal/notes'],
            needs: ['go'],
          },
        ],
      },
    };
    const candidates = ['apps/api-go/internal/notes/handler_test.go'];
    expect(coverageProblems(candidates, [goModule], () => true)).toEqual([]);
  });

  it('refuses a Go test benchmark listed as a helper (it would never be smoked)', () => {
    const goModule: LocatedManifest = {
      dir: 'apps/api-go',
      manifest: { benches: [], helpers: ['internal/notes/handler_test.go', 'internal/notes/store_test.go'] },
    };
    const candidates = ['apps/api-go/internal/notes/handler_test.go'];
    expect(coverageProblems(candidates, [goModule], () => true, read)).toEqual([
      expect.stringMatching(
        /^apps\/api-go\/bench\.json: internal\/notes\/handler_test\.go declares a Go Benchmark function: list it under benches/,
      ),
    ]);
  });

  it('expects go test -bench result lines from a Go test benchmark and a markdown table from any other', () => {
    const go = expectedOutput('scheduler/scheduler_test.go').pattern;
    expect('goos: linux\nBenchmarkSchedule100Nodes-2   \t       1\t    812345 ns/op\nPASS\n').toMatch(go);
    expect('PASS\nok  \thomelab/orchestrator/scheduler\t0.01s\n').not.toMatch(go);
    expect('| a | b |\n| --- | ---: |\n').toMatch(expectedOutput('get-note.ts').pattern);
  });

  it('flags manifest entries whose script is missing, has no smoke command or needs something unknown', () => {
    const broken: LocatedManifest = {
      dir: 'x/bench',
      manifest: {
        benches: [{ script: 'gone.ts', smoke: [], needs: ['docker' as never] }],
        helpers: ['also-gone.ts'],
      },
    };
    expect(coverageProblems([], [broken], () => false)).toEqual([
      'x/bench/bench.json: gone.ts does not exist',
      'x/bench/bench.json: gone.ts has no smoke command',
      'x/bench/bench.json: gone.ts needs unknown docker',
      'x/bench/bench.json: helper also-gone.ts does not exist',
    ]);
  });
});
