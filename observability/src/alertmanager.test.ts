import { describe, expect, it } from 'vitest';
import { isAlertingRule } from './alert-rule.ts';
import { alertmanagerConfig, alertmanagerSecret } from './alertmanager.ts';
import { prometheusRules } from './prometheus-rules.ts';

interface Route {
  receiver: string;
  matchers?: string[];
  routes?: Route[];
}

interface Config {
  route: Route;
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
  receivers: Array<{ name: string; webhook_configs?: Array<Record<string, unknown>> }>;
}

const config = alertmanagerConfig() as Config;

/** `name="value"` matchers only: the configuration uses no other form (a test below holds that). */
const matches = (matchers: readonly string[], labels: Record<string, string>) =>
  matchers.every((m) => {
    const [, name, value] = /^(\w+)="([^"]*)"$/.exec(m) ?? [];
    return name !== undefined && labels[name] === value;
  });

/** Alertmanager's routing: the first matching child route wins (no `continue` here), else the parent's receiver. */
function receiverFor(labels: Record<string, string>, route: Route = config.route): string {
  for (const child of route.routes ?? []) {
    if (matches(child.matchers ?? [], labels)) return receiverFor(labels, child);
  }
  return route.receiver;
}

const alerts = prometheusRules().flatMap((set) => set.groups.flatMap((g) => g.rules.filter(isAlertingRule)));

describe('Alertmanager configuration', () => {
  it('routes every alert by its severity: pages to page, tickets to ticket, the Watchdog to the heartbeat', () => {
    for (const rule of alerts) {
      const labels = { alertname: rule.alert, ...rule.labels };
      const expected = rule.alert === 'Watchdog' ? 'heartbeat' : rule.labels.severity;
      expect(receiverFor(labels), rule.alert).toBe(expected);
    }
  });

  it('silences a ticket while the page of the same SLO fires, and only of the same SLO', () => {
    const [rule] = config.inhibit_rules;
    if (!rule) throw new Error('no inhibit rule');
    const page = { alertname: 'ApiAvailabilityErrorBudgetBurn', service: 'api', slo: 'availability', severity: 'page' };
    const ticket = { ...page, severity: 'ticket' };
    const inhibits = (source: Record<string, string>, target: Record<string, string>) =>
      matches(rule.source_matchers, source) &&
      matches(rule.target_matchers, target) &&
      rule.equal.every((label) => source[label] === target[label]);
    expect(inhibits(page, ticket)).toBe(true);
    expect(inhibits(page, { ...ticket, slo: 'latency', alertname: 'ApiLatencyErrorBudgetBurn' })).toBe(false);
    expect(inhibits(page, { ...ticket, service: 'web', alertname: 'WebAvailabilityErrorBudgetBurn' })).toBe(false);
    expect(inhibits(ticket, page)).toBe(false);
  });

  it('reads every receiver URL from a file in the mounted Secret and holds no secret itself', () => {
    const text = JSON.stringify(config);
    expect(text).not.toMatch(/https?:\/\//);
    for (const receiver of config.receivers) {
      for (const webhook of receiver.webhook_configs ?? []) {
        expect(webhook.url, receiver.name).toBeUndefined();
        expect(String(webhook.url_file)).toMatch(new RegExp(`^${alertmanagerSecret.mountPath}/[a-z-]+$`));
      }
    }
    const keys = Object.values(alertmanagerSecret.keys);
    const used = config.receivers.flatMap((r) =>
      (r.webhook_configs ?? []).map((w) => String(w.url_file).split('/').at(-1)),
    );
    expect(new Set(used)).toEqual(new Set(keys));
  });

  it('names only receivers it defines', () => {
    const defined = new Set(config.receivers.map((r) => r.name));
    const walk = (route: Route): string[] => [route.receiver, ...(route.routes ?? []).flatMap(walk)];
    for (const name of walk(config.route)) expect(defined, name).toContain(name);
  });
});
