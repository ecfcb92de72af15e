import { faultLabel, type KubeObject } from '@homelab/cluster';
import { appImage, apps, probes, restrictedSecurityContext } from '@homelab/platform';
import { faultScript, podinfo } from './fault-script.ts';

export interface DrillWorkloadProps {
  /** The namespace the drill works in. */
  readonly namespace: string;
  /** The pod labels, also the selector. */
  readonly labels: Record<string, string>;
  /** Default: none. The k8s-pending drill sets one no node has. */
  readonly nodeSelector?: Record<string, string>;
  /** Default: the api's minimum replicas. */
  readonly replicas?: number;
  /** Default: the api image. The k8s-image-pull drill sets one no registry serves. */
  readonly image?: string;
}

const port = { name: 'http', containerPort: apps.api.port };
/** The labels file inside the container. */
const podinfoLabels = `${podinfo.mountPath}/${podinfo.labelsFile}`;

/**
 * The drills' stable api: the api's shape (image, replicas, port, requests, memory limit, Pod Security `restricted`)
 * running `faultScript`, which serves 200 on the api port and turns the fault label into a real failure on a real
 * kubelet. On kwok the image, command and probe are ignored and the fault Stages act on the same label (ADR 0104).
 */
export const drillDeployment = (props: DrillWorkloadProps): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: apps.api.name, namespace: props.namespace },
  spec: {
    replicas: props.replicas ?? apps.api.replicas.min,
    selector: { matchLabels: props.labels },
    template: {
      metadata: { labels: props.labels },
      spec: {
        ...(props.nodeSelector ? { nodeSelector: props.nodeSelector } : {}),
        securityContext: restrictedSecurityContext.pod,
        // The script needs no API access; nothing in the drill pods should hold a token.
        automountServiceAccountToken: false,
        containers: [
          {
            name: apps.api.name,
            // The image the home path builds and loads into kind/k3s: no third-party image to pin or pull.
            image: props.image ?? appImage('api'),
            imagePullPolicy: 'IfNotPresent',
            command: ['node', '-e', faultScript, String(port.containerPort), podinfoLabels, faultLabel],
            ports: [port],
            readinessProbe: {
              httpGet: { path: '/', port: port.name },
              periodSeconds: probes.periodSeconds,
              timeoutSeconds: probes.timeoutSeconds,
              failureThreshold: probes.readinessFailureThreshold,
            },
            resources: {
              requests: { cpu: apps.api.resources.cpuRequest, memory: apps.api.resources.memoryRequest },
              limits: { memory: apps.api.resources.memoryLimit },
            },
            securityContext: restrictedSecurityContext.container,
            volumeMounts: [{ name: 'podinfo', mountPath: podinfo.mountPath, readOnly: true }],
          },
        ],
        volumes: [
          {
            name: 'podinfo',
            downwardAPI: { items: [{ path: podinfo.labelsFile, fieldRef: { fieldPath: 'metadata.labels' } }] },
          },
        ],
      },
    },
  },
});
