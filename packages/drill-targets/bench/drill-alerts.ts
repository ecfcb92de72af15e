/**
 * Which page-tier burn-rate alerts each local drill brings to pending (or firing) in a real Prometheus, and when.
 *   node packages/drill-targets/bench/drill-alerts.ts [--drills error-fault,latency-fault] [--until-firing]
 * Each drill runs on a fresh local platform (api, gateway, Prometheus with the project's rules at 1 s, the real
 * Redis and PostgreSQL when installed) with every page alert of api and gateway watched, expected or not. Prints a
 * markdown table: the evidence for which alerts the scenarios in packages/drills expect.
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
import { runLocalDrillSession } from '../src/local/drill-session.ts';

const { values } = parseArgs({ options: { drills: { type: 'string' }, 'until-firing': { type: 'boolean' } } });
const names = (values.drills ?? 'error-fault,latency-fault,process-kill,crash-loop,oom-kill').split(',');
const root = resolve(import.meta.dirname, '../../..');

const everyPageAlert: ExpectedSignal[] = [apps.gateway.name, apps.api.name].flatMap((app) => [
  pageAlert(app, 'availability'),
  pageAlert(app, 'latency'),
]);
const same = (a: ExpectedSignal, b: ExpectedSignal) =>
  a.kind === 'alert' && b.kind === 'alert' && alertSelector(a) === alertSelector(b) && a.state === b.state;

const rows: string[] = [];
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
      portOffset: 26_000 + index * 20,
      postmortemDir: undefined,
      blind: false,
      prometheus: true,
      ...(held ? { maxFaultSeconds: held.holdSeconds } : {}),
      progress: (line) => process.stderr.write(`bench | ${name} | ${line}\n`),
    });
    const injected = record.events.find((e) => e.kind === 'injected')?.at ?? record.startedAt;
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
