import type { DrillRecord } from './record.ts';
import { alertTime, renderChart } from './render.ts';
import { describeSignal } from './runner.ts';
import type { Scenario } from './scenario.ts';

const seconds = (ms: number | undefined) => (ms === undefined ? 'not reached' : `${(ms / 1000).toFixed(1)} s`);
const utc = (at: number) => new Date(at).toISOString().replace('T', ' ').slice(0, 19);
const hhmm = (at: number) => new Date(at).toISOString().slice(11, 16);

/** Who mitigated, in the words of the environment the drill ran in. */
function mitigationText(scenario: Scenario): string {
  switch (scenario.mitigation) {
    case 'automatic-restart':
      if (scenario.environment === 'cluster') return 'The ReplicaSet replaced the pod by itself.';
      if (scenario.environment === 'orchestrator') return "The node's agent restarted the process by itself.";
      return 'The supervisor restarted the process by itself (what the kubelet does).';
    case 'automatic-reschedule':
      return "The orchestrator's control plane replaced the instances of the unreachable node on another node by itself.";
    default:
      return 'The drill reverted the injection, standing in for the operator following the runbook.';
  }
}

/** `YYYY-MM-DD-drill-<name>.md`: the file name postmortems/README.md asks for. */
export const postmortemFileName = (record: DrillRecord): string =>
  `${new Date(record.startedAt).toISOString().slice(0, 10)}-drill-${record.scenario}.md`;

/**
 * A blameless postmortem draft in the shape of postmortems/TEMPLATE.md, filled from the record alone: every
 * number and time in it was measured in the run. The parts only a person can write are left as prompts.
 */
export function renderPostmortem(scenario: Scenario, record: DrillRecord): string {
  const m = record.measurements;
  const detected = record.signals.filter((s) => s.at !== undefined).sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  const missed = record.signals.filter((s) => s.at === undefined);
  const held = record.invariants.filter((i) => i.held);
  const broken = record.invariants.filter((i) => !i.held);
  const durationMs = record.finishedAt - record.startedAt;
  const injected = record.events.find((e) => e.kind === 'injected')?.at ?? record.startedAt;
  const wentWell = [
    ...detected.map(
      (s) => `- Detected: ${describeSignal(s.signal)} after ${seconds((s.at ?? 0) - injected)} (${s.detail}).`,
    ),
    ...held.map((i) => `- Invariant held: ${i.invariant.kind} (${i.detail}).`),
    ...(m.timeToRecoverMs !== undefined ? [`- Recovered ${seconds(m.timeToRecoverMs)} after the injection.`] : []),
  ];
  const wentBadly = [
    ...(m.failedRequests > 0 ? [`- ${m.failedRequests} requests failed before recovery.`] : []),
    ...missed.map((s) => `- Not detected: ${describeSignal(s.signal)} (${s.detail}).`),
    ...broken.map((i) => `- Invariant BROKEN: ${i.invariant.kind} (${i.detail}).`),
    ...(m.timeToRecoverMs === undefined ? ['- The platform did not recover within the drill.'] : []),
  ];
  const detectionLine =
    detected.length > 0
      ? `First signal: ${describeSignal(detected[0]?.signal ?? scenario.expect[0] ?? { kind: 'triage', check: 'k8s' })}, ${seconds(m.timeToDetectMs)} after the injection.`
      : 'Nothing the drill watches for was seen.';
  // Detection names the alert and how long it took, or says plainly why no alert was watched.
  const alerts = record.signals.filter((s) => s.signal.kind === 'alert');
  const alertLines = alerts.map((s) => {
    const alert = describeSignal(s.signal).replace(/^alert/, 'Alert');
    if (s.at !== undefined) return `- ${alert} ${seconds(s.at - injected)} after the injection (${s.detail}).`;
    return `- ${alert}: ${s.observable ? 'NOT reached within the drill' : `not observable here (${s.detail})`}.`;
  });
  const alertSummary =
    alerts.length === 0
      ? 'No Prometheus alert is expected for this fault.'
      : `Time to alert: pending ${alertTime(record, 'pending')}, firing ${alertTime(record, 'firing')}.`;
  return `# ${scenario.title}

- **Date:** ${utc(record.startedAt)}–${hhmm(record.finishedAt)} UTC (${(durationMs / 1000).toFixed(0)} s)
- **Severity:** ${m.failedRequests > 0 ? 'page' : 'ticket'} (drill)
- **Kind:** drill (\`homelab drill ${record.scenario}\`)${record.blind ? ', played blind' : ''}
- **Author(s):** drill runner (draft); edit before sharing
- **Environment:** ${record.environmentDetail}
- **Result:** ${record.passed ? 'hypothesis held' : 'hypothesis NOT confirmed (see below)'}

## Summary
${scenario.hypothesis} Injected: \`${JSON.stringify(scenario.inject)}\`. ${detectionLine} ${
    m.timeToRecoverMs !== undefined
      ? `Recovered after ${seconds(m.timeToRecoverMs)}.`
      : 'Did not recover within the drill.'
  }

## Impact
| measure | value |
| --- | --- |
| requests sent | ${m.requests} |
| failed requests (5xx or no answer) | ${m.failedRequests} |
| slow requests (over the latency SLO) | ${m.slowRequests} |
| availability error budget spent | ${m.availabilityBudgetSpentPercent.toFixed(4)} % of 30 days |
| latency error budget spent | ${m.latencyBudgetSpentPercent.toFixed(4)} % of 30 days |
| data lost | ${scenario.invariants.some((i) => i.kind === 'no-acknowledged-write-lost') ? (broken.length > 0 ? 'see invariants' : 'none (checked)') : 'not applicable (reads only)'} |

Budget spent assumes the drill's ${scenario.load.ratePerSecond} req/s were the service's traffic for the whole
30-day period (budget = (1 − objective) × rate × period); the same failure at other traffic scales with it.

## Trigger
The drill injected \`${scenario.inject.kind}\` at ${utc(injected)} UTC under ${scenario.load.ratePerSecond} req/s of load.

## Root cause
${scenario.hypothesis}
<!-- Say why the platform let it reach users: one replica, no retry on that path, a limit too tight. -->

## Timeline (UTC)
| time | +s | event |
| --- | --- | --- |
${record.events.map((e) => `| ${new Date(e.at).toISOString().slice(11, 23)} | ${((e.at - injected) / 1000).toFixed(1)} | ${e.kind}: ${e.detail.replaceAll('|', '\\|').slice(0, 240)} |`).join('\n')}

Load per second from its start (\`#\` good, \`~\` slow, \`x\` failed):
\`\`\`
${renderChart(record.load)}
\`\`\`

## Detection
${detectionLine} Time to detect ${seconds(m.timeToDetectMs)}, to mitigate ${seconds(m.timeToMitigateMs)}, to recover ${seconds(m.timeToRecoverMs)}.
${[alertSummary, ...alertLines].join('\n')}

${record.signals.map((s) => `- ${s.at !== undefined ? 'seen' : s.observable ? 'missed' : 'not observable here'}: ${describeSignal(s.signal)} — ${s.detail}`).join('\n')}

Triage (\`homelab triage ${record.runbook.triageCheck}\`): ${record.triage}

## Resolution
${mitigationText(scenario)} Runbook: [${record.runbook.path}](../${record.runbook.path}).

## What went well / what did not
What went well:
${wentWell.join('\n') || '- (nothing measured)'}

What went badly:
${wentBadly.join('\n') || '- Nothing measured went badly.'}

Where we got lucky:
- <!-- e.g. the drill ran at low traffic; no other fault at the same time -->

## Evidence
\`\`\`
${record.evidence.slice(-12).join('\n') || '(no log lines captured)'}
\`\`\`
Real: ${record.realism.real.join('; ')}. Simulated: ${record.realism.simulated.join('; ') || 'nothing'}.

## Action items
| action | kind (prevent / detect / mitigate) | owner | issue |
| --- | --- | --- | --- |
${missed.map((s) => `| make "${describeSignal(s.signal)}" observable | detect | | |`).join('\n')}
| <!-- fill in --> | | | |
`;
}
