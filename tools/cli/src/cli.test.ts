import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from './cli.ts';

const cliRoot = resolve(import.meta.dirname, '..');
const repoRoot = resolve(cliRoot, '../..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot }).toString().split('\n').filter(Boolean);
const sources = git('ls-files', 'tools/cli/src/*.ts').filter((f) => !f.endsWith('.test.ts'));

/** The relative imports of a source file, resolved to repository paths. */
const relativeImports = (file: string): string[] =>
  [
    ...readFileSync(join(repoRoot, file), 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm),
  ].map((m) => relative(repoRoot, resolve(repoRoot, dirname(file), m[1] as string)));

/** The import cycles of a graph (file -> the files it imports), each as the path around it; depth-first. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...path.slice(path.indexOf(file)), file]);
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

describe('one command shape (ADR 0080, issue 21)', () => {
  it('every command is a Command the dispatcher runs: summary, usage, run', () => {
    for (const [name, command] of Object.entries(commands)) {
      expect(command.summary, name).toMatch(/\S/);
      expect(command.usage, name).toContain(`homelab ${name}`);
      expect(typeof command.run, name).toBe('function');
    }
  });

  it('commands parse flags with parseFlags, never node:util parseArgs of their own', () => {
    const own = sources.filter(
      (f) => !f.includes('/framework/') && /\bparseArgs\b/.test(readFileSync(join(repoRoot, f), 'utf8')),
    );
    expect(own).toEqual([]);
  });

  it('the repository defines one UsageError and one number-flag parser', () => {
    expect(git('grep', '-l', '-E', 'class UsageError\\b', '--', '*.ts', ':!*.test.ts')).toEqual([
      'tools/cli/src/framework/exit-codes.ts',
    ]);
    const numberParsers = git(
      'grep',
      '-l',
      '-E',
      'Number\\((value|raw|values)',
      '--',
      'tools/cli/src/*.ts',
      ':!*.test.ts',
    );
    expect(numberParsers).toEqual(['tools/cli/src/framework/flags.ts']);
  });

  it('has no import cycle', () => {
    expect(sources.length).toBeGreaterThan(10);
    const graph = new Map(sources.map((f) => [f, relativeImports(f).filter((i) => sources.includes(i))]));
    expect(graph.get('tools/cli/src/cli.ts')).toContain('tools/cli/src/commands/cluster.ts');
    expect(cycles(graph)).toEqual([]);
    // The shape the credentials command once had: a command importing the index that imports every command.
    const cyclic = new Map([
      ['index.ts', ['cli.ts']],
      ['cli.ts', ['credentials.ts']],
      ['credentials.ts', ['index.ts']],
    ]);
    expect(cycles(cyclic)).toEqual([['index.ts', 'cli.ts', 'credentials.ts', 'index.ts']]);
  });
});
