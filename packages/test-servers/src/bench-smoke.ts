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

/** The status each request got, by case name (bodies read and dropped): a row's `refusals`. */
export async function probeStatuses(
  cases: Readonly<Record<string, { readonly url: string; readonly headers?: Record<string, string> }>>,
): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  for (const [name, { url, headers }] of Object.entries(cases)) statuses[name] = (await probe(url, headers)).status;
  return statuses;
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
  /**
   * The status of each request the row's server must refuse (by case name: a missing identity token, a malformed
   * id). Compared with the reference's when both have them: a ceiling that skips a check answers 200 here, while
   * its answer to the benchmark's own request can still be byte for byte the same.
   */
  readonly refusals?: Readonly<Record<string, number>>;
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
    for (const [request, status] of Object.entries(reference.refusals ?? {})) {
      const got = row.refusals?.[request];
      if (got !== status) {
        problems.push(`${row.name}: answered ${got ?? 'nothing'} to ${request}, ${reference.name} answered ${status}`);
      }
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

/** The header names an upstream received from one row's proxy (lower case), with the request sent through it. */
export interface ReceivedHeaders {
  readonly name: string;
  readonly headerNames: readonly string[];
}

/**
 * Why the proxies did not send the upstream the request `reference` sends (empty when they did): each name one of
 * them added or left out, so a reference that stops sending `traceparent` or forwards a hop-by-hop header fails
 * even though the API would still answer it with the same bytes.
 */
export function receivedHeaderProblems(rows: readonly ReceivedHeaders[], reference: ReceivedHeaders): string[] {
  const expected = new Set(reference.headerNames);
  const problems: string[] = [];
  for (const row of rows) {
    if (row === reference) continue;
    const got = new Set(row.headerNames);
    const missing = [...expected].filter((n) => !got.has(n)).sort();
    const extra = [...got].filter((n) => !expected.has(n)).sort();
    if (missing.length > 0) problems.push(`${row.name}: did not send upstream ${missing.join(', ')}`);
    if (extra.length > 0)
      problems.push(`${row.name}: sent upstream ${extra.join(', ')}, which ${reference.name} drops`);
  }
  return problems;
}
