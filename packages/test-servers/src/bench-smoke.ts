/**
 * What every benchmark script shares for its smoke mode (docs/benchmarks.md): a short run that must complete,
 * print its table, and prove each row did the same work as the row it is compared with. Figures are never
 * asserted; sameness is.
 */
import { benchSmokeSetting } from './env.ts';

/** `--smoke` on the command line or `BENCH_SMOKE=1` in the environment: seconds of tiny load instead of minutes. */
export const smokeMode = (
  argv: readonly string[] = process.argv,
  env: Readonly<Record<string, string | undefined>> = { BENCH_SMOKE: benchSmokeSetting() },
): boolean => argv.includes('--smoke') || env.BENCH_SMOKE === '1';

/** One answer of a row's server, as the load generator would get it. */
export interface ProbedAnswer {
  readonly status: number;
  /** The media type without parameters, e.g. `application/json`. */
  readonly contentType: string;
  readonly body: Buffer;
}

/** One GET, body read in full. */
export async function probe(url: string, headers: Record<string, string> = {}): Promise<ProbedAnswer> {
  const response = await fetch(url, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    contentType: (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '',
    body,
  };
}

/** A row of a comparison table, with what its load generator counted and one probed answer. */
export interface RowWork {
  readonly name: string;
  /** Answers outside 2xx during the measured run(s). */
  readonly non2xx: number;
  /** Connection errors and timeouts during the measured run(s). */
  readonly errors: number;
  /** Requests the load generator completed; a row that measured nothing did no work at all. */
  readonly total: number;
  readonly answer?: ProbedAnswer;
}

const describe = (a: ProbedAnswer) => `${a.status} ${a.contentType || '(no content-type)'} ${a.body.length} bytes`;

/**
 * Why the rows did not do the same work as `reference` (empty when they did): any non-2xx or error, an empty
 * run, or an answer whose status, media type or body bytes differ from the reference row's.
 */
export function sameWorkProblems(rows: readonly RowWork[], reference: RowWork): string[] {
  const problems: string[] = [];
  for (const row of [reference, ...rows.filter((r) => r !== reference)]) {
    if (row.total <= 0) problems.push(`${row.name}: completed no requests`);
    if (row.non2xx > 0) problems.push(`${row.name}: ${row.non2xx} non-2xx answers`);
    if (row.errors > 0) problems.push(`${row.name}: ${row.errors} errors or timeouts`);
    if (row === reference || !row.answer || !reference.answer) {
      if (!row.answer) problems.push(`${row.name}: no probed answer to compare`);
      continue;
    }
    const [a, b] = [row.answer, reference.answer];
    if (a.status !== b.status || a.contentType !== b.contentType || !a.body.equals(b.body)) {
      problems.push(`${row.name}: answered ${describe(a)}, ${reference.name} answered ${describe(b)}`);
    }
  }
  if (reference.answer && (reference.answer.status < 200 || reference.answer.status > 299)) {
    problems.push(`${reference.name}: the reference answer itself is ${describe(reference.answer)}`);
  }
  return problems;
}

/**
 * Ends a benchmark that did not do what its table claims: the reasons on stderr and a non-zero exit code. Used
 * in every mode, not only the smoke mode: a full run with broken rows has no figures worth printing either.
 */
export function failOnProblems(bench: string, problems: readonly string[]): void {
  if (problems.length === 0) return;
  process.stderr.write(`\n${bench}: the rows did not do the same work:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
  process.exitCode = 1;
}
