import { edge, namespaces } from '@homelab/platform';
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { Gateways } from '../constructs/gateways.ts';
import { MetricsPodMonitor } from '../constructs/pod-monitor.ts';

export interface EdgeChartProps extends Omit<ChartProps, 'namespace'> {
  readonly gatewayClassName: string;
}

/** The public and internal Gateways and the scrape of their Envoy proxies. */
export class EdgeChart extends Chart {
  readonly gateways: Gateways;

  constructor(scope: Construct, id: string, props: EdgeChartProps) {
    const { gatewayClassName, ...chartProps } = props;
    super(scope, id, { ...chartProps, namespace: namespaces.edge });
    this.gateways = new Gateways(this, 'gateways', { gatewayClassName });
    new MetricsPodMonitor(this, 'envoy-monitor', {
      name: 'envoy-proxies',
      podLabels: edge.proxyCommonLabels,
      portName: edge.proxyMetrics.portName,
      path: edge.proxyMetrics.path,
    });
  }
}
