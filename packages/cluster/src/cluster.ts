import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { local, versions } from '@homelab/platform';
import { lock } from 'proper-lockfile';
import { stringify } from 'yaml';
import { crdVersionProblems, loadCrds } from './crds.ts';
import { childEnv, pathWith } from './env.ts';
import { Kube, type KubeObject, waitFor } from './kube.ts';
import { type FakeNodeOptions, fakeNodes, kwokNodeAnnotation } from './nodes.ts';
import type { ImageSource } from './real/images.ts';
import { planRealNodes, type RealNodePlan } from './real/plan.ts';
import { type RealNodes, realNodesDown, realNodesUp } from './real/real-nodes.ts';
import { realNodeProblems } from './real/tools.ts';
import { defaultStages, faultStages } from './stages.ts';
import { localPathStorage, localVolumePath } from './storage.ts';
import { missingTools, repoRoot, type ToolPaths, toolPaths } from './tools.ts';

export interface ClusterOptions {
  /** kwokctl cluster name. Default `homelab`. */
  readonly name?: string;
  /** Where kwokctl keeps its clusters (PKI, etcd data, logs, kubeconfig). Default `<repo>/.data/kwok`. */
  readonly workdir?: string;
  /** Progress lines; default silent. */
  readonly log?: (line: string) => void;
}

export interface UpOptions extends ClusterOptions, Pick<FakeNodeOptions, 'count' | 'zones'> {
  /** Install the pinned add-ons' CRDs. Default true. */
  readonly crds?: boolean;
  /**
   * Real nodes instead of kwok's: containerd + kubelet each, one kube-proxy, CoreDNS (real/real-nodes.ts). Needs
   * root and the Debian packages; default 0 (simulated nodes only).
   */
  readonly realNodes?: number;
  /** Images imported into every real node's containerd. */
  readonly images?: readonly ImageSource[];
  /** Real nodes: a process whose death tears the whole cluster down (tests pass their own pid). */
  readonly owner?: number;
}

export interface ClusterInfo {
  readonly name: string;
  readonly kubeconfig: string;
  readonly server: string;
  readonly nodes: readonly { name: string; zone: string }[];
  readonly crds: number;
  readonly seconds: number;
  /** Present when the nodes are real. */
  readonly real?: RealNodes;
}

export const defaultClusterName = 'homelab';
const workdirOf = (o: ClusterOptions) => o.workdir ?? join(repoRoot, local.dataDir, 'kwok');
const clusterDirOf = (o: ClusterOptions) => join(workdirOf(o), 'clusters', o.name ?? defaultClusterName);
export const kubeconfigPath = (o: ClusterOptions = {}) => join(clusterDirOf(o), 'kubeconfig.yaml');
/** The real nodes' run directory (configs, state, undo journal), beside kwokctl's files for the cluster. */
export const realNodesDir = (o: ClusterOptions = {}) => join(clusterDirOf(o), 'real-nodes');

/** The kwokctl configuration: the pinned local binaries, loopback only, RBAC and admission on, etcd without fsync. */
export const kwokctlConfig = (
  paths: ToolPaths,
  real?: Pick<RealNodePlan, 'serviceCidr'> & { readonly pki: string },
): object[] => [
  {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options: {
      runtime: 'binary',
      // kwokctl picks version-dependent flags from this; the binaries below are the ones it runs.
      kubeVersion: versions.kubernetes.controlPlane,
      // kwokctl's default is 0.0.0.0; nothing here should be reachable from the network.
      bindAddress: '127.0.0.1',
      securePort: true,
      kubeAuthorization: true,
      kubeAdmission: true,
      kubeApiserverBinary: join(paths.k8s, 'kube-apiserver'),
      kubeControllerManagerBinary: join(paths.k8s, 'kube-controller-manager'),
      kubeSchedulerBinary: join(paths.k8s, 'kube-scheduler'),
      kubectlBinary: join(paths.k8s, 'kubectl'),
      etcdBinary: join(paths.etcd, 'etcd'),
      kwokControllerBinary: join(paths.kwok, 'kwok'),
    },
    componentsPatches: [
      // A throwaway cluster: durability is not worth an fsync per write on a shared 2-core machine.
      { name: 'etcd', extraArgs: [{ key: 'unsafe-no-fsync', value: 'true' }] },
      // Real nodes: reach kubelets by their InternalIP (a local bridge address), never by resolving the node name
      // through the host's resolver; a service range the real nodes' safety routes know.
      ...(real
        ? [
            {
              name: 'kube-apiserver',
              extraArgs: [
                { key: 'kubelet-preferred-address-types', value: 'InternalIP' },
                { key: 'service-cluster-ip-range', value: real.serviceCidr },
                // The kubelets trust only clients the cluster CA signed: the API server shows its admin pair (logs, exec).
                { key: 'kubelet-client-certificate', value: join(real.pki, 'admin.crt') },
                { key: 'kubelet-client-key', value: join(real.pki, 'admin.key') },
              ],
            },
          ]
        : []),
      // Real nodes: kwok must leave them to their kubelets. With kwokctl's default (--manage-all-nodes) it also
      // "ran" the real nodes' pods: it gave them addresses from its own range (DNS answered 10.0.0.x for PostgreSQL),
      // marked a migration Job's pod Succeeded while the real container failed, and made pods Ready whose image no
      // node had. Only nodes carrying kwok's annotation are simulated.
      ...(real
        ? [
            {
              name: 'kwok-controller',
              extraArgs: [
                { key: 'manage-all-nodes', value: 'false' },
                {
                  key: 'manage-nodes-with-annotation-selector',
                  value: Object.entries(kwokNodeAnnotation)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(','),
                },
              ],
            },
          ]
        : []),
      // Each controller acts as its own ServiceAccount, so RBAC applies to controllers as in a real cluster.
      {
        name: 'kube-controller-manager',
        extraArgs: [
          { key: 'use-service-account-credentials', value: 'true' },
          // HPAs raise fresh Deployments to minReplicas on their first sync: 2 s instead of 15 s, so tests wait less.
          { key: 'horizontal-pod-autoscaler-sync-period', value: '2s' },
          ...(real ? [{ key: 'service-cluster-ip-range', value: real.serviceCidr }] : []),
        ],
      },
    ],
  },
  // kwokctl drops its default Stages once any Stage is configured, so kwok's own come along with ours.
  ...defaultStages(paths.kwok),
  ...faultStages(),
];

const run = (
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs?: number,
): Promise<{ code: number; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? 1,
        output: signal ? `${output}\n(${cmd} stopped by ${signal} after ${timeoutMs} ms)` : output,
      }),
    );
  });

const kwokctl = (paths: ToolPaths, o: ClusterOptions, args: string[], timeoutMs?: number) =>
  run(
    join(paths.kwok, 'kwokctl'),
    args,
    {
      KWOK_WORKDIR: workdirOf(o),
      PATH: pathWith([paths.k8s, paths.etcd, paths.kwok]),
    },
    timeoutMs,
  );

/**
 * kwokctl gives each component the highest free port below 32766 as it starts: two clusters created at the same
 * moment (two test files, two terminals) pick the same ports, one set of components dies on bind, and its kwokctl
 * waits for ever. Creations therefore take turns across processes; once a creation returns its ports are bound, so
 * the next one picks others. Running clusters are not affected.
 */
async function oneCreationAtATime<T>(create: () => Promise<T>): Promise<T> {
  const release = await lock(join(tmpdir(), `homelab-kwokctl-create-${userInfo().uid}`), {
    realpath: false,
    // A creation takes 5-20 s, longer on a loaded machine; a crashed holder's lock goes stale after 30 s.
    stale: 30_000,
    retries: { retries: 600, minTimeout: 250, maxTimeout: 500 },
  });
  try {
    return await create();
  } finally {
    await release();
  }
}

const ensureTools = (): ToolPaths => {
  const paths = toolPaths();
  const missing = missingTools(paths);
  if (missing.length) {
    throw new Error(
      `the control plane binaries are not built: run \`bash scripts/k8s-tools.sh\` (missing ${missing.join(', ')})`,
    );
  }
  return paths;
};

/**
 * Starts a real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) on 127.0.0.1 with
 * kwok's simulated nodes, then adds the nodes, the local-path StorageClass with static volumes and the CRDs.
 */
export async function clusterUp(options: UpOptions = {}): Promise<ClusterInfo> {
  const started = Date.now();
  const sink = options.log ?? (() => {});
  const log = (line: string) => sink(`${line} [${((Date.now() - started) / 1000).toFixed(1)} s]`);
  const name = options.name ?? defaultClusterName;
  const paths = ensureTools();
  const workdir = workdirOf(options);
  mkdirSync(workdir, { recursive: true });
  const configFile = join(workdir, `${name}.kwokctl.yaml`);
  const realCount = options.realNodes ?? 0;
  const realPlan =
    realCount > 0 ? planRealNodes({ count: realCount, dir: realNodesDir(options), zones: options.zones }) : undefined;
  if (realCount > 0) {
    const problems = realNodeProblems();
    if (problems.length) throw new Error(`real nodes cannot run here:\n  ${problems.join('\n  ')}`);
  }
  writeFileSync(
    configFile,
    kwokctlConfig(paths, realPlan ? { ...realPlan, pki: join(clusterDirOf(options), 'pki') } : undefined)
      .map((d) => stringify(d))
      .join('---\n'),
  );

  log(
    `starting control plane "${name}" (kube-apiserver ${versions.kubernetes.controlPlane}, etcd ${versions.kubernetes.etcd}, kwok ${versions.kubernetes.kwok}) on 127.0.0.1`,
  );
  const created = await oneCreationAtATime(() =>
    // Past its own --wait: a component that died on start leaves kwokctl waiting for ever, so it is stopped.
    kwokctl(paths, options, ['create', 'cluster', '--name', name, '--config', configFile, '--wait', '90s'], 150_000),
  );
  if (created.code !== 0) throw new Error(`kwokctl create cluster failed:\n${created.output}`);
  log('control plane ready');

  const kubeconfig = kubeconfigPath(options);
  const kube = await Kube.fromFile(kubeconfig);
  try {
    await waitFor('the API server /readyz', async () =>
      (await kube.request('GET', '/readyz')).status === 200 ? true : undefined,
    );
    let real: RealNodes | undefined;
    if (realPlan) {
      const pki = join(clusterDirOf(options), 'pki');
      real = await realNodesUp(kube, {
        count: realPlan.nodes.length,
        zones: options.zones,
        dir: realPlan.dir,
        ca: {
          cert: join(pki, 'ca.crt'),
          key: join(pki, 'ca.key'),
          server: kube.config.getCurrentCluster()?.server ?? '',
        },
        images: options.images,
        owner: options.owner,
        // A guardian-driven teardown (owner died) stops the control plane too, so nothing of the run is left.
        finally: options.owner
          ? [
              `KWOK_WORKDIR=${workdir} PATH=${paths.k8s}:${paths.etcd}:${paths.kwok}:$PATH ${join(paths.kwok, 'kwokctl')} delete cluster --name ${name}`,
            ]
          : [],
        log: sink,
      });
    }
    const nodes = realPlan ? [] : fakeNodes({ count: options.count, zones: options.zones });
    for (const node of nodes) {
      await kube.applyOrThrow(node as KubeObject);
      // Capacity is status: set it through the status subresource too, whatever the create kept of it.
      await kube.applyOrThrow(node as KubeObject, { subresource: 'status' });
    }
    // Generous: on a loaded 2-core machine kwok's first heartbeat can take a minute.
    if (!realPlan)
      await waitFor(
        'simulated nodes Ready',
        async () => {
          const listed = await kube.list('v1', 'Node');
          const ready = listed.filter((n) =>
            n.status?.conditions?.some(
              (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
            ),
          );
          return ready.length === nodes.length ? true : undefined;
        },
        { timeoutMs: 180_000 },
      );
    if (!realPlan)
      log(
        `${nodes.length} simulated nodes (kwok: no kubelet, no containers) in ${new Set(nodes.map((n) => n.metadata.labels['topology.kubernetes.io/zone'])).size} zones`,
      );
    // The class and volumes before any claim, or the claims wait on a provisioner that never runs.
    const volumes = realPlan
      ? { root: join(realPlan.dir, 'volumes'), nodes: realPlan.nodes.map((n) => n.name) }
      : undefined;
    if (volumes) {
      for (let i = 1; i <= 8; i++) mkdirSync(localVolumePath(volumes.root, i), { recursive: true, mode: 0o1777 });
    }
    for (const o of localPathStorage({ local: volumes })) await kube.applyOrThrow(o as KubeObject);
    let crdCount = 0;
    if (options.crds ?? true) {
      const crds = loadCrds(paths.crds);
      const problems = crdVersionProblems(crds, paths.crds);
      if (problems.length) throw new Error(`CRDs do not match the pins:\n${problems.join('\n')}`);
      // In parallel: one by one, each waits out the API server's OpenAPI rebuild for the one before (~2 s each).
      await Promise.all(crds.map((crd) => kube.applyOrThrow(crd)));
      await waitFor(
        'CRDs Established',
        async () => {
          const listed = await kube.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
          const established = listed.filter((c) =>
            c.status?.conditions?.some(
              (x: { type: string; status: string }) => x.type === 'Established' && x.status === 'True',
            ),
          );
          return established.length >= crds.length ? true : undefined;
        },
        { timeoutMs: 120_000 },
      );
      kube.forget();
      crdCount = crds.length;
      log(
        `${crdCount} CRDs of the pinned add-ons installed (Gateway API, Envoy Gateway, cert-manager, prometheus-operator)`,
      );
    }
    const server = kube.config.getCurrentCluster()?.server ?? '';
    return {
      name,
      kubeconfig,
      server,
      nodes: realPlan
        ? realPlan.nodes.map((n) => ({ name: n.name, zone: n.zone }))
        : nodes.map((n) => ({ name: n.metadata.name, zone: n.metadata.labels['topology.kubernetes.io/zone'] })),
      crds: crdCount,
      seconds: (Date.now() - started) / 1000,
      ...(real ? { real } : {}),
    };
  } finally {
    await kube.close();
  }
}

/** Stops every component and deletes the cluster's directory (etcd data, PKI, kubeconfig). */
export async function clusterDown(options: ClusterOptions = {}): Promise<boolean> {
  const paths = ensureTools();
  const name = options.name ?? defaultClusterName;
  if (!existsSync(join(workdirOf(options), 'clusters', name))) return false;
  // Real nodes first: their processes, links, chains and mounts, while the API server still answers.
  realNodesDown(realNodesDir(options));
  const res = await kwokctl(paths, options, ['delete', 'cluster', '--name', name]);
  if (res.code !== 0) throw new Error(`kwokctl delete cluster failed:\n${res.output}`);
  return true;
}

export interface ClusterStatus {
  readonly name: string;
  readonly exists: boolean;
  readonly ready: boolean;
  readonly server?: string;
  readonly version?: string;
  readonly kubeconfig?: string;
  readonly nodes: readonly { name: string; zone: string; ready: boolean; simulated: boolean }[];
}

/** Whether the cluster exists, answers /readyz, and its nodes (all simulated by kwok). */
export async function clusterStatus(options: ClusterOptions = {}): Promise<ClusterStatus> {
  const name = options.name ?? defaultClusterName;
  const kubeconfig = kubeconfigPath(options);
  if (!existsSync(kubeconfig)) return { name, exists: false, ready: false, nodes: [] };
  const kube = await Kube.fromFile(kubeconfig);
  const server = kube.config.getCurrentCluster()?.server;
  try {
    const readyz = await kube.request('GET', '/readyz').catch(() => undefined);
    if (readyz?.status !== 200) return { name, exists: true, ready: false, server, kubeconfig, nodes: [] };
    const version = (await kube.call('GET', '/version')).body.gitVersion as string;
    const nodes = (await kube.list('v1', 'Node')).map((n) => ({
      name: n.metadata.name,
      zone: n.metadata.labels?.['topology.kubernetes.io/zone'] ?? '',
      ready: Boolean(
        n.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'),
      ),
      simulated: (n.metadata.annotations as Record<string, string> | undefined)?.['kwok.x-k8s.io/node'] === 'fake',
    }));
    return { name, exists: true, ready: true, server, version, kubeconfig, nodes };
  } finally {
    await kube.close();
  }
}
