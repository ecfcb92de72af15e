import { dashboards, prometheusRules } from '@homelab/observability';
import { allExporterMetrics, metricNames, panelQueries, resolveVariables } from '@homelab/observability/testing';
import { describe, expect, it } from 'vitest';
import { appMetricNames } from './app-metrics.ts';

const recordedNames = () =>
  prometheusRules().flatMap((set) =>
    set.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))),
  );

describe('dashboards and alerts read only metrics the platform exposes', () => {
  it('dashboards: the apps real /metrics, the exporters, the recording rules', async () => {
    expect(dashboards().length).toBeGreaterThan(0);
    const exposed = new Set([...(await appMetricNames()), ...allExporterMetrics(), ...recordedNames()]);
    // The apps' names really came from a scrape, not from a list: the kit's, the API's and the gateway's.
    for (const name of ['http_requests_total', 'build_info', 'cache_errors_total', 'gateway_upstream_requests_total']) {
      expect(exposed, name).toContain(name);
    }
    const unknown = panelQueries().flatMap((q) =>
      metricNames(resolveVariables(q.expr))
        .filter((name) => !exposed.has(name))
        .map((name) => `${q.dashboard} / ${q.panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('alert and recording rules', async () => {
    const exposed = new Set([...(await appMetricNames()), ...allExporterMetrics()]);
    const recorded = new Set(recordedNames());
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
});
