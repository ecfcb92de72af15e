import { type AppSpec, canary, http, probes, serviceHost, shutdown, type Track } from '@homelab/platform';
import { Construct } from 'constructs';
import { Deployment } from 'kubernetes-models/apps/v1';
import { type IEnvVar, Service } from 'kubernetes-models/v1';
import { addObject } from './api-object.ts';
import {
  appImageDigestAtDeploy,
  canaryAtZero,
  type Exemption,
  exemptionAnnotations,
  noCpuLimit,
  pinnedImagePullPolicy,
} from './exemptions.ts';
import { trackLabels } from './labels.ts';
import { chartPods } from './peers.ts';
import {
  configMapVolume,
  isolatedPod,
  preStopSleep,
  restrictedContainer,
  secretVolume,
  tmpVolume,
} from './workload-defaults.ts';

export interface AppTrackProps {
  readonly app: AppSpec;
  readonly track: Track;
  /** Image reference; the deploy replaces the tag with a digest (`kubectl set image`). */
  readonly image: string;
  readonly serviceAccountName: string;
  readonly configMapName: string;
  /** Secrets mounted as files under the platform's secret path. Default: none. */
  readonly secretFiles?: readonly string[];
  /** ConfigMaps mounted read-only as files under the platform's config path. Default: none. */
  readonly configFiles?: readonly string[];
  /** Environment variables read from Secret keys (never inline values). Default: none. */
  readonly secretEnv?: readonly { readonly name: string; readonly secret: string; readonly key: string }[];
  /** Further reviewed checker exemptions for this app's pods. Default: none. */
  readonly exemptions?: readonly Exemption[];
  /** Replicas at synth time; omitted for the stable track, whose count the HPA owns. */
  readonly replicas?: number;
}

/** The container and Service port name of every app: probes, the Service's targetPort and PodMonitors use it. */
export const appPortName = 'http';

/**
 * One track (stable or canary) of an app: its Deployment and the Service selecting exactly that track's pods.
 * The stable and canary tracks differ only in name, the track label and replicas, so a canary is the stable
 * workload with a new image.
 */
export class AppTrack extends Construct {
  readonly deploymentName: string;
  readonly serviceName: string;
  readonly servicePort: number;
  readonly podLabels: Record<string, string>;
  /** `http://<service host>:<port>`: how a client inside the cluster reaches this track. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: AppTrackProps) {
    super(scope, id);
    const { app, track } = props;
    if (!Number.isInteger(app.port) || app.port < 1024)
      throw new Error(`app ${app.name}: port ${app.port} must be >= 1024`);
    this.deploymentName = track === 'stable' ? app.name : `${app.name}${canary.suffix}`;
    this.serviceName = this.deploymentName;
    this.servicePort = app.port;
    this.podLabels = trackLabels(app.name, track);
    this.url = `http://${serviceHost(this.serviceName, chartPods(this, this.deploymentName, this.podLabels).namespace)}:${this.servicePort}`;

    const tmp = tmpVolume();
    const secrets = [
      ...(props.secretFiles ?? []).map((name) => secretVolume(name)),
      ...(props.configFiles ?? []).map((name) => configMapVolume(name)),
    ];
    const env: IEnvVar[] = (props.secretEnv ?? []).map((s) => ({
      name: s.name,
      valueFrom: { secretKeyRef: { name: s.secret, key: s.key } },
    }));
    const httpGet = (path: string) => ({ path, port: appPortName });
    const container = restrictedContainer(
      {
        name: app.name,
        image: props.image,
        ports: [{ name: appPortName, containerPort: app.port, protocol: 'TCP' }],
        envFrom: [{ configMapRef: { name: props.configMapName } }],
        env,
        startupProbe: {
          httpGet: httpGet(http.paths.liveness),
          periodSeconds: probes.periodSeconds,
          timeoutSeconds: probes.timeoutSeconds,
          failureThreshold: probes.startupFailureThreshold,
        },
        readinessProbe: {
          httpGet: httpGet(http.paths.readiness),
          periodSeconds: probes.periodSeconds,
          timeoutSeconds: probes.timeoutSeconds,
          failureThreshold: probes.readinessFailureThreshold,
        },
        livenessProbe: {
          httpGet: httpGet(http.paths.liveness),
          periodSeconds: probes.periodSeconds * 2,
          timeoutSeconds: probes.timeoutSeconds,
          failureThreshold: probes.livenessFailureThreshold,
        },
        lifecycle: preStopSleep(),
        volumeMounts: [tmp.mount, ...secrets.map((s) => s.mount)],
      },
      app.resources,
    );

    addObject(
      this,
      'deployment',
      new Deployment({
        metadata: {
          name: this.deploymentName,
          labels: this.podLabels,
          annotations: exemptionAnnotations(
            pinnedImagePullPolicy,
            noCpuLimit,
            appImageDigestAtDeploy,
            ...(props.exemptions ?? []),
            ...(track === 'canary' ? [canaryAtZero] : []),
          ),
        },
        spec: {
          ...(props.replicas === undefined ? {} : { replicas: props.replicas }),
          // A canary that never gets Ready is declared stuck sooner than the default 600 s: the gate rolls it back.
          ...(track === 'canary' ? { progressDeadlineSeconds: canary.progressDeadlineSeconds } : {}),
          revisionHistoryLimit: 5,
          selector: { matchLabels: this.podLabels },
          // Never below the current capacity during a rollout: a new pod must be Ready before an old one stops.
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels: this.podLabels },
            spec: {
              ...isolatedPod(props.serviceAccountName),
              terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds,
              // ScheduleAnyway: the mini PC is one node; on a multi-node cluster pods still spread.
              // Prefer one pod per node; on the one-node mini PC both replicas still schedule.
              affinity: {
                podAntiAffinity: {
                  preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                      weight: 100,
                      podAffinityTerm: {
                        topologyKey: 'kubernetes.io/hostname',
                        labelSelector: { matchLabels: this.podLabels },
                      },
                    },
                  ],
                },
              },
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'kubernetes.io/hostname',
                  whenUnsatisfiable: 'ScheduleAnyway',
                  labelSelector: { matchLabels: this.podLabels },
                },
              ],
              containers: [container],
              volumes: [tmp.volume, ...secrets.map((s) => s.volume)],
            },
          },
        },
      }),
    );

    addObject(
      this,
      'service',
      new Service({
        metadata: { name: this.serviceName, labels: this.podLabels },
        spec: {
          type: 'ClusterIP',
          selector: this.podLabels,
          ports: [{ name: appPortName, port: app.port, targetPort: appPortName, protocol: 'TCP' }],
        },
      }),
    );
  }
}
