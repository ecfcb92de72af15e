import { clusterDriver, gateConfigFor, type MetricSource, type RolloutResult, runRollout } from '@homelab/canary-gate';
import { faultLabel, faults, type Kube, type KubeObject, tokenKubeConfig } from '@homelab/cluster';
import { apps, canary, canaryGate, deployer, k8sLabels, type Track } from '@homelab/platform';
import type { KubeConfig } from '@kubernetes/client-node';

const app = apps.api.name;
const canaryName = `${app}${canary.suffix}`;
/** The release under test: a new image whose containers die on start (the crash itself is kwok's fault Stage). */
export const badImage = 'registry.example/homelab/api:bad-canary';
/**
 * How long the canary's rollout may make no progress before the Deployment controller marks it
 * Progressing=False/ProgressDeadlineExceeded. Shortened for a drill; the platform's canaries have
 * `canary.progressDeadlineSeconds` (180 s), before the gate's own 300 s backstop.
 */
export const progressDeadlineSeconds = 6;

/** The api's pod labels per track, as infra/k8s gives them: Services select by name and track. */
export const trackLabels = (track: Track): Record<string, string> => ({
  [k8sLabels.name]: app,
  [k8sLabels.track]: track,
});

/** Whether the API server serves HTTPRoute (the Gateway API CRDs): the canary's weights live there. */
export const httpRoutesServed = (kube: Kube): Promise<boolean> =>
  kube.serves('gateway.networking.k8s.io/v1', 'HTTPRoute');

/**
 * The canary beside the drill's stable api, shaped as infra/k8s synthesizes it: `<app>-canary` Deployment (0
 * replicas) derived from the stable one, its Service, the app's HTTPRoute with both backends (canary weight 0),
 * and the deployer ServiceAccount with the production Role's rules (packages/platform `deployer.rules`). The gate
 * (packages/canary-gate `runRollout` + `clusterDriver`) acts with a TokenRequest token of that account, not admin.
 */
export class BadCanary {
  readonly notes: string[] = [];
  private result: RolloutResult | undefined;
  private rollout: Promise<void> | undefined;
  private watcher: Promise<void> | undefined;
  private watching = false;
  private routeReads = 0;
  private maxCanaryWeight = 0;
  private metricReads = 0;
  private finished = false;

  private readonly kube: Kube;
  private readonly namespace: string;
  private readonly stable: { readonly deployment: KubeObject; readonly service: KubeObject };

  /** `stable`: the drill's api Deployment and Service; the canary is derived from them. */
  constructor(kube: Kube, namespace: string, stable: { deployment: KubeObject; service: KubeObject }) {
    this.kube = kube;
    this.namespace = namespace;
    this.stable = stable;
  }

  /** The objects the drill adds for the canary; deleted again by `finish`. */
  objects(): KubeObject[] {
    const ns = this.namespace;
    const labels = trackLabels('canary');
    const stableSpec = this.stable.deployment.spec;
    const name = deployer.serviceAccountName;
    return [
      {
        ...this.stable.deployment,
        metadata: { name: canaryName, namespace: ns, labels },
        spec: {
          ...stableSpec,
          replicas: canary.replicas,
          progressDeadlineSeconds,
          selector: { matchLabels: labels },
          // The bad build: kwok's crash-loop Stage takes pods carrying this label from Pending straight to
          // CrashLoopBackOff, so they are never Ready (what a container that dies on start looks like).
          template: {
            ...stableSpec.template,
            metadata: { labels: { ...labels, [faultLabel]: faults.crashLoop } },
          },
        },
      },
      {
        ...this.stable.service,
        metadata: { name: canaryName, namespace: ns, labels },
        spec: { ...this.stable.service.spec, selector: labels },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: app, namespace: ns },
        spec: {
          rules: [
            {
              backendRefs: [this.stable.service.metadata.name, canaryName].map((backend, i) => ({
                name: backend,
                port: this.stable.service.spec.ports[0].port,
                weight: i === 0 ? 100 : 0,
              })),
            },
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace: ns },
        automountServiceAccountToken: false,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name, namespace: ns },
        rules: deployer.rules({
          deployments: [this.stable.deployment.metadata.name, canaryName],
          routes: [app],
          historyConfigMap: canaryGate.history.configMap,
        }),
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      },
    ];
  }

  /** Creates the canary objects and starts the gate in the background (it decides by itself). */
  async start(): Promise<void> {
    for (const o of this.objects()) await this.kube.applyOrThrow(o);
    const kubeConfig = await this.deployerConfig();
    this.notes.push(
      `the gate acts as system:serviceaccount:${this.namespace}:${deployer.serviceAccountName} (TokenRequest token; the production deployer Role's rules)`,
    );
    // Nothing on kwok nodes serves /metrics: a stand-in that has no series. The gate holds on no data; here it
    // should never even read it, because a canary that never gets ready is decided before any traffic.
    const source: MetricSource = {
      description: 'stand-in: no series (nothing on kwok nodes serves /metrics)',
      read: async () => {
        this.metricReads++;
        return { canary: undefined, stable: undefined };
      },
    };
    this.watching = true;
    this.watcher = this.watchWeights();
    const startedAt = Date.now();
    this.rollout = runRollout({
      app,
      image: badImage,
      // One short stage: were the canary ever ready, the drill would end by the deadline, not the 20-minute plan.
      config: gateConfigFor(app, { stages: [{ weight: canaryGate.stages[0]?.weight ?? 10, deadlineSeconds: 30 }] }),
      source,
      driver: clusterDriver({ kubeConfig, namespace: this.namespace, pollMs: 250, rolloutTimeoutMs: 60_000 }),
      evaluationSeconds: 1,
      onEvent: (message) => this.notes.push(`canary gate: ${message}`),
    }).then(
      (result) => {
        this.result = result;
        this.notes.push(
          `canary gate: ${result.outcome} (${result.reason ?? 'no reason'}) ${((Date.now() - startedAt) / 1000).toFixed(1)} s after it started`,
        );
      },
      (error: Error) => {
        this.notes.push(`canary gate failed: ${error.message}`);
      },
    );
  }

  /** The gate's rollback as a signal line, once it happened. */
  rolledBack(): string | undefined {
    const r = this.result;
    return r?.outcome === 'rolled-back' ? `canary gate: rolled back (${r.reason}): ${r.detail}` : undefined;
  }

  /** Waits for the gate's decision, records what the objects say now, and removes the canary objects. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.rollout;
    this.watching = false;
    await this.watcher;
    const route = await this.kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', app, this.namespace);
    const weights = (route?.spec.rules?.[0]?.backendRefs ?? []) as { name: string; weight: number }[];
    const annotations = (route?.metadata.annotations ?? {}) as Record<string, string>;
    const phase = JSON.parse(annotations[canaryGate.annotations.rollout] ?? '{}').phase;
    this.notes.push(
      `HTTPRoute ${this.namespace}/${app}: canary weight at most ${this.maxCanaryWeight} % over ${this.routeReads} reads while the gate ran; now ${weights.map((w) => `${w.name} ${w.weight}`).join(', ')}, rollout phase ${phase ?? 'none'}`,
    );
    const d = await this.kube.get('apps/v1', 'Deployment', canaryName, this.namespace);
    this.notes.push(
      `deployment ${this.namespace}/${canaryName}: replicas ${d?.spec.replicas}, image ${d?.spec.template.spec.containers[0].image}; metrics read ${this.metricReads} times`,
    );
    for (const o of this.objects().reverse()) {
      const res = await this.kube.request(
        'DELETE',
        await this.kube.pathOf(o.apiVersion, o.kind, this.namespace, o.metadata.name),
      );
      if (res.status >= 400 && res.status !== 404)
        throw new Error(`DELETE ${o.kind} ${o.metadata.name}: ${res.status}`);
    }
  }

  /** What the workflow does: a short-lived token of the deployer ServiceAccount, and a kubeconfig with only that. */
  private async deployerConfig(): Promise<KubeConfig> {
    const name = deployer.serviceAccountName;
    const token = await this.kube.call(
      'POST',
      `/api/v1/namespaces/${this.namespace}/serviceaccounts/${name}/token`,
      // 600 s is the API server's minimum expiry.
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } } },
    );
    return tokenKubeConfig(this.kube.config, { user: name, token: token.body.status.token, namespace: this.namespace });
  }

  /** Reads the route's canary weight until the gate is done: the record shows it never rose above 0. */
  private async watchWeights(): Promise<void> {
    while (this.watching) {
      try {
        const route = await this.kube.get('gateway.networking.k8s.io/v1', 'HTTPRoute', app, this.namespace);
        const refs = (route?.spec.rules?.[0]?.backendRefs ?? []) as { name: string; weight?: number }[];
        this.maxCanaryWeight = Math.max(this.maxCanaryWeight, refs.find((r) => r.name === canaryName)?.weight ?? 0);
        this.routeReads++;
      } catch {
        // A failed read is a missing sample, not a weight: the count of reads in the record says how many there were.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
