import { namespaces } from '@homelab/platform';
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { type Dashboard, GrafanaDashboards } from '../constructs/grafana-dashboards.ts';
import { PrometheusRules, type RuleFile } from '../constructs/prometheus-rules.ts';

export interface MonitoringChartProps extends Omit<ChartProps, 'namespace'> {
  readonly ruleFiles: readonly RuleFile[];
  readonly dashboards: readonly Dashboard[];
}

/** The PrometheusRules and Grafana dashboards `@homelab/observability` generates. */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    const { ruleFiles, dashboards, ...chartProps } = props;
    super(scope, id, { ...chartProps, namespace: namespaces.monitoring });
    new PrometheusRules(this, 'rules', { ruleFiles });
    new GrafanaDashboards(this, 'dashboards', { dashboards });
  }
}
