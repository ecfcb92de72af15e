import { http, k8sLabels, monitoringStack } from '@homelab/platform';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Construct } from 'constructs';
import { addObject } from './api-object.ts';

export interface MetricsPodMonitorProps {
  readonly name: string;
  /** The pods to scrape (an app's both tracks, or a StatefulSet with its exporter sidecar). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The container port name serving metrics. */
  readonly portName: string;
  /** Default: the service kit's metrics path. */
  readonly path?: string;
  /**
   * A Secret key (in the monitor's namespace) holding the bearer token the target wants for its metrics path;
   * Prometheus sends `Authorization: Bearer <value>`.
   */
  readonly bearerToken?: { readonly secret: string; readonly key: string };
}

/**
 * A PodMonitor rather than a ServiceMonitor: the canary has its own pods and the gate compares tracks, so the
 * track label is copied from the pod onto every series (`podTargetLabels`).
 */
export class MetricsPodMonitor extends Construct {
  constructor(scope: Construct, id: string, props: MetricsPodMonitorProps) {
    super(scope, id);
    addObject(
      this,
      'monitor',
      new PodMonitor({
        metadata: { name: props.name, labels: { ...monitoringStack.releaseLabel } },
        spec: {
          selector: { matchLabels: { ...props.podLabels } },
          podTargetLabels: [k8sLabels.track],
          podMetricsEndpoints: [
            {
              port: props.portName,
              path: props.path ?? http.paths.metrics,
              interval: monitoringStack.scrapeInterval,
              ...(props.bearerToken
                ? {
                    authorization: {
                      type: 'Bearer',
                      credentials: { name: props.bearerToken.secret, key: props.bearerToken.key },
                    },
                  }
                : {}),
            },
          ],
        },
      }),
    );
  }
}
