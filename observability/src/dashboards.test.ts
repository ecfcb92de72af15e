import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appNames } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { appMetricNames } from './app-metrics.ts';
import { dashboards } from './dashboards/index.ts';
import { allExporterMetrics } from './exporter-metrics.ts';
import { prometheusRules } from './prometheus-rules.ts';
import { metricNames } from './promql-metrics.ts';
import { findPromtool, runPromtool } from './promtool.ts';
import { toolAvailable } from './required-tool.ts';

interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

function panelQueries(): PanelQuery[] {
  return dashboards().flatMap(({ uid, json }) =>
    ((json as { panels?: Array<{ title?: string; targets?: Array<{ expr?: string }> }> }).panels ?? []).flatMap(
      (panel) => (panel.targets ?? []).map((t) => ({ dashboard: uid, panel: panel.title ?? '', expr: t.expr ?? '' })),
    ),
  );
}

/**
 * Grafana's variables, replaced by what Grafana would send: `$__rate_interval` becomes a duration, `$service` a
 * service name, so the result is plain PromQL.
 */
const resolveVariables = (expr: string): string =>
  expr.replaceAll('$__rate_interval', '5m').replaceAll('$service', appNames[0] ?? 'api');

const queries = panelQueries();

describe('dashboards', () => {
  it('give every dashboard a unique uid and panels with queries', () => {
    const all = dashboards();
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const { uid } of all) expect(queries.filter((q) => q.dashboard === uid).length, uid).toBeGreaterThan(3);
  });

  it('read only metrics the platform exposes: the apps real /metrics, the exporters, the recording rules', async () => {
    const recorded = prometheusRules().flatMap((set) =>
      set.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))),
    );
    const exposed = new Set([...(await appMetricNames()), ...allExporterMetrics(), ...recorded]);
    // The apps' names really came from a scrape, not from a list: the kit's, the API's and the gateway's.
    for (const name of ['http_requests_total', 'build_info', 'cache_errors_total', 'gateway_upstream_requests_total']) {
      expect(exposed, name).toContain(name);
    }
    const unknown = queries.flatMap((q) =>
      metricNames(resolveVariables(q.expr))
        .filter((name) => !exposed.has(name))
        .map((name) => `${q.dashboard} / ${q.panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('read only metrics the platform exposes in the alert rules too', async () => {
    const exposed = new Set([...(await appMetricNames()), ...allExporterMetrics()]);
    const recorded = new Set(
      prometheusRules().flatMap((set) =>
        set.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))),
      ),
    );
    const unknown = prometheusRules().flatMap((set) =>
      set.groups.flatMap((g) =>
        g.rules.flatMap((rule) =>
          metricNames(rule.expr)
            .filter((name) => !exposed.has(name) && !recorded.has(name))
            .map((name) => `${set.name}: ${name}`),
        ),
      ),
    );
    expect(unknown).toEqual([]);
  });

  it.runIf(toolAvailable('promtool', findPromtool()))(
    'have queries that parse: promtool check rules on each query as a recording rule',
    async () => {
      // promtool 2.42 has no parse-only command; a recording rule is checked by the real PromQL parser.
      const dir = mkdtempSync(join(tmpdir(), 'homelab-dashboards-'));
      try {
        const rules = queries.map((q, i) => ({ record: `dashboard_query_${i}`, expr: resolveVariables(q.expr) }));
        writeFileSync(join(dir, 'queries.yaml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
        const result = await runPromtool(['check', 'rules', 'queries.yaml'], dir);
        expect(result.code, result.output).toBe(0);
        expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('catches a query that names an unknown metric (the check is not vacuous)', () => {
    expect(metricNames('sum(rate(http_request_total{job="api"}[5m])) / on (job) build_info')).toEqual([
      'http_request_total',
      'build_info',
    ]);
  });
});
