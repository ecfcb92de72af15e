// Test-only helpers other packages' tests use (`@homelab/observability/testing`); nothing in src imports them.
export { type PanelQuery, panelQueries, resolveVariables } from './dashboard-queries.ts';
export { allExporterMetrics } from './exporter-metrics.ts';
export { metricNames } from './promql-metrics.ts';
export { findPromtool, runPromtool } from './promtool.ts';
export { toolAvailable } from './required-tool.ts';
