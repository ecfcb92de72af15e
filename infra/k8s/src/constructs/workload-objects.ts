import type { Construct } from 'constructs';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { addObject } from './api-object.ts';

/**
 * A workload's own ServiceAccount with no API token mounted (workload checklist 10 and 11): every pod of the
 * platform gets one, and none of them talks to the Kubernetes API.
 */
export const addServiceAccount = (
  scope: Construct,
  name: string,
  labels: Record<string, string>,
  id = 'service-account',
): void => {
  addObject(scope, id, new ServiceAccount({ metadata: { name, labels }, automountServiceAccountToken: false }));
};

/** The headless Service a single-instance data StatefulSet needs: its data port and its exporter's metrics port. */
export const addHeadlessService = (
  scope: Construct,
  props: {
    readonly name: string;
    readonly labels: Record<string, string>;
    readonly port: { readonly name: string; readonly port: number };
    readonly metricsPort: number;
  },
): void => {
  addObject(
    scope,
    'service',
    new Service({
      metadata: { name: props.name, labels: props.labels },
      spec: {
        clusterIP: 'None',
        selector: props.labels,
        ports: [
          { name: props.port.name, port: props.port.port, targetPort: props.port.name, protocol: 'TCP' },
          { name: 'metrics', port: props.metricsPort, targetPort: 'metrics', protocol: 'TCP' },
        ],
      },
    }),
  );
};
