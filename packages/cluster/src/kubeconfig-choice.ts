import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigPath } from './cluster.ts';
import { kubeconfigEnv } from './env.ts';

/** The kubeconfig a cluster drill uses, and why that one (printed in the progress output). */
export interface KubeconfigChoice {
  readonly path: string;
  readonly source: '--kubeconfig' | 'homelab cluster up' | '$KUBECONFIG' | '~/.kube/config';
}

export interface KubeconfigCandidates {
  /** `--kubeconfig`; default: none given. */
  readonly flag?: string | undefined;
  /** Default: the kubeconfig `homelab cluster up` writes. */
  readonly clusterUp?: string;
  /** Default: `process.env.KUBECONFIG` (a list like kubectl's; the first file that exists is used). */
  readonly env?: string | undefined;
  /** Default: the user's home directory. */
  readonly home?: string;
  /** Default: `fs.existsSync`. */
  readonly exists?: (path: string) => boolean;
}

/**
 * `--kubeconfig` when given; else the `homelab cluster up` cluster when it exists (the drills' safe default: a
 * throwaway control plane); else `$KUBECONFIG`; else `~/.kube/config`, as kubectl would. Throws, naming every
 * place looked at, when none exists.
 */
export function chooseKubeconfig(candidates: KubeconfigCandidates = {}): KubeconfigChoice {
  const exists = candidates.exists ?? existsSync;
  if (candidates.flag !== undefined) {
    const path = resolve(candidates.flag);
    if (!exists(path)) throw new Error(`--kubeconfig ${candidates.flag}: no such file`);
    return { path, source: '--kubeconfig' };
  }
  const clusterUp = candidates.clusterUp ?? kubeconfigPath();
  if (exists(clusterUp)) return { path: clusterUp, source: 'homelab cluster up' };
  const env = 'env' in candidates ? candidates.env : kubeconfigEnv();
  const fromEnv = (env ?? '').split(delimiter).find((p) => p !== '' && exists(p));
  if (fromEnv) return { path: fromEnv, source: '$KUBECONFIG' };
  const home = join(candidates.home ?? homedir(), '.kube', 'config');
  if (exists(home)) return { path: home, source: '~/.kube/config' };
  throw new Error(
    `no kubeconfig: run homelab cluster up (${clusterUp}), set $KUBECONFIG${env ? ` (none of ${env} exists)` : ''}, create ${home}, or pass --kubeconfig <file>`,
  );
}

/** Where a kubeconfig comes from: a file, or kubectl's default rules (KUBECONFIG, ~/.kube/config, in-cluster). */
export interface KubeconfigSource {
  /** Path of a kubeconfig file; default the usual lookup. */
  readonly kubeconfig?: string | undefined;
  /** A context other than the file's current one. */
  readonly context?: string | undefined;
}

/**
 * The one kubeconfig loader: the canary gate's deployer, triage's cluster checks and the raw `Kube` client all
 * read credentials through it, so a context, a token file or an exec plugin works the same for each.
 */
export function loadKubeConfig(source: KubeconfigSource = {}): KubeConfig {
  const config = new KubeConfig();
  if (source.kubeconfig) config.loadFromFile(source.kubeconfig);
  else config.loadFromDefault();
  if (source.context) config.setCurrentContext(source.context);
  return config;
}
