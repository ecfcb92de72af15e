import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Summarises a V8 CPU profile (`node --cpu-prof`; the benchmarks write one with BENCH_PROFILE=<dir>) by self time
 * per function: where a process' CPU went, as a table instead of a flame graph, so it can go into docs and ADRs.
 *
 *   node packages/test-servers/src/cpu-profile.ts <file.cpuprofile> [top=25] [--by-package]
 *
 * `--by-package` sums the self time per npm package, per `node:` module and per repository file instead: a
 * feature's cost spread over many small functions shows up as one line.
 */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** `function (file:line)`, or V8's own names: `(garbage collector)`, `(program)`, `(idle)`. */
  readonly name: string;
  readonly micros: number;
  /** Share of the profile's busy time (idle excluded). */
  readonly share: number;
}

const frameName = ({ callFrame: f }: ProfileNode): string => {
  const fn = f.functionName || '(anonymous)';
  if (!f.url) return fn;
  const file = f.url.includes('node_modules/')
    ? f.url.slice(f.url.lastIndexOf('node_modules/') + 'node_modules/'.length)
    : f.url.startsWith('node:')
      ? f.url
      : basename(f.url);
  return `${fn} (${file}:${f.lineNumber + 1})`;
};

/** The npm package, `node:` module (two levels) or repository file (last three segments) a frame belongs to. */
const packageName = ({ callFrame: f }: ProfileNode): string => {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : `native ${f.functionName}`;
  if (f.url.includes('node_modules/')) {
    const [scope = '', name = ''] = f.url.slice(f.url.lastIndexOf('node_modules/') + 13).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (f.url.startsWith('node:')) return `node:${f.url.slice(5).split('/').slice(0, 2).join('/')}`;
  return f.url.split('/').slice(-3).join('/');
};

/** Self time per function (or per package), largest first; idle time is left out of the shares. */
export function selfTimes(profile: CpuProfile, by: 'function' | 'package' = 'function'): SelfTime[] {
  const nameOf = new Map(profile.nodes.map((n) => [n.id, by === 'package' ? packageName(n) : frameName(n)]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = nameOf.get(id) ?? '(unknown)';
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  totals.delete('(idle)');
  const busy = [...totals.values()].reduce((a, b) => a + b, 0) || 1;
  return [...totals]
    .map(([name, micros]) => ({ name, micros, share: micros / busy }))
    .sort((a, b) => b.micros - a.micros);
}

/** A markdown table of the top `n` functions by self time. */
export function selfTimeTable(profile: CpuProfile, n = 25, by: 'function' | 'package' = 'function'): string {
  const rows = selfTimes(profile, by)
    .slice(0, n)
    .map(
      (t) => `| ${t.name.replaceAll('|', '\\|')} | ${(t.micros / 1000).toFixed(0)} | ${(100 * t.share).toFixed(1)} % |`,
    );
  return [`| ${by} (self time) | ms | share of busy time |`, '| --- | ---: | ---: |', ...rows].join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const args = process.argv.slice(2).filter((a) => a !== '--by-package');
  const [file, top = '25'] = args;
  if (!file) throw new Error('usage: cpu-profile.ts <file.cpuprofile> [top] [--by-package]');
  const by = process.argv.includes('--by-package') ? 'package' : 'function';
  console.log(selfTimeTable(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top), by));
}
