/**
 * How long each promtool test file takes, one at a time, against the platform-alert file as the reference
 * measured in the same run. Prints a table; use it before adding scenarios or shortening intervals.
 *
 *   node observability/scripts/promtool-timing.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runPromtool } from '../testing/promtool.ts';

const testsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests');
const reference = 'platform.test.yaml';

const files = readdirSync(testsDir)
  .filter((name) => name.endsWith('.test.yaml'))
  .sort((a, b) => (a === reference ? -1 : b === reference ? 1 : a.localeCompare(b)));

const rows: Array<{ file: string; tests: number; seconds: number; ok: boolean }> = [];
for (const file of files) {
  const tests = (parse(readFileSync(join(testsDir, file), 'utf8')) as { tests: unknown[] }).tests.length;
  const started = performance.now();
  const result = await runPromtool(['test', 'rules', file], testsDir);
  rows.push({ file, tests, seconds: (performance.now() - started) / 1000, ok: result.code === 0 });
}
const referenceSeconds = rows[0]?.seconds ?? 1;
console.log('| file | test groups | seconds | x reference | result |\n| --- | --- | --- | --- | --- |');
for (const r of rows) {
  const ratio = (r.seconds / referenceSeconds).toFixed(1);
  console.log(`| ${r.file} | ${r.tests} | ${r.seconds.toFixed(2)} | ${ratio} | ${r.ok ? 'pass' : 'FAIL'} |`);
}
const total = rows.reduce((sum, r) => sum + r.seconds, 0);
console.log(
  `| total | ${rows.reduce((s, r) => s + r.tests, 0)} | ${total.toFixed(1)} | ${(total / referenceSeconds).toFixed(1)} | |`,
);
