import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { type Kube, waitFor } from '../kube.ts';
import { containerdDirs, writeContainerdFiles } from './containerd.ts';
import { coreDnsDirs, coreDnsUser, corefile, dnsObjects } from './dns.ts';
import { ok, q, UndoJournal } from './host.ts';
import { type ImageArchive, type ImageSource, rootfsImage } from './images.ts';
import { kubeProxyConfig, kubeProxyDirs } from './kube-proxy.ts';
import { kubeletArgs, kubeletConfig, kubeletDirs } from './kubelet.ts';
import { forwardChainFirst, kubeletSysctls, rememberSysctl, setUpNetwork } from './network.ts';
import { type ClusterCa, clientKubeconfig } from './pki.ts';
import { type PlanOptions, planRealNodes, type RealNodePlan } from './plan.ts';
import { type NodeToolPaths, nodeToolPaths, realNodeProblems } from './tools.ts';

const execFileAsync = promisify(execFile);

/** The cgroup v1 hierarchies the kubelet (cgroupfs driver) needs its root in. */
const cgroupHierarchies = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'devices', 'freezer', 'blkio', 'systemd'];

/** The sandbox ("pause") image every pod starts with, built from kubernetes' pause.c (scripts/k8s-node-tools.sh). */
export const pauseImageRef = 'homelab.local/pause:3.10';

export interface RealNodesOptions extends Omit<PlanOptions, 'dir'> {
  /** The run's directory: configs, sockets, state, logs, the undo journal. Removed by teardown. */
  readonly dir: string;
  /** The control plane's CA (kwokctl's PKI) and server URL. */
  readonly ca: ClusterCa;
  /** Images imported into every node's containerd, besides the pause image. */
  readonly images?: readonly ImageSource[];
  /** A process whose death tears the run down (the guardian). Default: none, `realNodesDown` does. */
  readonly owner?: number;
  /** Undo lines run after everything else (e.g. stopping the control plane), for a guardian-driven teardown. */
  readonly finally?: readonly string[];
  readonly log?: (line: string) => void;
  readonly tools?: NodeToolPaths;
}

export interface RealNodes {
  readonly plan: RealNodePlan;
  readonly images: readonly ImageArchive[];
  /** Seconds to nodes Ready (after images were built and imported) and in all. */
  readonly seconds: { readonly images: number; readonly ready: number; readonly total: number };
  down(): void;
}

export const undoScript = (plan: RealNodePlan): string => {
  const roots = plan.nodes.map((n) => n.cgroupRoot.replace(/^\//, ''));
  return `#!/usr/bin/env bash
# Undoes one real-node run (packages/cluster/src/real/real-nodes.ts): stops every process it started, then the
# journal's host changes newest first, then unmounts what is left under the run's directory and removes it.
set -u
dir=${q(plan.dir)}
self=$$
parent=$PPID
for attempt in 1 2 3 4 5; do
  found=0
  # Our processes name the run's directory on their command line (containerd, its shims, kubelet, kube-proxy, coredns).
  for p in /proc/[0-9]*; do
    pid=\${p#/proc/}
    { [ "$pid" = "$self" ] || [ "$pid" = "$parent" ]; } && continue
    if grep -qsF -- "$dir" "$p/cmdline"; then kill -9 "$pid" 2>/dev/null && found=1; fi
  done
  # Container processes live in the nodes' cgroups.
  for root in ${roots.map(q).join(' ')}; do
    for f in $(find /sys/fs/cgroup/memory/"$root" /sys/fs/cgroup/pids/"$root" -name cgroup.procs 2>/dev/null); do
      for pid in $(cat "$f" 2>/dev/null); do kill -9 "$pid" 2>/dev/null && found=1; done
    done
  done
  [ "$found" = 0 ] && break
  sleep 1
done
tac "$dir/undo.journal" 2>/dev/null | while IFS= read -r line; do bash -c "$line" </dev/null >/dev/null 2>&1 || true; done
grep -F " $dir" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
for root in ${roots.map(q).join(' ')}; do
  for h in ${cgroupHierarchies.join(' ')}; do
    [ -d "/sys/fs/cgroup/$h/$root" ] && find "/sys/fs/cgroup/$h/$root" -depth -type d -exec rmdir {} \\; 2>/dev/null
  done
done
rm -rf "$dir"
`;
};

/** Runs the undo script of the run in `dir` (what `homelab cluster down` and tests call). */
export function realNodesDown(dir: string): boolean {
  const script = join(dir, 'undo.sh');
  if (!existsSync(script)) return false;
  execFileSync('bash', [script], { stdio: 'ignore' });
  return true;
}

const startProcess = (bin: string, args: string[], log: string): ChildProcess => {
  const fd = openSync(log, 'a');
  // Detached: the processes outlive `homelab cluster up`; teardown finds them by pid and by the run's directory.
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  return child;
};

const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-15).join('\n') : '');

/** The kubelet needs its cgroup root to exist in every hierarchy it uses; cpuset's must inherit cpus and mems. */
const makeCgroupRoot = (root: string) => {
  for (const h of cgroupHierarchies) {
    const base = `/sys/fs/cgroup/${h}`;
    if (!existsSync(base)) continue;
    mkdirSync(join(base, root), { recursive: true });
    if (h === 'cpuset') {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(base, root, f), readFileSync(join(base, f)));
    }
  }
};

/**
 * Joins `count` real nodes (containerd + kubelet each, one kube-proxy, CoreDNS) to the control plane `kube` talks
 * to. Every host change is journalled before it is made, so a failure half-way, `realNodesDown`, or the guardian
 * (when `owner` dies) puts the machine back as it was.
 */
export async function realNodesUp(kube: Kube, o: RealNodesOptions): Promise<RealNodes> {
  const started = Date.now();
  const say = (line: string) => o.log?.(`${line} [${((Date.now() - started) / 1000).toFixed(1)} s]`);
  const tools = o.tools ?? nodeToolPaths();
  const problems = realNodeProblems(tools);
  if (problems.length) throw new Error(`real nodes cannot run here:\n  ${problems.join('\n  ')}`);
  const plan = planRealNodes({ ...o, dir: o.dir });
  if (existsSync(join(plan.dir, 'undo.sh'))) throw new Error(`${plan.dir} holds a run: tear it down first`);
  mkdirSync(plan.dir, { recursive: true });
  const journal = new UndoJournal(plan.dir);
  for (const line of o.finally ?? []) journal.record(line);
  writeFileSync(join(plan.dir, 'undo.sh'), undoScript(plan), { mode: 0o755 });
  if (o.owner) {
    // The guardian: when the owner dies without a teardown (killed, crashed), it undoes the run.
    const guardian = spawn(
      'bash',
      [
        '-c',
        `while kill -0 ${o.owner} 2>/dev/null; do sleep 1; done; [ -f ${q(join(plan.dir, 'undo.sh'))} ] && bash ${q(join(plan.dir, 'undo.sh'))}`,
      ],
      { detached: true, stdio: 'ignore' },
    );
    guardian.unref();
  }
  try {
    for (const key of kubeletSysctls) rememberSysctl(journal, key);
    if (ok('iptables', ['-t', 'nat', '-S', 'KUBE-SERVICES'])) {
      throw new Error('iptables chain KUBE-SERVICES exists: another kube-proxy runs on this machine');
    }
    setUpNetwork(plan, journal);
    say(
      `network: ${plan.nodeBridge} (${plan.nodeCidr}), pod ranges ${plan.nodes.map((n) => n.podCidr).join(', ')}, FORWARD limited to the run's links`,
    );

    const imagesStarted = Date.now();
    const imageDir = join(plan.dir, 'images');
    mkdirSync(imageDir, { recursive: true });
    const sources = [
      rootfsImage({ ref: pauseImageRef, files: { [join(tools.pause, 'pause')]: '/pause' }, entrypoint: ['/pause'] }),
      ...(o.images ?? []),
    ];
    const images: ImageArchive[] = [];
    for (const s of sources) images.push(await s.build(imageDir));
    say(`images built: ${images.map((i) => i.ref).join(', ')}`);

    for (const node of plan.nodes) {
      makeCgroupRoot(node.cgroupRoot.replace(/^\//, ''));
      writeContainerdFiles(node, pauseImageRef, [plan.serviceCidr, plan.nodeCidr, plan.podCidr]);
      const d = containerdDirs(node);
      const child = startProcess('/usr/bin/containerd', ['--config', d.config], d.log);
      journal.record(`grep -qsF -- ${q(plan.dir)} /proc/${child.pid}/cmdline && kill -9 ${child.pid}`);
    }
    // The nodes import at the same time: each containerd unpacks into its own store.
    await Promise.all(
      plan.nodes.map(async (node) => {
        const d = containerdDirs(node);
        await waitFor(
          `containerd of ${node.name}`,
          async () => (ok('ctr', ['-a', node.containerdSocket, 'version']) ? true : undefined),
          { timeoutMs: 60_000 },
        ).catch((e: Error) => {
          throw new Error(`${e.message}\n${tail(d.log)}`);
        });
        for (const image of images) {
          await execFileAsync('ctr', ['-a', node.containerdSocket, '-n', 'k8s.io', 'images', 'import', image.archive]);
        }
      }),
    );
    const imagesSeconds = (Date.now() - imagesStarted) / 1000;
    say(`containerd up on ${plan.nodes.length} nodes, ${images.length} images imported into each`);

    const readyStarted = Date.now();
    for (const node of plan.nodes) {
      const d = kubeletDirs(node);
      mkdirSync(d.root, { recursive: true });
      mkdirSync(d.podLogs, { recursive: true });
      writeFileSync(d.resolvConf, '');
      clientKubeconfig(d.pki, o.ca, `system:node:${node.name}`, ['system:nodes']);
      writeFileSync(d.config, stringify(kubeletConfig(plan, node, o.ca.cert)));
      const child = startProcess(join(tools.node, 'kubelet'), kubeletArgs(node), d.log);
      journal.record(`grep -qsF -- ${q(plan.dir)} /proc/${child.pid}/cmdline && kill -9 ${child.pid}`);
    }
    say('kubelets started');

    const kp = kubeProxyDirs(plan);
    clientKubeconfig(kp.pki, o.ca, 'system:kube-proxy');
    writeFileSync(kp.config, stringify(kubeProxyConfig(plan)));
    // Its chains are global: on teardown kube-proxy removes them itself (--cleanup), then any KUBE-* left is deleted.
    journal.record(
      `for t in filter nat mangle; do iptables -t $t -S | awk '/^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*KUBE-/{sub(/^-A/,"-D"); print}' | while read -r r; do eval iptables -t $t $r; done; for c in $(iptables -t $t -S | awk '/^-N KUBE-/{print $2}'); do iptables -t $t -F $c; done; for c in $(iptables -t $t -S | awk '/^-N KUBE-/{print $2}'); do iptables -t $t -X $c; done; done`,
    );
    journal.record(`${q(join(tools.node, 'kube-proxy'))} --cleanup`);
    const proxy = startProcess(join(tools.node, 'kube-proxy'), [`--config=${kp.config}`, '--v=1'], kp.log);
    journal.record(`grep -qsF -- ${q(plan.dir)} /proc/${proxy.pid}/cmdline && kill -9 ${proxy.pid}`);

    for (const obj of dnsObjects(plan)) await kube.applyOrThrow(obj);
    const dns = coreDnsDirs(plan);
    clientKubeconfig(dns.pki, o.ca, coreDnsUser);
    writeFileSync(dns.corefile, corefile(plan));
    const coredns = startProcess(join(tools.coredns, 'coredns'), ['-conf', dns.corefile], dns.log);
    journal.record(`grep -qsF -- ${q(plan.dir)} /proc/${coredns.pid}/cmdline && kill -9 ${coredns.pid}`);

    await waitFor(
      `${plan.nodes.length} real nodes Ready`,
      async () => {
        const nodes = await kube.list('v1', 'Node');
        const ready = nodes.filter(
          (n) =>
            plan.nodes.some((p) => p.name === n.metadata.name) &&
            n.status?.conditions?.some(
              (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
            ),
        );
        return ready.length === plan.nodes.length ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}\n${plan.nodes.map((n) => `${n.name} kubelet:\n${tail(kubeletDirs(n).log)}`).join('\n')}`,
      );
    });
    const readySeconds = (Date.now() - readyStarted) / 1000;
    say(`${plan.nodes.length} real nodes Ready (kubelet ${plan.nodes.map((n) => `${n.name} ${n.ip}`).join(', ')})`);

    const probe = async (port: number, path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
      return res?.ok ? true : undefined;
    };
    await waitFor('kube-proxy healthz', () => probe(plan.ports.proxyHealthz, '/healthz'), { timeoutMs: 60_000 }).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n${tail(kp.log)}`);
      },
    );
    await waitFor('CoreDNS ready', () => probe(plan.ports.dnsReady, '/ready'), { timeoutMs: 60_000 }).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n${tail(dns.log)}`);
      },
    );
    forwardChainFirst(plan);
    say(`kube-proxy (iptables) and CoreDNS (${plan.dnsServiceIp} -> ${plan.dnsAddress}) ready`);
    return {
      plan,
      images,
      seconds: { images: imagesSeconds, ready: readySeconds, total: (Date.now() - started) / 1000 },
      down: () => realNodesDown(plan.dir),
    };
  } catch (error) {
    realNodesDown(plan.dir);
    throw error;
  }
}
