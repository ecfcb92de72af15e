import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Summarises a V8 CPU profile (`node --cpu-prof`; the benchmarks write one with BENCH_PROFILE=<dir>) by self time
 * per function: where a process' CPU went, as a table instead of a flame graph, so it can go into docs and ADRs.
 *
 *   node packages/test-servers/src/cpu-profile.ts <file.cpuprofile> [top=25]
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

/** Self time per function, largest first; idle time is left out of the shares. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const nameOf = new Map(profile.nodes.map((n) => [n.id, frameName(n)]));
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
export function selfTimeTable(profile: CpuProfile, n = 25): string {
  const rows = selfTimes(profile)
    .slice(0, n)
    .map(
      (t) => `| ${t.name.replaceAll('|', '\\|')} | ${(t.micros / 1000).toFixed(0)} | ${(100 * t.share).toFixed(1)} % |`,
    );
  return ['| function (self time) | ms | share of busy time |', '| --- | ---: | ---: |', ...rows].join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile.ts <file.cpuprofile> [top]');
  console.log(selfTimeTable(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top)));
}
