import { burnRateAlertName } from '@homelab/observability/slo-rules';
import { apps, burnRateTiers } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import {
  type ActiveAlert,
  alertForSeconds,
  alertSelector,
  alreadyActive,
  matchingAlert,
  pageAlert,
  untilFiring,
} from './alerts.ts';
import { sloOf } from './budget.ts';
import { scenarioNamed } from './catalog.ts';
import { measure } from './measure.ts';
import { renderPostmortem } from './postmortem.ts';
import type { DrillEvent, DrillRecord, SignalResult } from './record.ts';
import { alertTime, renderRecord } from './render.ts';
import type { Scenario } from './scenario.ts';

const signal = pageAlert(apps.gateway.name, 'availability');
const since = Date.parse('2026-12-01T10:00:00Z');
const instance = (state: string, activeAt: string, labels: Record<string, string> = {}): ActiveAlert => ({
  labels: { alertname: signal.alert, service: 'gateway', slo: 'availability', tier: 'page-fast', ...labels },
  state,
  activeAt,
  value: '0.25',
});

describe('page alerts', () => {
  it('carry the observability package name of the SLO and the page-fast tier label', () => {
    expect(signal.alert).toBe(burnRateAlertName(apps.gateway.name, sloOf(apps.gateway.name, 'availability')));
    expect(alertSelector(signal)).toBe(`${signal.alert}{service="gateway",tier="page-fast"}`);
    const pageFast = burnRateTiers.find((t) => t.name === 'page-fast');
    expect(`${(alertForSeconds(signal) ?? 0) / 60}m`).toBe(pageFast?.for);
    expect(alertForSeconds({ kind: 'alert', alert: 'RedisDown', state: 'firing' })).toBeUndefined();
  });
});

describe('matchingAlert', () => {
  it('meets pending with pending or firing, firing only with firing', () => {
    const pending = [instance('pending', '2026-12-01T10:00:02Z')];
    const firing = [instance('firing', '2026-12-01T10:00:02Z')];
    expect(matchingAlert(signal, pending, since)).toBeDefined();
    expect(matchingAlert(signal, firing, since)).toBeDefined();
    expect(matchingAlert({ ...signal, state: 'firing' }, pending, since)).toBeUndefined();
    expect(matchingAlert({ ...signal, state: 'firing' }, firing, since)).toBeDefined();
  });

  it('ignores an instance active before the injection, of another tier, or of another alert', () => {
    expect(matchingAlert(signal, [instance('firing', '2026-12-01T09:59:59Z')], since)).toBeUndefined();
    expect(
      matchingAlert(signal, [instance('pending', '2026-12-01T10:00:02Z', { tier: 'page-slow' })], since),
    ).toBeUndefined();
    expect(
      matchingAlert(signal, [instance('pending', '2026-12-01T10:00:02Z', { alertname: 'ApiLatencyBurn' })], since),
    ).toBeUndefined();
  });

  it('refuses a drill whose expected alert is already active, naming it', () => {
    const scenario: Scenario = { ...scenarioNamed('error-fault'), expect: [signal] };
    expect(alreadyActive(scenario, [instance('pending', '2026-12-01T09:58:00Z')])).toEqual([
      `${alertSelector(signal)} is already active (an earlier fault's): wait until it resolves`,
    ]);
    expect(alreadyActive(scenario, [instance('pending', '2026-12-01T09:58:00Z', { tier: 'ticket-slow' })])).toEqual([]);
  });
});

describe('untilFiring', () => {
  it("adds the firing state of every pending alert and holds the load past the tier's for", () => {
    const scenario: Scenario = { ...scenarioNamed('error-fault'), expect: [signal] };
    const { scenario: held, holdSeconds } = untilFiring(scenario, 30);
    expect(holdSeconds).toBe((alertForSeconds(signal) ?? 0) + 30);
    expect(held.expect).toEqual([signal, { ...signal, state: 'firing' }]);
    expect(held.load.maxSeconds).toBeGreaterThan(scenario.baselineSeconds + holdSeconds);
  });

  it('refuses a scenario without an alert to wait for', () => {
    expect(() => untilFiring({ ...scenarioNamed('redis-down'), expect: [] })).toThrow(/expects no alert/);
  });
});

/** A record as the runner builds it, with the alert signals' results given. */
function recordWith(scenario: Scenario, signals: SignalResult[]): DrillRecord {
  const events: DrillEvent[] = [
    { at: since - 3000, kind: 'load-started', detail: '20 req/s' },
    { at: since, kind: 'injected', detail: '{}' },
    ...signals.flatMap((s) => (s.at === undefined ? [] : [{ at: s.at, kind: 'signal' as const, detail: s.detail }])),
  ];
  return {
    scenario: scenario.name,
    title: scenario.title,
    environment: 'local',
    environmentDetail: 'unit test',
    startedAt: since - 3000,
    finishedAt: since + 20_000,
    events,
    signals,
    invariants: [],
    measurements: measure(scenario, [], events, signals),
    load: [],
    realism: scenario.realism,
    runbook: scenario.runbook,
    triage: 'n/a',
    passed: true,
    evidence: [],
  };
}

describe('time to alert in the record and the postmortem', () => {
  const scenario: Scenario = { ...scenarioNamed('error-fault'), expect: [signal] };

  it('measures pending and firing from the injection and names the alert in the detection section', () => {
    const firing = { ...signal, state: 'firing' as const };
    const record = recordWith(scenario, [
      { signal, at: since + 1800, detail: 'Prometheus: pending', observable: true },
      { signal: firing, at: since + 121_500, detail: 'Prometheus: firing', observable: true },
    ]);
    expect(record.measurements.timeToAlertPendingMs).toBe(1800);
    expect(record.measurements.timeToAlertFiringMs).toBe(121_500);
    expect(renderRecord(record)).toMatch(/time to alert \(pending\)\s*│\s*1\.8 s/);
    expect(renderRecord(record)).toMatch(/time to alert \(firing\)\s*│\s*121\.5 s/);
    const detection = renderPostmortem(scenario, record).split('## Detection')[1]?.split('## Resolution')[0];
    expect(detection).toContain('Time to alert: pending 1.8 s, firing 121.5 s.');
    expect(detection).toContain(`- Alert ${alertSelector(signal)} pending 1.8 s after the injection`);
  });

  it('says why there is no number: not observable, not awaited, never reached, not expected', () => {
    const unobservable = recordWith(scenario, [
      { signal, at: undefined, detail: 'no Prometheus in this drill run', observable: false },
    ]);
    expect(alertTime(unobservable, 'pending')).toBe('not observable (no Prometheus in this drill run)');
    expect(renderPostmortem(scenario, unobservable)).toContain(
      `- Alert ${alertSelector(signal)} pending: not observable here (no Prometheus in this drill run).`,
    );
    const pendingOnly = recordWith(scenario, [{ signal, at: since + 2000, detail: 'pending', observable: true }]);
    expect(alertTime(pendingOnly, 'firing')).toMatch(/^not awaited/);
    const missed = recordWith(scenario, [{ signal, at: undefined, detail: 'not observed', observable: true }]);
    expect(alertTime(missed, 'pending')).toBe('never');
    expect(renderPostmortem(scenario, missed)).toContain('NOT reached within the drill');
    const none = recordWith({ ...scenario, expect: [] }, []);
    expect(alertTime(none, 'pending')).toBe('no alert expected');
  });
});
