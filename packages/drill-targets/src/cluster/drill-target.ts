import { faultLabel, type Kube, type KubeObject, kwokNodeAnnotation, waitFor } from '@homelab/cluster';
import {
  type ClusterAction,
  confirmWithTriage,
  type DrillTarget,
  type ExpectedSignal,
  type Injection,
  type Invariant,
  type InvariantResult,
  signalMatches,
} from '@homelab/drills';
import { apps, podSecurityLabels, tls } from '@homelab/platform';
import { BadCanary, httpRoutesServed, trackLabels } from './bad-canary.ts';
import {
  caIssuerExists,
  certificatesServed,
  certManagerRuns,
  expireCertificate,
  renewCertificate,
} from './certificate.ts';
import { type Dns, findOrCreateDns, scaleDns } from './coredns.ts';
import { Drain } from './drain.ts';
import { drillDeployment } from './drill-workload.ts';
import { apiPodProblems, apiPods, deleteFaultedPods, deleteOnePod, faults, labelFault } from './pod-actions.ts';

/** The namespace the cluster drills work in; created and deleted by the target, never the platform's own. */
export const drillNamespace = 'drills';

// The stable track's labels: the Service must not select the bad-canary drill's canary pods.
const labels = trackLabels('stable');

/** The healthy baseline: the api's shape as a Deployment (drill-workload.ts) and Service. */
const deployment = (
  patch: { nodeSelector?: Record<string, string>; replicas?: number; image?: string } = {},
): KubeObject => drillDeployment({ namespace: drillNamespace, labels, ...patch });
const service = (selector: Record<string, string> = labels): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: apps.api.name, namespace: drillNamespace },
  spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
});
const claim: KubeObject = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: drillNamespace },
  spec: {
    storageClassName: 'missing-class',
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
  },
};

/** An image reference no registry serves (`.invalid` is reserved); on real nodes every pull goes to a closed port. */
export const unpullableImage = 'registry.invalid/homelab/api:does-not-exist';

/** What one drill run left behind for its revert and its record. */
interface RunState {
  readonly dns: Dns;
  drain?: Drain;
  dnsReplicas?: number;
  canary?: BadCanary;
  /** k8s-cert-expiry: whether a cert-manager controller owns the Certificate's status. */
  certManager?: boolean;
  notes: string[];
}

interface Action {
  inject: (k: Kube, run: RunState) => Promise<unknown>;
  revert: (k: Kube, run: RunState) => Promise<unknown>;
  /** What this action needs of the cluster beyond a healthy api (CRDs, nodes); each failure says how to fix it. */
  preconditions?: (k: Kube) => Promise<string[]>;
}

/** The operator's fix for a pod fault: delete the failing pods; the ReplicaSet replaces them without the fault. */
const podFault = (fault: (typeof faults)[keyof typeof faults]): Action => ({
  inject: async (k, run) => {
    await labelFault(k, drillNamespace, fault);
    run.notes.push(
      `labelled the api pods ${faultLabel}=${fault}: on kwok nodes a Stage writes the failing container status; on a real kubelet the drill workload reads the label and really ${fault === faults.crashLoop ? 'exits 1' : 'grows until OOM-killed'}`,
    );
  },
  revert: async (k, run) => {
    await deleteFaultedPods(k, drillNamespace);
    run.notes.push('deleted the failing pods; the ReplicaSet created healthy ones');
  },
});

/** What each cluster action applies, and what puts it back. */
const actions: Partial<Record<ClusterAction, Action>> = {
  'delete-pod': {
    inject: async (k, run) => run.notes.push(`deleted pod ${await deleteOnePod(k, drillNamespace)}`),
    // Nothing to put back: the ReplicaSet's replacement is the mitigation.
    revert: async () => undefined,
  },
  'bad-image': {
    preconditions: async (k) =>
      (await nodeKinds(k)).real > 0
        ? []
        : ['the image-pull drill needs real nodes (kwok marks every image pulled): homelab cluster up --real-nodes 2'],
    inject: async (k, run) => {
      await k.applyOrThrow(deployment({ image: unpullableImage }));
      run.notes.push(`rolled the api Deployment to ${unpullableImage}, an image no registry serves`);
      // The new pod is ContainerCreating first: the fault is injected once the kubelet reports the pull failing.
      const reason = await waitFor(
        'a pod waiting on ErrImagePull or ImagePullBackOff',
        async () => {
          const pods = await k.list('v1', 'Pod', drillNamespace);
          const waiting = pods.flatMap((p) =>
            ((p.status?.containerStatuses ?? []) as { state?: { waiting?: { reason?: string } } }[]).map(
              (c) => c.state?.waiting?.reason,
            ),
          );
          return waiting.find((r) => r === 'ErrImagePull' || r === 'ImagePullBackOff');
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      run.notes.push(`the kubelet reports ${reason}`);
    },
    // The operator's fix: roll back to the image that runs; the stuck pod is replaced by the rollout.
    revert: async (k, run) => {
      await k.applyOrThrow(deployment());
      run.notes.push('rolled the api Deployment back to its image');
    },
  },
  'crash-loop-stage': podFault(faults.crashLoop),
  'oom-stage': podFault(faults.oomKilled),
  'drain-under-pdb': {
    preconditions: async (k) => {
      const nodes = await schedulableNodes(k);
      return nodes >= 2
        ? []
        : [
            `the drain needs at least 2 schedulable nodes (found ${nodes}): on one node the evicted pods have nowhere to go, so the drain could never finish under the PDB (add a node, or skip this drill on a one-node k3s)`,
          ];
    },
    inject: async (k, run) => {
      run.drain = new Drain(k, drillNamespace);
      await run.drain.start();
    },
    // The fix that keeps the budget: one more replica (surge capacity), so an eviction no longer breaks the PDB.
    revert: async (k, run) => {
      await k.applyOrThrow(deployment({ replicas: apps.api.replicas.min + 1 }));
      try {
        await run.drain?.finish(30_000);
      } finally {
        if (run.drain) run.notes.push(run.drain.summary());
        await k.applyOrThrow(deployment());
      }
    },
  },
  'break-coredns': {
    inject: async (k, run) => {
      run.dnsReplicas = await scaleDns(k, run.dns, 0);
      run.notes.push(
        `scaled ${run.dns.namespace}/coredns from ${run.dnsReplicas} to 0${run.dns.standIn ? ' (a stand-in: no cluster DNS add-on on this control plane)' : ''}`,
      );
    },
    revert: async (k, run) => {
      await scaleDns(k, run.dns, run.dnsReplicas ?? 2);
      run.notes.push(`scaled ${run.dns.namespace}/coredns back to ${run.dnsReplicas ?? 2}`);
    },
  },
  'bad-canary': {
    preconditions: async (k) =>
      (await httpRoutesServed(k))
        ? []
        : ['the API server does not serve gateway.networking.k8s.io/v1 HTTPRoute (install the CRDs)'],
    inject: async (k, run) => {
      run.canary = new BadCanary(k, drillNamespace, { deployment: deployment(), service: service() });
      await run.canary.start();
    },
    // The gate's rollback is the mitigation; the revert waits for its decision, then removes the canary objects.
    revert: async (_k, run) => {
      await run.canary?.finish();
    },
  },
  'expire-certificate': {
    preconditions: async (k) => {
      if (!(await certificatesServed(k))) {
        return ['the API server does not serve cert-manager.io/v1 Certificate (install the CRDs)'];
      }
      return (await certManagerRuns(k)) && !(await caIssuerExists(k))
        ? [
            `cert-manager runs but ClusterIssuer ${tls.caIssuer} does not exist: the revert re-issues the certificate from it (deploy the platform first)`,
          ]
        : [];
    },
    inject: async (k, run) => {
      run.certManager = await certManagerRuns(k);
      run.notes.push(await expireCertificate(k, drillNamespace, run.certManager));
    },
    revert: async (k, run) => run.notes.push(await renewCertificate(k, drillNamespace, run.certManager === true)),
  },
  'selector-mismatch': {
    inject: (k) => k.applyOrThrow(service({ 'app.kubernetes.io/name': `${apps.api.name}x` })),
    revert: (k) => k.applyOrThrow(service()),
  },
  'unschedulable-node-selector': {
    inject: (k) => k.applyOrThrow(deployment({ nodeSelector: { 'homelab.dev/disk': 'nvme' } })),
    revert: (k) => k.applyOrThrow(deployment()),
  },
  'missing-storage-class': {
    inject: (k) => k.applyOrThrow(claim),
    revert: async (k) => k.request('DELETE', await k.pathOf('v1', 'PersistentVolumeClaim', drillNamespace, 'data')),
  },
};

/** Cluster actions this target carries out today. */
export const clusterActions: ReadonlySet<ClusterAction> = new Set(Object.keys(actions) as ClusterAction[]);

/** Ready endpoints of a Service (the api's by default), as the EndpointSlice controller publishes them. */
async function readyEndpoints(kube: Kube, namespace = drillNamespace, name: string = apps.api.name): Promise<number> {
  const slices = await kube.list(
    'discovery.k8s.io/v1',
    'EndpointSlice',
    namespace,
    `kubernetes.io/service-name=${name}`,
  );
  return slices
    .flatMap((s) => (s as { endpoints?: { conditions?: { ready?: boolean } }[] }).endpoints ?? [])
    .filter((e) => e.conditions?.ready === true).length;
}

/** Whether the nodes are kwok's fakes (`homelab cluster up`) or real kubelets (a home cluster), for the output. */
async function nodeKinds(kube: Kube): Promise<{ readonly real: number; readonly fake: number; readonly text: string }> {
  const [key, value] = Object.entries(kwokNodeAnnotation)[0] as [string, string];
  const nodes = await kube.list('v1', 'Node');
  const fake = nodes.filter((n) => (n.metadata.annotations as Record<string, string> | undefined)?.[key] === value);
  const real = nodes.length - fake.length;
  const text =
    real === 0
      ? `${fake.length} kwok nodes: container failures are kwok Stages`
      : fake.length === 0
        ? `${real} real nodes: containers really run, crash and get OOM-killed`
        : `${real} real and ${fake.length} kwok nodes`;
  return { real, fake: fake.length, text };
}

/** Nodes the scheduler may place pods on: not cordoned, Ready, no NoSchedule/NoExecute taint. */
export async function schedulableNodes(kube: Kube): Promise<number> {
  type NodeObject = KubeObject & {
    spec?: { unschedulable?: boolean; taints?: { effect: string }[] };
    status?: { conditions?: { type: string; status: string }[] };
  };
  const nodes = (await kube.list('v1', 'Node')) as NodeObject[];
  return nodes.filter(
    (n) =>
      n.spec?.unschedulable !== true &&
      !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

/**
 * How long a fault may take to show on real kubelets: the pod's new label reaches its downward-API file when the
 * kubelet next syncs the pod (usually seconds after the update, at worst its sync period, 1 min by default), then
 * the container must fail twice before CrashLoopBackOff (10 s back-off between). kwok shows it in about a second.
 * Within the cluster drills' bounded load (120 s) with baseline and recovery.
 */
export const realNodeMaxFaultSeconds = 90;

/**
 * A DrillTarget on a real API server with kwok's simulated nodes. No traffic can flow (no kubelet, no pod
 * network), so each "request" of the load asks the API how many ready endpoints the api Service has: 200 with at
 * least one, 503 with none. That is what a client of the Service would get, as far as the control plane decides.
 */
export async function clusterDrillTarget(
  kube: Kube,
  kubeconfig: string,
): Promise<DrillTarget & { readonly realNodes: number; stop(): Promise<void> }> {
  // Pod Security `restricted` enforced by the API server's admission: a drill pod that a hardened home cluster
  // would refuse is refused here too, before any drill starts.
  await kube.applyOrThrow({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: drillNamespace, labels: podSecurityLabels('restricted') },
  });
  await kube.applyOrThrow(deployment());
  await kube.applyOrThrow(service());
  const dns = await findOrCreateDns(kube, drillNamespace);
  const dnsReady = () => readyEndpoints(kube, dns.namespace, 'kube-dns');
  const nodes = await nodeKinds(kube);
  await waitFor(
    'the api and kube-dns Services to have ready endpoints',
    async () => ((await readyEndpoints(kube)) > 0 && (await dnsReady()) > 0 ? true : undefined),
    // A real node may first pull the api image (hundreds of MB); kwok pods are Ready in a second.
    { timeoutMs: nodes.real > 0 ? 300_000 : 60_000, intervalMs: 500 },
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}; api pods: ${await apiPodProblems(kube, drillNamespace)}`);
  });
  const triageOptions = { kubeconfig, namespace: drillNamespace };
  let run: RunState = { dns, notes: [] };
  let current: Injection | undefined;
  const action = (injection: Injection) => {
    const a = injection.kind === 'kubernetes' ? actions[injection.action] : undefined;
    if (!a) throw new Error(`the cluster target cannot inject ${JSON.stringify(injection)}`);
    return a;
  };
  return {
    realNodes: nodes.real,
    description: `control plane ${kube.config.getCurrentCluster()?.server ?? ''} (kube-apiserver, scheduler, controllers; ${nodes.text}), namespace ${drillNamespace}`,
    async checkPreconditions(scenario) {
      const failures: string[] = [];
      if (scenario.inject.kind !== 'kubernetes' || !clusterActions.has(scenario.inject.action)) {
        failures.push(`the cluster target cannot inject ${JSON.stringify(scenario.inject)} yet`);
      }
      if ((await readyEndpoints(kube)) === 0) failures.push('the api Service has no ready endpoints before the drill');
      if (scenario.inject.kind === 'kubernetes')
        failures.push(...((await actions[scenario.inject.action]?.preconditions?.(kube)) ?? []));
      if (scenario.inject.kind === 'kubernetes' && scenario.inject.action === 'break-coredns' && dns.hostProcess) {
        failures.push('CoreDNS runs as a host process on the real-node cluster (no Deployment to scale to zero)');
      }
      if ((await dnsReady()) === 0) failures.push(`${dns.namespace}/kube-dns has no ready endpoints before the drill`);
      return failures;
    },
    async send() {
      const started = performance.now();
      try {
        // A client resolves the name through kube-dns first, then connects to one of the api's endpoints.
        const ready = (await dnsReady()) > 0 ? await readyEndpoints(kube) : 0;
        return { status: ready > 0 ? 200 : 503, ms: performance.now() - started };
      } catch (error) {
        return { status: 0, ms: performance.now() - started, error: (error as Error).message };
      }
    },
    inject: async (injection) => {
      run = { dns, notes: [] };
      current = injection;
      await action(injection).inject(kube, run);
    },
    revert: async (injection) => {
      await action(injection).revert(kube, run);
    },
    cannotObserve: (signal: ExpectedSignal) =>
      signal.kind === 'triage' || signal.kind === 'restarts' || signal.kind === 'canary-rolled-back'
        ? undefined
        : `the cluster target does not observe ${signal.kind}`,
    async observe(signal: ExpectedSignal, since: number) {
      if (signal.kind === 'restarts') {
        // A deleted pod is not restarted but replaced: count Ready pods the ReplicaSet created since the injection.
        const pods = await apiPods(kube, drillNamespace);
        const fresh = pods.filter((p) => p.ready && !p.deleting && p.created >= Math.floor(since / 1000) * 1000);
        const ready = pods.filter((p) => p.ready && !p.deleting).length;
        return fresh.length >= signal.count && ready >= apps.api.replicas.min
          ? `replacement pod ${fresh.map((p) => p.name).join(', ')} Ready; ${ready}/${apps.api.replicas.min} api pods Ready`
          : undefined;
      }
      if (signal.kind === 'canary-rolled-back') return run.canary?.rolledBack();
      if (signal.kind !== 'triage') return undefined;
      // CoreDNS may live in kube-system (a real cluster): triage looks where the drill broke it.
      const where =
        current?.kind === 'kubernetes' && current.action === 'break-coredns'
          ? { ...triageOptions, namespace: dns.namespace }
          : triageOptions;
      const verdict = await confirmWithTriage(signal.check, where, signalMatches(signal));
      return verdict.findings.length > 0 ? `homelab triage ${signal.check}: ${verdict.summary}` : undefined;
    },
    verify: async (invariant: Invariant): Promise<InvariantResult> => ({
      invariant,
      held: false,
      detail: 'no invariants are checked on the cluster target',
    }),
    triage: async (check) => (await confirmWithTriage(check, triageOptions)).summary,
    evidence: () => [...run.notes, ...(run.canary?.notes ?? [])],
    stop: async () => {
      await kube.request('DELETE', await kube.pathOf('v1', 'Namespace', undefined, drillNamespace));
    },
  };
}
