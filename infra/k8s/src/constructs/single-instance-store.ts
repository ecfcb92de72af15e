import { defaultStorageClass, type Resources, serviceHost } from '@homelab/platform';
import { Construct } from 'constructs';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IContainer, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { addObject } from './api-object.ts';
import { exemptionAnnotations, noCpuLimit, pinnedImagePullPolicy } from './exemptions.ts';
import { componentLabels } from './labels.ts';
import { chartPods, type PodPeer } from './peers.ts';
import { isolatedPod, restrictedContainer } from './workload-defaults.ts';
import { addHeadlessService, addServiceAccount } from './workload-objects.ts';

/** The container port name of every exporter sidecar; PodMonitors and the headless Service refer to it. */
export const metricsPortName = 'metrics';

export interface SingleInstanceStoreProps {
  /** Name of the StatefulSet, its Service, ServiceAccount and PDB, and the pods' component label. */
  readonly name: string;
  /** The one port clients connect to; the container port and the Service port are named after the store. */
  readonly port: number;
  /**
   * The store's own container, without what the construct sets: name (= `name`), ports, security context,
   * resources and the `data` volume mount (added first).
   */
  readonly container: Omit<IContainer, 'name' | 'ports' | 'resources' | 'securityContext'> & {
    readonly image: string;
  };
  readonly resources: Resources;
  /** A metrics exporter sidecar that follows the store's lifetime and address. */
  readonly exporter: {
    readonly image: string;
    readonly port: number;
    readonly resources: Resources;
    readonly env: NonNullable<IContainer['env']>;
    readonly readinessPath: string;
    readonly volumeMounts?: IVolumeMount[];
  };
  /** The data volume: one ReadWriteOnce claim per replica. */
  readonly storage: {
    readonly size: string;
    readonly mountPath: string;
    /** Default: the k3s default (`local-path`). */
    readonly storageClass?: string;
    /** Keep the claim when the StatefulSet is deleted or scaled down. Default: false (Kubernetes' default). */
    readonly retainClaim?: boolean;
  };
  readonly terminationGracePeriodSeconds: number;
  /** Further pod volumes (the `data` claim is added by the construct). Default: none. */
  readonly volumes?: IVolume[];
}

/**
 * A single-instance data store: a one-replica StatefulSet with its own token-less ServiceAccount, a headless
 * Service for the client and metrics ports, an exporter sidecar and a PodDisruptionBudget that allows the eviction
 * (a node drain must finish; one replica cannot stay available anyway). PostgreSQL and Redis are two of these.
 */
export class SingleInstanceStore extends Construct {
  readonly name: string;
  readonly serviceName: string;
  readonly port: number;
  readonly portName: string;
  readonly exporterPort: number;
  readonly metricsPortName = metricsPortName;
  readonly podLabels: Readonly<Record<string, string>>;
  /** The Service's in-cluster DNS name. */
  readonly serviceHost: string;
  /** The store's pods as a NetworkPolicy peer. */
  readonly pods: PodPeer;

  constructor(scope: Construct, id: string, props: SingleInstanceStoreProps) {
    super(scope, id);
    this.name = props.name;
    this.serviceName = props.name;
    this.port = props.port;
    this.portName = props.name;
    this.exporterPort = props.exporter.port;
    const labels = componentLabels(props.name);
    this.podLabels = labels;
    this.pods = chartPods(this, props.name, labels);
    this.serviceHost = serviceHost(this.serviceName, this.pods.namespace);

    addServiceAccount(this, this.name, labels);
    addHeadlessService(this, {
      name: this.serviceName,
      labels,
      port: { name: this.portName, port: this.port },
      metricsPort: this.exporterPort,
    });
    const { exporter, storage } = props;
    const exporterContainer = restrictedContainer(
      {
        name: 'exporter',
        image: exporter.image,
        ports: [{ name: metricsPortName, containerPort: exporter.port, protocol: 'TCP' }],
        env: exporter.env,
        readinessProbe: { httpGet: { path: exporter.readinessPath, port: metricsPortName }, periodSeconds: 10 },
        livenessProbe: { tcpSocket: { port: metricsPortName }, periodSeconds: 20 },
        ...(exporter.volumeMounts ? { volumeMounts: exporter.volumeMounts } : {}),
      },
      exporter.resources,
    );
    const storeContainer = restrictedContainer(
      {
        ...props.container,
        name: props.name,
        ports: [{ name: this.portName, containerPort: this.port, protocol: 'TCP' }],
        volumeMounts: [{ name: 'data', mountPath: storage.mountPath }, ...(props.container.volumeMounts ?? [])],
      },
      props.resources,
    );
    addObject(
      this,
      'statefulset',
      new StatefulSet({
        metadata: { name: this.name, labels, annotations: exemptionAnnotations(pinnedImagePullPolicy, noCpuLimit) },
        spec: {
          serviceName: this.serviceName,
          replicas: 1,
          selector: { matchLabels: labels },
          updateStrategy: { type: 'RollingUpdate' },
          ...(storage.retainClaim
            ? { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } }
            : {}),
          template: {
            metadata: { labels },
            spec: {
              ...isolatedPod(this.name),
              terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
              containers: [storeContainer, exporterContainer],
              ...(props.volumes ? { volumes: props.volumes } : {}),
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data', labels },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: storage.storageClass ?? defaultStorageClass,
                resources: { requests: { storage: storage.size } },
              },
            },
          ],
        },
      }),
    );
    addObject(
      this,
      'pdb',
      new PodDisruptionBudget({
        metadata: { name: this.name, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
      }),
    );
  }

  /** How a client in the cluster reaches the store: `<scheme>://<service host>:<port>`. */
  url(scheme: string): string {
    return `${scheme}://${this.serviceHost}:${this.port}`;
  }
}
