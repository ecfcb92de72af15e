import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { panelQueries, resolveVariables } from '../testing/dashboard-queries.ts';
import { metricNames } from '../testing/promql-metrics.ts';
import { findPromtool, runPromtool } from '../testing/promtool.ts';
import { toolAvailable } from '../testing/required-tool.ts';
import { dashboards } from './dashboards/index.ts';

const queries = panelQueries();

describe('dashboards', () => {
  it('give every dashboard a unique uid and panels with queries', () => {
    const all = dashboards();
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const { uid } of all) expect(queries.filter((q) => q.dashboard === uid).length, uid).toBeGreaterThan(3);
  });

  // That every query and alert reads only metrics the real apps expose: tools/repo-checks/src/metric-names.test.ts.

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
