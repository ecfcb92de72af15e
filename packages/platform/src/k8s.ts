import type { AppName, Resources } from './apps.ts';
import { namespaces, project } from './cluster.ts';
import { versions } from './versions.ts';

/**
 * Kubernetes facts the manifests (infra/k8s), the Pulumi program and the canary workflow share. Everything a
 * construct would otherwise write as a literal lives here.
 */
export const k8sLabels = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  /** `stable` or `canary`: the Services and the canary gate tell the two Deployments of an app apart by it. */
  track: 'homelab.dev/track',
  /** Set by the API server on every namespace since 1.22; NetworkPolicies select namespaces by it. */
  namespaceName: 'kubernetes.io/metadata.name',
} as const;

export const partOf = 'homelab';
export type Track = 'stable' | 'canary';

/**
 * Storage classes of the clusters the platform targets: kind ships `standard`, k3s ships `local-path`. The
 * mini PC runs k3s, so that is the default; a kind stack overrides it.
 */
export const storageClasses = { kind: 'standard', k3s: 'local-path' } as const;
export const defaultStorageClass = storageClasses.k3s;

/**
 * Every container runs as this non-root identity (kube-score and Checkov want UID/GID >= 10000), so the images'
 * own users (node 1000, postgres 999) never matter; volumes are made writable through fsGroup.
 */
export const podIdentity = { uid: 10001, gid: 10001 } as const;

/**
 * The Pod Security `restricted` level with the platform's non-root identity: the manifests' pods (infra/k8s) and
 * the Helm add-ons' values (infra/pulumi) both take it from here, so the two cannot drift apart.
 */
export const restrictedSecurityContext = {
  pod: {
    runAsNonRoot: true,
    runAsUser: podIdentity.uid,
    runAsGroup: podIdentity.gid,
    fsGroup: podIdentity.gid,
    // Volumes are re-owned only when their root does not already match: a large PVC is not walked on every start.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  },
  /** The container level, plus a read-only root filesystem. */
  container: {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: podIdentity.uid,
    runAsGroup: podIdentity.gid,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
} as const;

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** A namespace's Pod Security labels (the platform's namespaces, the drills' namespace). */
export const podSecurityLabels = (enforce: PodSecurityLevel): Record<string, string> => ({
  'pod-security.kubernetes.io/enforce': enforce,
  'pod-security.kubernetes.io/enforce-version': 'latest',
  // Warn and audit at restricted everywhere, so a namespace below it still reports what would break.
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
});

/** Probe timing against the service kit's /healthz and /readyz. */
export const probes = {
  periodSeconds: 5,
  timeoutSeconds: 2,
  readinessFailureThreshold: 2,
  livenessFailureThreshold: 3,
  /** The startup probe allows periodSeconds x this (60 s) before liveness takes over. */
  startupFailureThreshold: 12,
} as const;

export const autoscaling = {
  /** Memory utilisation (of the request) the HPA aims for. */
  targetMemoryUtilization: 80,
  /** Scale down only after load has stayed low this long, so a bursty minute does not flap replicas. */
  scaleDownStabilizationSeconds: 300,
} as const;

/**
 * Canary: a `<app>-canary` Deployment and Service per app, zero replicas and weight 0 until a deploy raises them.
 * Weights are percentages of the HTTPRoute's traffic.
 */
export const canary = {
  suffix: '-canary',
  replicas: 0,
  /**
   * The canary Deployment's progress deadline: a canary that is not Ready by then is marked
   * ProgressDeadlineExceeded, and the canary gate rolls it back at once (ADR 0103) instead of waiting for its own
   * 300 s timeout. Three minutes leaves room for a first image pull on a home connection and the api's start.
   */
  progressDeadlineSeconds: 180,
  weightPercent: { web: 0, gateway: 0, api: 0 } satisfies Record<AppName, number>,
} as const;

/** Envoy Gateway: the class, the two Gateways and the labels its controller stamps on the proxy pods. */
export const edge = {
  gatewayClassName: 'homelab',
  controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
  /** The Helm release runs in the edge namespace, so its proxies do too. */
  controllerNamespace: namespaces.edge,
  public: { name: 'public', httpPort: 80, httpsPort: 443, tlsSecretName: 'public-gateway-tls' },
  /** East-west Gateway: its Service is ClusterIP, so no route through it is reachable from outside. */
  internal: { name: 'internal', httpPort: 80 },
  /** Envoy binds unprivileged ports: listener port + 10000 when the listener port is below 1024. */
  proxyPortOffset: 10000,
  /** Labels Envoy Gateway puts on every proxy pod. */
  proxyCommonLabels: { 'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy' },
  proxyPodLabels: (gatewayName: string): Record<string, string> => ({
    'app.kubernetes.io/name': 'envoy',
    'app.kubernetes.io/component': 'proxy',
    'gateway.envoyproxy.io/owning-gateway-name': gatewayName,
    'gateway.envoyproxy.io/owning-gateway-namespace': namespaces.edge,
  }),
  /** Envoy Gateway's xDS server that the proxies connect to. */
  controllerPodLabels: { 'app.kubernetes.io/name': 'gateway-helm', 'control-plane': 'envoy-gateway' },
  xdsPort: 18000,
  /** The chart's pre-install/pre-upgrade Job that writes the xDS certificates through the API server. */
  certgenPodLabels: { app: 'certgen' },
  /** Every Envoy proxy serves its stats in Prometheus format here (container port named `metrics`). */
  proxyMetrics: { port: 19001, portName: 'metrics', path: '/stats/prometheus' },
  proxyResources: {
    cpuRequest: '50m',
    memoryRequest: '64Mi',
    memoryLimit: '256Mi',
    ephemeralStorage: '64Mi',
  } satisfies Resources,
  /** Default requests of Envoy Gateway's shutdown-manager sidecar, one per proxy pod. */
  shutdownManagerRequests: { cpu: '10m', memory: '32Mi' },
  proxyReplicas: 1,
  /**
   * Retries on the failures endpoint-update lag produces (workload-checklist), and only those where the request
   * never reached a pod: a refused or timed-out connection, an HTTP/2 REFUSED_STREAM. Not `reset`: it resends a
   * request a pod may already have applied (a POST to a pod killed mid-request would be applied twice), and the
   * gateway's answer to the client, `outcome: unknown`, would be wrong (issue 17's audit, ADR 0160).
   */
  retry: { numRetries: 2, triggers: ['connect-failure', 'refused-stream'] },
  connectTimeout: '2s',
  /** Envoy keeps serving accepted connections this long after SIGTERM. */
  drainTimeoutSeconds: 30,
  minDrainSeconds: 5,
} as const;

/** The private CA chain: self-signed bootstrap -> CA certificate -> CA ClusterIssuer -> leaf certificates. */
export const tls = {
  /** cert-manager reads a ClusterIssuer's CA Secret from its own namespace (the Helm release's). */
  certManagerNamespace: 'cert-manager',
  bootstrapIssuer: 'homelab-selfsigned-bootstrap',
  caIssuer: 'homelab-ca',
  caSecretName: 'homelab-ca',
  caCommonName: 'homelab private CA',
  /** ECDSA P-256: small keys, fast handshakes, accepted by every client the platform serves. */
  keyAlgorithm: 'ECDSA',
  keySize: 256,
  acme: {
    stagingServer: 'https://acme-staging-v02.api.letsencrypt.org/directory',
    productionServer: 'https://acme-v02.api.letsencrypt.org/directory',
  },
} as const;

/** The apps' own images: `<imageRepository>/<app>:<tag>`; a deploy pins the digest (ADR 0032). */
export const appImageTag: string = versions.images.appTag;

/** The one place an app's image name is built (manifests and the cluster drills' workload); a deploy swaps the tag for a digest. */
export const appImage = (name: AppName): string => `${project.imageRepository}/${name}:${appImageTag}`;

/** Where cluster DNS and the Kubernetes API live, for egress rules. */
export const clusterServices = {
  dnsNamespace: 'kube-system',
  dnsPodLabels: { 'k8s-app': 'kube-dns' },
  dnsPort: 53,
  clusterDomain: 'cluster.local',
  /** The API server's port on k3s and kind (the in-cluster Service 443 is DNAT-ed to it before policy applies). */
  apiServerPorts: [443, 6443],
} as const;

/** A Service's in-cluster DNS name: the one place the cluster domain is spelled out. */
export const serviceHost = (service: string, namespace: string): string =>
  `${service}.${namespace}.svc.${clusterServices.clusterDomain}`;

/** kube-prometheus-stack's Prometheus pods, the only scraper the NetworkPolicies admit. */
export const monitoringStack = {
  namespace: namespaces.monitoring,
  prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus' },
  /** kube-prometheus-stack's Prometheus selects monitors and rules carrying its release label. */
  releaseLabel: { release: 'kube-prometheus-stack' },
  grafanaDashboardLabel: { grafana_dashboard: '1' },
  scrapeInterval: '30s',
  /** The Service the chart creates for Prometheus (`<release>-prometheus`); the web status page queries it. */
  prometheusService: { name: 'kube-prometheus-stack-prometheus', port: 9090 },
} as const;

/** Secrets created out of band (by the Pulumi program from stack secrets); manifests only reference them. */
export const secretNames = {
  postgres: 'postgres-credentials',
  /** Keys: `url` (the API's DATABASE_URL). */
  apiDatabase: 'api-database',
  apiAdminToken: 'api-admin-token',
  gatewayApiKeys: 'gateway-api-keys',
  gatewayJwt: 'gateway-jwt',
  /** Keys: `secret` (the gateway signs identity tokens with it, the API verifies them; ADR 0071). */
  identityToken: 'identity-token',
  /** Keys: `secret` (signs the web app's session cookie). */
  webSession: 'web-session',
  /** Keys: `users` (WEB_USERS: who may sign in to the web app, `name:<argon2id hash>` entries). */
  webUsers: 'web-users',
  /**
   * Keys: `token` (METRICS_TOKEN: the bearer token Prometheus presents for the gateway's `/metrics`, ADR 0122).
   * In the apps namespace: the gateway mounts it and its PodMonitor, there too, names it.
   */
  gatewayMetricsToken: 'gateway-metrics-token',
} as const;

/**
 * The keys of each Secret the Pulumi program writes (infra/pulumi platform-secrets.ts): a pod that reads
 * `<mount>/<key>` of one of them reads a file that exists only when the key is listed here.
 */
export const secretKeys: Readonly<Record<(typeof secretNames)[keyof typeof secretNames], readonly string[]>> = {
  [secretNames.postgres]: ['password'],
  [secretNames.apiDatabase]: ['url'],
  [secretNames.apiAdminToken]: ['token'],
  [secretNames.gatewayApiKeys]: ['keys'],
  [secretNames.gatewayJwt]: ['secret'],
  [secretNames.identityToken]: ['secret'],
  [secretNames.webSession]: ['secret'],
  [secretNames.webUsers]: ['users'],
  [secretNames.gatewayMetricsToken]: ['token'],
};

/** Where the apps read mounted Secret files. */
export const secretMountPath = '/var/run/secrets/homelab';

/** Where the apps read mounted ConfigMap files (data others write, such as the deploy history). */
export const configMountPath = '/var/run/config/homelab';

/** The stateful side: sidecar exporters, backup, requests. */
export const dataWorkloads = {
  postgres: {
    resources: { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '512Mi', ephemeralStorage: '128Mi' },
    exporterPort: 9187,
    exporterResources: { cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '64Mi', ephemeralStorage: '16Mi' },
  },
  redis: {
    resources: { cpuRequest: '50m', memoryRequest: '96Mi', memoryLimit: '128Mi', ephemeralStorage: '32Mi' },
    exporterPort: 9121,
    exporterResources: { cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '64Mi', ephemeralStorage: '16Mi' },
  },
  /**
   * The migration Job: how long `migrate` waits for PostgreSQL to accept connections before it gives up (a fresh
   * cluster starts the Job and the database together), inside the Job's deadline. Before it waited, the Job spent its
   * retries in 45 s while PostgreSQL was still starting on real nodes, and the rollout had no schema.
   */
  migration: { databaseWaitSeconds: 180, activeDeadlineSeconds: 300, backoffLimit: 3 },
  /** Short-lived pods: the migration Job, the nightly backup and the restore Job. */
  jobResources: { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi', ephemeralStorage: '64Mi' },
  /** Nightly at 03:15, away from the top of the hour when every other cron on the node runs. */
  backupSchedule: '15 3 * * *',
  backupDeadlineSeconds: 900,
} as const satisfies Record<string, unknown>;

/** One RBAC rule, as a Role's `rules` lists it (built fresh per call, so the arrays are the caller's). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

/** The deployer the canary workflow uses: patch HTTPRoute weights, scale and re-image the app Deployments. */
export const deployer = {
  serviceAccountName: 'homelab-deployer',
  /**
   * Its Role's rules over the named objects: the manifests' Role (infra/k8s) and the cluster bad-canary drill's
   * copy in its own namespace both take them from here, so the drill's gate has exactly the production grants.
   * Every rule names its objects; server-side apply is a PATCH; `list`/`watch` work for one named object at a time.
   */
  rules: (names: {
    readonly deployments: readonly string[];
    readonly routes: readonly string[];
    readonly historyConfigMap: string;
  }): PolicyRule[] => [
    {
      apiGroups: ['gateway.networking.k8s.io'],
      resources: ['httproutes'],
      resourceNames: [...names.routes],
      verbs: ['get', 'list', 'watch', 'patch'],
    },
    // `kubectl set image` and a rollout are patches of the Deployment itself.
    {
      apiGroups: ['apps'],
      resources: ['deployments'],
      resourceNames: [...names.deployments],
      verbs: ['get', 'list', 'watch', 'patch'],
    },
    {
      apiGroups: ['apps'],
      resources: ['deployments/scale'],
      resourceNames: [...names.deployments],
      verbs: ['get', 'patch'],
    },
    // The deploy history (`homelab deploy` appends one line per rollout; the status page reads it).
    { apiGroups: [''], resources: ['configmaps'], resourceNames: [names.historyConfigMap], verbs: ['get', 'patch'] },
  ],
} as const;

/**
 * The footprint budget: apps + data + edge at minimum replicas must fit one mini PC's share for the platform.
 */
export const footprintBudget = { cpuMillis: 1000, memoryMiB: 2048 } as const;

/**
 * The peak budget: everything the platform may request at once (every HPA at its maximum plus a rollout's surge
 * pod, a canary per app, every Job running, the add-ons) must fit this share of the node, or a scale-up, a deploy
 * or the nightly backup waits Pending exactly when it is needed. Twice the steady-state budget (ADR 0125).
 */
export const footprintPeakBudget = { cpuMillis: 2000, memoryMiB: 4096 } as const;

/**
 * Requests of the add-ons at their pinned Helm chart versions (versions.json `charts`), per pod x replicas.
 * `chart default`: the chart's values.yaml sets these; `homelab override`: the chart sets none (a pod without
 * requests is BestEffort and first to be evicted), so the Pulumi program sets these values.
 * Not counted: what the distribution itself runs (k3s: CoreDNS, local-path-provisioner, its metrics-server).
 */
export const addOnRequests = [
  { chart: 'cert-manager', pod: 'controller', replicas: 1, cpuMillis: 10, memoryMiB: 32, source: 'homelab override' },
  { chart: 'cert-manager', pod: 'webhook', replicas: 1, cpuMillis: 10, memoryMiB: 32, source: 'homelab override' },
  { chart: 'cert-manager', pod: 'cainjector', replicas: 1, cpuMillis: 10, memoryMiB: 32, source: 'homelab override' },
  { chart: 'envoy-gateway', pod: 'controller', replicas: 1, cpuMillis: 100, memoryMiB: 256, source: 'chart default' },
  {
    chart: 'kube-prometheus-stack',
    pod: 'prometheus',
    replicas: 1,
    cpuMillis: 200,
    memoryMiB: 400,
    source: 'homelab override',
  },
  {
    chart: 'kube-prometheus-stack',
    pod: 'alertmanager',
    replicas: 1,
    cpuMillis: 10,
    memoryMiB: 32,
    source: 'homelab override',
  },
  {
    chart: 'kube-prometheus-stack',
    pod: 'operator',
    replicas: 1,
    cpuMillis: 50,
    memoryMiB: 64,
    source: 'homelab override',
  },
  {
    chart: 'kube-prometheus-stack',
    pod: 'grafana',
    replicas: 1,
    cpuMillis: 50,
    memoryMiB: 128,
    source: 'homelab override',
  },
  {
    chart: 'kube-prometheus-stack',
    pod: 'kube-state-metrics',
    replicas: 1,
    cpuMillis: 10,
    memoryMiB: 32,
    source: 'homelab override',
  },
  {
    chart: 'kube-prometheus-stack',
    pod: 'node-exporter',
    replicas: 1,
    cpuMillis: 10,
    memoryMiB: 32,
    source: 'homelab override',
  },
  /** On kind only: k3s ships its own metrics-server. */
  {
    chart: 'metrics-server',
    pod: 'metrics-server',
    replicas: 1,
    cpuMillis: 100,
    memoryMiB: 200,
    source: 'chart default',
  },
] as const;
