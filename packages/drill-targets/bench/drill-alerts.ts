/**
 * Which page-tier burn-rate alerts each local drill brings to pending (or firing) in a real Prometheus, and when.
 *   node packages/drill-targets/bench/drill-alerts.ts [--drills error-fault,latency-fault] [--until-firing]
 * Each drill runs on a fresh local platform (api, gateway, Prometheus with the project's rules at 1 s, the real
 * Redis and PostgreSQL when installed) with every page alert of api and gateway watched, expected or not. Prints a
 * markdown table: the evidence for which alerts the scenarios in packages/drills expect.
 *
 * Every drill must do the work its rows report: the fault injected, load answered, and every watched alert really
 * watched by Prometheus (observable, one row each); otherwise the table is printed and the script exits 1 with the
 * reasons. `--smoke` (or BENCH_SMOKE=1): error-fault alone with the fault held at most 5 s, for CI (alerts may then
 * show "never"; the figures stay in the table).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  alertSelector,
  describeSignal,
  type ExpectedSignal,
  pageAlert,
  type Scenario,
  scenarioNamed,
  untilFiring,
} from '@homelab/drills';
import { apps } from '@homelab/platform';
import { failOnProblems, smokeMode } from '@homelab/test-servers';
import { runLocalDrillSession } from '../src/local/drill-session.ts';

const { values } = parseArgs({
  options: { drills: { type: 'string' }, 'until-firing': { type: 'boolean' }, smoke: { type: 'boolean' } },
});
const smoke = smokeMode();
const names = (
  smoke ? 'error-fault' : (values.drills ?? 'error-fault,latency-fault,process-kill,crash-loop,oom-kill')
).split(',');
/**
 * Where the drill platforms' ports start. The smoke run shares CI with the drill suites, which pick random
 * offsets from 23,000 up: a random one below theirs (ports 19,000-23,000) keeps them from colliding.
 */
const basePortOffset = smoke ? 16_000 + Math.floor(Math.random() * 200) * 20 : 26_000;
/** The smoke run's longest hold of the fault (the runner's default is 15 s). */
const smokeFaultSeconds = 5;
const root = resolve(import.meta.dirname, '../../..');

const everyPageAlert: ExpectedSignal[] = [apps.gateway.name, apps.api.name].flatMap((app) => [
  pageAlert(app, 'availability'),
  pageAlert(app, 'latency'),
]);
const same = (a: ExpectedSignal, b: ExpectedSignal) =>
  a.kind === 'alert' && b.kind === 'alert' && alertSelector(a) === alertSelector(b) && a.state === b.state;

const rows: string[] = [];
const problems: string[] = [];
for (const [index, name] of names.entries()) {
  const base = scenarioNamed(name);
  const watched: Scenario = {
    ...base,
    expect: [...base.expect, ...everyPageAlert.filter((a) => !base.expect.some((e) => same(a, e)))],
  };
  const held = values['until-firing'] ? untilFiring(watched) : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'homelab-drill-alerts-'));
  process.stderr.write(`bench | ${name}…\n`);
  try {
    const { record } = await runLocalDrillSession(held?.scenario ?? watched, {
      root,
      dataDir,
      portOffset: basePortOffset + index * 20,
      postmortemDir: undefined,
      blind: false,
      prometheus: true,
      ...(held ? { maxFaultSeconds: held.holdSeconds } : smoke ? { maxFaultSeconds: smokeFaultSeconds } : {}),
      progress: (line) => process.stderr.write(`bench | ${name} | ${line}\n`),
    });
    const injectedEvent = record.events.find((e) => e.kind === 'injected');
    const injected = injectedEvent?.at ?? record.startedAt;
    if (!injectedEvent) problems.push(`${name}: the fault was never injected`);
    if (!record.load.some((s) => s.good > 0)) problems.push(`${name}: no request answered well under the drill's load`);
    for (const alert of watched.expect.filter((e) => e.kind === 'alert')) {
      const seen = record.signals.find((r) => same(r.signal, alert));
      if (!seen?.observable)
        problems.push(`${name}: ${describeSignal(alert)} was not watched (${seen?.detail ?? 'no row'})`);
    }
    const fault = record.measurements.timeToMitigateMs;
    for (const s of record.signals.filter((r) => r.signal.kind === 'alert')) {
      const expected = base.expect.some((e) => same(e, s.signal));
      rows.push(
        `| ${name} | ${describeSignal(s.signal)} | ${expected ? 'yes' : 'no'} | ${
          s.at === undefined ? 'never' : `${((s.at - injected) / 1000).toFixed(1)} s`
        } | ${fault === undefined ? '?' : `${(fault / 1000).toFixed(1)} s`} | ${record.measurements.failedRequests} / ${record.measurements.slowRequests} |`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
console.log('| drill | alert | expected by the scenario | time to state | fault held | failed / slow requests |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
failOnProblems('drill-alerts', problems);
