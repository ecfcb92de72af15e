import { createConnection } from 'node:net';
import {
  confirmWithTriage,
  type DrillTarget,
  type ExpectedSignal,
  matchingAlert,
  signalMatches,
} from '@homelab/drills';
import { activeAlerts, dependency, type LocalDrill } from './local-drill.ts';

const evidencePattern =
  /^(started|exited)|invalid configuration|"level":"(fatal|error)"|fault injection settings changed|rolled back|promot|stage/;

const probe = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });

export function cannotObserve(drill: LocalDrill, signal: ExpectedSignal): string | undefined {
  if (signal.kind === 'alert' && !drill.prometheusUrl)
    return 'no Prometheus in this drill run (--prometheus starts it)';
  if (signal.kind === 'certificate-expiring') return 'no TLS listener in this target';
  return undefined;
}

/** A Prometheus alert matching the signal: since when, its value and its labels. */
async function observeAlert(
  drill: LocalDrill,
  signal: Extract<ExpectedSignal, { kind: 'alert' }>,
  since: number,
): Promise<string | undefined> {
  const alert = matchingAlert(signal, await activeAlerts(drill), since);
  if (!alert) return undefined;
  // The labels the signal does not name already (severity, slo, component): the selector precedes this.
  const labels = Object.entries(alert.labels)
    .filter(([k]) => k !== 'alertname' && signal.labels?.[k] === undefined)
    .map(([k, v]) => `${k}=${v}`);
  const active = ((Date.parse(alert.activeAt) - since) / 1000).toFixed(1);
  return `Prometheus: ${alert.state} since +${active} s, value ${Number(alert.value).toPrecision(3)} (${labels.join(' ')})`;
}

async function observeTriage(
  drill: LocalDrill,
  signal: Extract<ExpectedSignal, { kind: 'triage' }>,
): Promise<string | undefined> {
  // Only findings about this supervisor's own cgroups count: the machine may have other OOM kills.
  const matches = signalMatches(signal);
  const verdict = await confirmWithTriage(
    signal.check,
    {},
    (f) => f.subject.includes(drill.cgroupPrefix) && matches(f),
  );
  return verdict.findings.length > 0 ? `homelab triage ${signal.check}: ${verdict.summary}` : undefined;
}

/** Each signal from where the platform shows it: the supervisor's record, triage, Prometheus, the gate, a port. */
export async function observe(drill: LocalDrill, signal: ExpectedSignal, since: number): Promise<string | undefined> {
  switch (signal.kind) {
    case 'termination': {
      const exit = drill.exits.find(
        (e) => e.at >= since && e.name === signal.app && e.termination.reason === signal.reason,
      );
      return exit ? `supervisor: ${exit.name} ${exit.termination.message}` : undefined;
    }
    case 'restarts': {
      const count = drill.starts.filter((s) => s.at >= since && s.name === signal.app).length;
      return count >= signal.count ? `${signal.app} started ${count} times since the injection` : undefined;
    }
    case 'triage':
      return observeTriage(drill, signal);
    case 'alert':
      return observeAlert(drill, signal, since);
    case 'canary-rolled-back': {
      const result = drill.rolloutResult;
      return result?.outcome === 'rolled-back'
        ? `canary gate: rolled back (${result.reason}): ${result.detail}`
        : undefined;
    }
    case 'dependency-down': {
      const port = dependency(drill, signal.dependency).port;
      return (await probe(port)) ? undefined : `${signal.dependency} refuses connections on port ${port}`;
    }
    default:
      return undefined;
  }
}

// mem is scoped to this supervisor's cgroups (a shared machine has other OOM kills); the others see the host.
export const triage = async (drill: LocalDrill, check: Parameters<DrillTarget['triage']>[0]): Promise<string> =>
  (await confirmWithTriage(check, {}, check === 'mem' ? (f) => f.subject.includes(drill.cgroupPrefix) : undefined))
    .summary;

export function evidence(drill: LocalDrill, since: number): string[] {
  return (
    drill.logged
      // The supervisor's own lines, start-up failures and fatal logs; not the per-request warnings, which the
      // timeline already counts.
      .filter((l) => l.at >= since && evidencePattern.test(l.line))
      .map((l) => `${new Date(l.at).toISOString().slice(11, 23)} ${l.name}: ${l.line}`.slice(0, 300))
  );
}
