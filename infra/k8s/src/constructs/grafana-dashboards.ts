import { monitoringStack } from '@homelab/platform';
import { Construct } from 'constructs';
import { ConfigMap } from 'kubernetes-models/v1';
import { addObject } from './api-object.ts';

/** The shape `@homelab/observability`'s `dashboards()` returns. */
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly json: object;
}

export interface GrafanaDashboardsProps {
  readonly dashboards: readonly Dashboard[];
}

/** One ConfigMap per dashboard, labelled for the Grafana sidecar of kube-prometheus-stack to load. */
export class GrafanaDashboards extends Construct {
  constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    for (const dashboard of props.dashboards) {
      if (!/^[a-z0-9-]+$/.test(dashboard.uid)) throw new Error(`dashboard uid "${dashboard.uid}" is not a DNS label`);
      addObject(
        this,
        dashboard.uid,
        new ConfigMap({
          metadata: { name: `dashboard-${dashboard.uid}`, labels: { ...monitoringStack.grafanaDashboardLabel } },
          data: { [`${dashboard.uid}.json`]: JSON.stringify(dashboard.json) },
        }),
      );
    }
  }
}
