import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';

/**
 * One Kubernetes client set (ADR 0156): packages/cluster builds the client-node API clients and loads kubeconfigs
 * (clients.ts, kubeconfig-choice.ts); everyone else gets them from `kubeClients()` / `loadKubeConfig()` and uses
 * client-node only for its types. Without this check a second loader or a hand-built API client creeps back in
 * (issue 21 found four loaders).
 */
const owners = new Set(['packages/cluster/src/clients.ts', 'packages/cluster/src/kubeconfig-choice.ts']);
const self = 'tools/repo-checks/src/kube-clients.test.ts';

const sources = execFileSync('git', ['ls-files', '*.ts', '*.tsx'], { cwd: repoRoot })
  .toString()
  .split('\n')
  .filter((f) => f !== '' && f !== self);

/** Building an API client or loading a kubeconfig with client-node. */
const construction =
  /\bmakeApiClient\b|\bnew\s+KubeConfig\b|\.loadFrom(File|Default|Options|String|Cluster|ClusterAndUser)\s*\(|\bnew\s+\w+V\d\w*Api\s*\(|\bnew\s+(CustomObjectsApi|KubernetesObjectApi)\s*\(/g;

/** What a source text does that only packages/cluster may: `line: code` for each place. */
const constructions = (text: string): string[] =>
  text.split('\n').flatMap((line, i) => (line.match(construction) ? [`${i + 1}: ${line.trim()}`] : []));

/** The names a source imports from @kubernetes/client-node as values (not erased at run time). */
const valueImports = (text: string): string[] =>
  [...text.matchAll(/^\s*import\s+(type\s+)?([^'"]*?)\s+from\s+['"]@kubernetes\/client-node['"]/gm)].flatMap((m) => {
    if (m[1] !== undefined) return [];
    const clause = m[2] ?? '';
    const named = /\{([^}]*)\}/.exec(clause)?.[1] ?? '';
    const outside = clause
      .replace(/\{[^}]*\}/, '')
      .replace(/,/g, ' ')
      .trim();
    return [
      ...(outside ? [outside] : []),
      ...named
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('type ')),
    ];
  });

describe('one Kubernetes client set', () => {
  it('finds the sources, the owners among them', () => {
    expect(sources.length).toBeGreaterThan(200);
    for (const owner of owners) expect(sources).toContain(owner);
  });

  it('only packages/cluster builds client-node API clients or loads a kubeconfig', () => {
    const offending = sources
      .filter((f) => !owners.has(f))
      .flatMap((f) => constructions(readFileSync(join(repoRoot, f), 'utf8')).map((where) => `${f}:${where}`));
    expect(offending).toEqual([]);
  });

  it('outside packages/cluster, client-node is imported for its types only', () => {
    const offending = sources
      .filter((f) => !f.startsWith('packages/cluster/src/'))
      .flatMap((f) => valueImports(readFileSync(join(repoRoot, f), 'utf8')).map((name) => `${f} -> ${name}`));
    expect(offending).toEqual([]);
  });

  it('sees each way of building a client and each value import', () => {
    const probe = [
      'const kc = new KubeConfig();',
      'kc.loadFromFile(path);',
      'kc.loadFromDefault();',
      'const core = kc.makeApiClient(CoreV1Api);',
      'const apps = new AppsV1Api(configuration);',
      'const objects = new KubernetesObjectApi(configuration);',
      'const fine = clients.core.listNode();',
    ].join('\n');
    expect(constructions(probe).map((l) => Number(l.split(':')[0]))).toEqual([1, 2, 3, 4, 5, 6]);
    const imports = [
      "import type { V1Pod } from '@kubernetes/client-node';",
      "import { type KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';",
      "import {\n  type V1Deployment,\n  CoreV1Api,\n} from '@kubernetes/client-node';",
      "import * as k8s from '@kubernetes/client-node';",
      "import { type V1Node } from '@kubernetes/client-node';",
    ].join('\n');
    expect(valueImports(imports)).toEqual(['KubernetesObjectApi', 'PatchStrategy', 'CoreV1Api', '* as k8s']);
  });
});
