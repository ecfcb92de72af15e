import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (this file is packages/cluster/src/tools.ts). */
export const repoRoot = new URL('../../../', import.meta.url).pathname;

/** Where scripts/k8s-tools.sh put the pinned binaries, kwok's Stages and the add-ons' CRDs. */
export interface ToolPaths {
  readonly k8s: string;
  readonly etcd: string;
  readonly kwok: string;
  readonly crds: string;
}

/** Asks the tools script itself, so the cache layout (and the CRD directory's hash of the pins) lives in one place. */
export const toolPaths = (): ToolPaths => {
  const out = execFileSync('bash', [join(repoRoot, 'scripts/k8s-tools.sh'), '--print-dir'], { encoding: 'utf8' });
  const dirs = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  const { k8s, etcd, kwok, crds } = dirs;
  if (!k8s || !etcd || !kwok || !crds) throw new Error(`scripts/k8s-tools.sh --print-dir printed: ${out}`);
  return { k8s, etcd, kwok, crds };
};

const required = (p: ToolPaths) => [
  join(p.k8s, 'kube-apiserver'),
  join(p.k8s, 'kube-controller-manager'),
  join(p.k8s, 'kube-scheduler'),
  join(p.k8s, 'kubectl'),
  join(p.etcd, 'etcd'),
  join(p.kwok, 'kwok'),
  join(p.kwok, 'kwokctl'),
  join(p.kwok, 'stages', 'pod-ready.yaml'),
  join(p.crds, 'versions.txt'),
];

/** The files that are missing; [] when `bash scripts/k8s-tools.sh` has run for the pinned versions. */
export const missingTools = (p: ToolPaths = toolPaths()): string[] => required(p).filter((f) => !existsSync(f));
