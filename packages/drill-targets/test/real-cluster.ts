import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClusterInfo,
  Kube,
  kubeletSysctls,
  missingTools,
  type RealNodePlan,
  realNodeProblems,
  sh,
  waitFor,
} from '@homelab/cluster';
import { realServersRequired } from '@homelab/test-servers';

/**
 * Why the real-node suite cannot run here, or undefined when it can: root, Debian's containerd/runc/CNI plugins/
 * iptables, and the Go builds (control plane, kubelet, kube-proxy, CoreDNS, pause). Locally a skip with a notice;
 * under CI=true (or HOMELAB_REQUIRE_REAL=1) a failure, because .ci/run and scripts/test.sh provide all of it.
 */
export const realNodesUnavailable = (): string | undefined => {
  let problems: string[];
  try {
    problems = [...missingTools().map((m) => `${m} missing (bash scripts/k8s-tools.sh)`), ...realNodeProblems()];
  } catch (error) {
    problems = [(error as Error).message];
  }
  if (problems.length === 0) return undefined;
  const why = `real nodes cannot run here: ${problems.join('; ')}`;
  if (realServersRequired()) throw new Error(why);
  process.stderr.write(`\n[real-nodes] SKIPPING the real-node suite: ${why}\n`);
  return why;
};

export interface RealCluster {
  readonly info: Omit<ClusterInfo, 'real'> & {
    plan: RealNodePlan;
    seconds: { images: number; ready: number; total: number };
    images: string[];
  };
  readonly kube: Kube;
  readonly workdir: string;
  readonly owner: ChildProcess;
  /** What the host looked like before (sysctls), to compare after teardown. */
  readonly before: Record<string, string>;
  readonly log: () => string;
}

// ip_forward is put back by the undo journal too, but it is one global switch other runs on a shared machine
// (podman, other namespaces) turn on as well: comparing it after the run would blame this run for theirs.
const sysctlsWatched = [...kubeletSysctls];
const readSysctls = () =>
  Object.fromEntries(sysctlsWatched.map((k) => [k, readFileSync(`/proc/sys/${k}`, 'utf8').trim()]));

/** Starts the shared real-node cluster in an owner process (real-cluster-child.ts). */
export async function startRealCluster(nodes = 2): Promise<RealCluster> {
  const workdir = mkdtempSync(join(tmpdir(), 'homelab-real-'));
  const before = readSysctls();
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'real-cluster-child.ts'), workdir, `r${process.pid}`, String(nodes)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0] as string);
    });
    child.on('exit', (code) => reject(new Error(`the real cluster owner exited ${code}:\n${err.slice(-6000)}`)));
  });
  const info = JSON.parse(line) as RealCluster['info'];
  const kube = await Kube.fromFile(info.kubeconfig);
  return { info, kube, workdir, owner: child, before, log: () => err };
}

/** Everything of the run still on the host: links, chains, routes, mounts, processes, cgroups, changed sysctls. */
export function leftovers(plan: RealNodePlan, workdir: string, before: Record<string, string>): string[] {
  const left: string[] = [];
  for (const l of sh('ip', ['-o', 'link', 'show']).split('\n'))
    if (/: hl-/.test(l)) left.push(`link ${l.split(':')[1]?.trim()}`);
  for (const t of ['filter', 'nat', 'mangle']) {
    for (const r of sh('iptables', ['-t', t, '-S']).split('\n'))
      if (/HL-|KUBE-/.test(r)) left.push(`iptables -t ${t} ${r}`);
  }
  for (const r of sh('ip', ['route', 'show']).split('\n'))
    if (r.includes(plan.serviceCidr) || r.includes(plan.podCidr)) left.push(`route ${r}`);
  for (const m of readFileSync('/proc/mounts', 'utf8').split('\n')) if (m.includes(workdir)) left.push(`mount ${m}`);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(workdir))
        left.push(`process ${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 120)}`);
    } catch {
      // gone meanwhile
    }
  }
  for (const n of plan.nodes)
    if (existsSync(`/sys/fs/cgroup/memory${n.cgroupRoot}`)) left.push(`cgroup memory${n.cgroupRoot}`);
  const now = readSysctls();
  for (const [k, v] of Object.entries(before)) if (now[k] !== v) left.push(`sysctl ${k}=${now[k]} (was ${v})`);
  if (existsSync(plan.dir)) left.push(`directory ${plan.dir}`);
  return left;
}

/** Kills the owner with SIGKILL (no teardown of its own) and waits for the guardian to undo everything. */
export async function killAndWaitForCleanup(c: RealCluster, timeoutMs = 120_000): Promise<string[]> {
  await c.kube.close();
  c.owner.kill('SIGKILL');
  const deadline = Date.now() + timeoutMs;
  let left = leftovers(c.info.plan, c.workdir, c.before);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    left = leftovers(c.info.plan, c.workdir, c.before);
  }
  if (left.length === 0) rmSync(c.workdir, { recursive: true, force: true });
  return left;
}

/**
 * Waits until kube-proxy has programmed `namespace/service:port` with `endpoints` backends in the host's nat table.
 * A pod that dials a ClusterIP before that meets the run's `unreachable` route for the Service range (EHOSTUNREACH),
 * so a test that means "the Service works" waits for the rules, not only for Ready pods and an EndpointSlice.
 */
export async function serviceProgrammed(namespace: string, service: string, port: string, endpoints: number) {
  const comment = `${namespace}/${service}:${port} -> `;
  return waitFor(
    `kube-proxy to program ${namespace}/${service}:${port} with ${endpoints} endpoint(s)`,
    async () => {
      const rules = sh('iptables', ['-t', 'nat', '-S']).split('\n');
      return rules.filter((r) => r.startsWith('-A KUBE-SVC-') && r.includes(comment)).length === endpoints
        ? true
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}
