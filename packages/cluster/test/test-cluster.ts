import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realServersRequired } from '@homelab/test-servers';
import { type ClusterInfo, clusterDown, clusterUp, Kube, missingTools, type UpOptions } from '../src/index.ts';

/**
 * Why a cluster suite cannot run here, or undefined when it can. Locally a missing build skips with this notice;
 * under CI=true (or HOMELAB_REQUIRE_REAL=1) it throws, because scripts/test.sh builds the binaries first.
 */
export const clusterUnavailable = (): string | undefined => {
  let missing: string[];
  try {
    missing = missingTools();
  } catch (error) {
    missing = [`scripts/k8s-tools.sh --print-dir failed: ${(error as Error).message}`];
  }
  if (missing.length === 0) return undefined;
  const why = `control plane binaries not built (bash scripts/k8s-tools.sh): missing ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}`;
  if (realServersRequired()) throw new Error(why);
  process.stderr.write(`\n[cluster] SKIPPING the cluster suites: ${why}\n`);
  return why;
};

export interface TestCluster {
  readonly info: ClusterInfo;
  readonly kube: Kube;
  stop(): Promise<void>;
}

/** A throwaway cluster in a temporary directory, so parallel test files and a developer's own cluster never meet. */
export async function startTestCluster(options: Omit<UpOptions, 'workdir' | 'name'> = {}): Promise<TestCluster> {
  const workdir = mkdtempSync(join(tmpdir(), 'homelab-kwok-'));
  const name = `t${process.pid}`;
  let info: ClusterInfo;
  try {
    info = await clusterUp({ ...options, name, workdir });
  } catch (error) {
    // A half-started cluster keeps etcd and the API server running: stop what kwokctl started before failing.
    await clusterDown({ name, workdir }).catch(() => {});
    rmSync(workdir, { recursive: true, force: true });
    throw error;
  }
  const kube = await Kube.fromFile(info.kubeconfig);
  return {
    info,
    kube,
    stop: async () => {
      await kube.close();
      await clusterDown({ name, workdir });
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}
