import Table from 'cli-table3';
import type { DrillRecord, LoadSecond } from './record.ts';
import { describeSignal } from './runner.ts';
import type { AlertState, Scenario } from './scenario.ts';

const plain = { style: { head: [], border: [] } };
const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const clock = (at: number) => new Date(at).toISOString().slice(11, 23);

/** `--list`: one row per scenario. */
export function renderList(scenarios: readonly Scenario[]): string {
  const table = new Table({
    head: ['drill', 'where', 'what breaks'],
    ...plain,
    wordWrap: true,
    colWidths: [26, 14, 62],
  });
  for (const s of scenarios) table.push([s.name, s.environment, s.title]);
  return table.toString();
}

/** `--dry-run`: everything the drill would do, nothing done. */
export function renderPlan(s: Scenario): string {
  const lines = [
    `${s.name}: ${s.title} (${s.environment})`,
    `hypothesis:    ${s.hypothesis}`,
    `preconditions: ${s.preconditions.join('; ')}`,
    `load:          ${s.load.ratePerSecond} req/s via ${s.load.via}, ${s.baselineSeconds} s baseline, at most ${s.load.maxSeconds} s`,
    `inject:        ${JSON.stringify(s.inject)}`,
    `expect:        ${s.expect.map(describeSignal).join('; ') || 'nothing beyond the invariants'}`,
    `invariants:    ${s.invariants.map((i) => i.kind).join('; ') || 'none'}`,
    `mitigation:    ${s.mitigation}; recovered after ${s.recoveredAfterSeconds} s of good requests`,
    `runbook:       ${s.runbook.path} (confirm with: homelab triage ${s.runbook.triageCheck})`,
    `real:          ${s.realism.real.join('; ')}`,
    `simulated:     ${s.realism.simulated.join('; ') || 'nothing'}`,
    '(dry run: nothing was started or changed)',
  ];
  return lines.join('\n');
}

/** One row per second of load: `#` answered well, `x` failed, `~` slow, so the events read against it. */
export function renderChart(load: readonly LoadSecond[]): string {
  return load
    .map((l) => `${String(l.second).padStart(4)} s | ${'#'.repeat(l.good)}${'~'.repeat(l.slow)}${'x'.repeat(l.failed)}`)
    .join('\n');
}

/**
 * "time to alert" for one state: measured, or why there is no number (no alert expected, Prometheus not running,
 * the alert never reached the state within the drill).
 */
export function alertTime(record: DrillRecord, state: AlertState): string {
  const alerts = record.signals.filter((s) => s.signal.kind === 'alert');
  const ms = state === 'pending' ? record.measurements.timeToAlertPendingMs : record.measurements.timeToAlertFiringMs;
  if (ms !== undefined) return seconds(ms);
  if (alerts.length === 0) return 'no alert expected';
  if (alerts.every((s) => !s.observable)) return `not observable (${alerts[0]?.detail})`;
  if (state === 'firing' && !alerts.some((s) => s.signal.kind === 'alert' && s.signal.state === 'firing')) {
    return 'not awaited (--until-firing holds the fault for the `for`)';
  }
  return 'never';
}

/** The human result: timeline, numbers, signals, invariants, realism. */
export function renderRecord(record: DrillRecord): string {
  const m = record.measurements;
  const timeline = new Table({
    head: ['time (UTC)', '+s', 'event', 'detail'],
    ...plain,
    wordWrap: true,
    colWidths: [14, 8, 22, 60],
  });
  const injected = record.events.find((e) => e.kind === 'injected')?.at ?? record.startedAt;
  for (const e of record.events) {
    timeline.push([clock(e.at), ((e.at - injected) / 1000).toFixed(1), e.kind, e.detail.slice(0, 200)]);
  }
  const numbers = new Table({ head: ['measure', 'value'], ...plain });
  numbers.push(
    ['requests sent', String(m.requests)],
    ['failed requests (5xx / no answer)', String(m.failedRequests)],
    ['slow requests (over the latency SLO)', String(m.slowRequests)],
    ['availability budget spent', `${m.availabilityBudgetSpentPercent.toFixed(4)} % of 30 days`],
    ['latency budget spent', `${m.latencyBudgetSpentPercent.toFixed(4)} % of 30 days`],
    ['time to first failure', seconds(m.timeToFirstFailureMs)],
    ['time to detect', seconds(m.timeToDetectMs)],
    ['time to mitigate', seconds(m.timeToMitigateMs)],
    ['time to recover', seconds(m.timeToRecoverMs)],
    ['time to alert (pending)', alertTime(record, 'pending')],
    ['time to alert (firing)', alertTime(record, 'firing')],
  );
  const signals = record.signals.map(
    (s) =>
      `  ${s.at !== undefined ? 'seen  ' : s.observable ? 'MISSED' : 'n/a   '} ${describeSignal(s.signal)}: ${s.detail}`,
  );
  const invariants = record.invariants.map((i) => `  ${i.held ? 'held  ' : 'BROKEN'} ${i.invariant.kind}: ${i.detail}`);
  return [
    `drill ${record.scenario}: ${record.title} — ${record.passed ? 'PASSED' : 'FAILED'}`,
    `where: ${record.environmentDetail}`,
    timeline.toString(),
    'load per second since it started (# good, ~ slow, x failed):',
    renderChart(record.load),
    numbers.toString(),
    'signals:',
    ...signals,
    // What the target did and saw beyond the timeline (a drain's refused evictions, the pod it deleted).
    ...(record.evidence.length > 0 ? ['evidence:', ...record.evidence.map((e) => `  ${e}`)] : []),
    ...(invariants.length > 0 ? ['invariants:', ...invariants] : []),
    `triage (${record.runbook.triageCheck}): ${record.triage}`,
    `runbook: ${record.runbook.path}`,
    ...(record.blind
      ? [
          `blind: answer "${record.blind.answer}" is ${record.blind.correct ? 'right' : 'wrong'}; diagnosed in ${seconds(record.blind.timeToDiagnoseMs)}, recovered in ${seconds(m.timeToRecoverMs)}`,
        ]
      : []),
    `real: ${record.realism.real.join('; ')}`,
    `simulated: ${record.realism.simulated.join('; ') || 'nothing'}`,
  ].join('\n');
}
