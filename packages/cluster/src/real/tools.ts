import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../tools.ts';
import { cniBinDir } from './containerd.ts';

/** Where scripts/k8s-node-tools.sh put kubelet, kube-proxy, pause and CoreDNS. */
export interface NodeToolPaths {
  readonly node: string;
  readonly pause: string;
  readonly coredns: string;
}

export const nodeToolPaths = (): NodeToolPaths => {
  const out = execFileSync('bash', [join(repoRoot, 'scripts/k8s-node-tools.sh'), '--print-dir'], { encoding: 'utf8' });
  const dirs = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );
  const { node, pause, coredns } = dirs;
  if (!node || !pause || !coredns) throw new Error(`scripts/k8s-node-tools.sh --print-dir printed: ${out}`);
  return { node, pause, coredns };
};

/** Debian packages the real nodes run on (.ci/run installs them), by the file each provides. */
export const hostPackages: Readonly<Record<string, string>> = {
  '/usr/bin/containerd': 'containerd',
  '/usr/bin/ctr': 'containerd',
  '/usr/sbin/runc': 'runc',
  [join(cniBinDir, 'bridge')]: 'containernetworking-plugins',
  [join(cniBinDir, 'host-local')]: 'containernetworking-plugins',
  [join(cniBinDir, 'loopback')]: 'containernetworking-plugins',
  '/usr/sbin/iptables': 'iptables',
  '/usr/bin/openssl': 'openssl',
};

/** Why real nodes cannot run on this machine ([] when they can): root, the Debian packages, the Go builds. */
export const realNodeProblems = (paths: NodeToolPaths = nodeToolPaths()): string[] => {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('real nodes need root (bridges, iptables, cgroups, mounts)');
  for (const [file, pkg] of Object.entries(hostPackages)) {
    if (!existsSync(file)) problems.push(`${file} missing (apt-get install ${pkg})`);
  }
  for (const f of [
    join(paths.node, 'kubelet'),
    join(paths.node, 'kube-proxy'),
    join(paths.pause, 'pause'),
    join(paths.coredns, 'coredns'),
  ]) {
    if (!existsSync(f)) problems.push(`${f} missing (bash scripts/k8s-node-tools.sh)`);
  }
  if (!existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) {
    problems.push(
      'no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory (this build runs kubelet with cgroupfs on v1)',
    );
  }
  return problems;
};
