import { prometheusRules } from '@homelab/observability';
import type { PlatformOptions } from './platform-app.ts';

/**
 * What the other packages feed into the manifests: the recording and alerting rules of `@homelab/observability`
 * (one PrometheusRule each). Its Grafana dashboards join here once that package exports them; until then the
 * dashboard construct gets an empty list.
 */
export const platformInputs = async (): Promise<Pick<PlatformOptions, 'ruleFiles' | 'dashboards'>> => ({
  ruleFiles: prometheusRules(),
  dashboards: [],
});
