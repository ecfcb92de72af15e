import { type AppSpec, autoscaling, canary } from '@homelab/platform';
import { Construct } from 'constructs';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import { addObject } from './api-object.ts';
import { AppTrack, appPortName } from './app-track.ts';
import type { Exemption } from './exemptions.ts';
import { componentLabels } from './labels.ts';
import { chartPods, type PodPeer } from './peers.ts';
import { addServiceAccount } from './workload-objects.ts';

export interface AppWorkloadProps {
  readonly app: AppSpec;
  /** The stable image; the canary starts on the same one until a deploy sets its own. */
  readonly image: string;
  /** Non-secret environment, written to the app's ConfigMap. */
  readonly config: Readonly<Record<string, string>>;
  /** Secrets mounted as files. Default: none. */
  readonly secretFiles?: readonly string[];
  /** ConfigMaps mounted as files (AppTrack). Default: none. */
  readonly configFiles?: readonly string[];
  /** Environment variables from Secret keys. Default: none. */
  readonly secretEnv?: readonly { readonly name: string; readonly secret: string; readonly key: string }[];
  /** Further reviewed checker exemptions for this app's pods. Default: none. */
  readonly exemptions?: readonly Exemption[];
}

/**
 * Everything one stateless app runs as: ServiceAccount (no token), ConfigMap, the stable track with its HPA and
 * PodDisruptionBudget, and the canary track at zero replicas.
 */
export class AppWorkload extends Construct {
  readonly app: AppSpec;
  readonly stable: AppTrack;
  readonly canary: AppTrack;
  readonly serviceAccountName: string;
  /** Both tracks' pods, as a NetworkPolicy peer. */
  readonly pods: PodPeer;
  /** The stable track's pods only (what the stable Service selects), as a NetworkPolicy peer. */
  readonly stablePods: PodPeer;
  /** The port the app listens on (container and Service). */
  readonly port: number;
  readonly portName = appPortName;

  constructor(scope: Construct, id: string, props: AppWorkloadProps) {
    super(scope, id);
    const { app } = props;
    if (app.replicas.min < 2) throw new Error(`app ${app.name}: min replicas ${app.replicas.min} < 2`);
    if (app.replicas.max < app.replicas.min) throw new Error(`app ${app.name}: max replicas < min`);
    this.app = app;
    this.serviceAccountName = app.name;
    const labels = componentLabels(app.name);
    this.pods = chartPods(this, app.name, labels);
    this.port = app.port;

    addServiceAccount(this, this.serviceAccountName, labels);
    const configMapName = `${app.name}-config`;
    addObject(this, 'config', new ConfigMap({ metadata: { name: configMapName, labels }, data: { ...props.config } }));

    const trackProps = {
      app,
      image: props.image,
      serviceAccountName: this.serviceAccountName,
      configMapName,
      ...(props.secretFiles ? { secretFiles: props.secretFiles } : {}),
      ...(props.configFiles ? { configFiles: props.configFiles } : {}),
      ...(props.secretEnv ? { secretEnv: props.secretEnv } : {}),
      ...(props.exemptions ? { exemptions: props.exemptions } : {}),
    };
    // The stable Deployment has no `replicas`: the HPA owns the count, and re-applying must not reset it.
    this.stable = new AppTrack(this, 'stable', { ...trackProps, track: 'stable' });
    this.canary = new AppTrack(this, 'canary', { ...trackProps, track: 'canary', replicas: canary.replicas });
    this.stablePods = chartPods(this, this.stable.deploymentName, this.stable.podLabels);

    addObject(
      this,
      'hpa',
      new HorizontalPodAutoscaler({
        metadata: { name: app.name, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.stable.deploymentName },
          minReplicas: app.replicas.min,
          maxReplicas: app.replicas.max,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: app.targetCpuUtilization } },
            },
            {
              type: 'Resource',
              resource: {
                name: 'memory',
                target: { type: 'Utilization', averageUtilization: autoscaling.targetMemoryUtilization },
              },
            },
          ],
          behavior: {
            scaleDown: {
              stabilizationWindowSeconds: autoscaling.scaleDownStabilizationSeconds,
              policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
            },
          },
        },
      }),
    );

    addObject(
      this,
      'pdb',
      new PodDisruptionBudget({
        metadata: { name: app.name, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: this.stable.podLabels } },
      }),
    );
  }
}
