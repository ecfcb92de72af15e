import { dashboards, prometheusRules } from '@homelab/observability';
import type { PlatformOptions } from './platform-app.ts';

/**
 * What the other packages feed into the manifests: the recording and alerting rules of `@homelab/observability`
 * (one PrometheusRule each) and its Grafana dashboards (one ConfigMap each, for the Grafana sidecar).
 */
export const platformInputs = async (): Promise<Pick<PlatformOptions, 'ruleFiles' | 'dashboards'>> => ({
  ruleFiles: prometheusRules(),
  dashboards: dashboards(),
});
