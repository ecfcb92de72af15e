import { delimiter } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseKubeconfig } from './kubeconfig-choice.ts';

/** A file system where only `present` exists. */
const only =
  (...present: string[]) =>
  (path: string) =>
    present.includes(path);
const base = { clusterUp: '/work/.homelab/clusters/homelab/kubeconfig.yaml', home: '/home/me', env: undefined };

describe('chooseKubeconfig', () => {
  it('takes --kubeconfig over everything else, and refuses one that does not exist', () => {
    const exists = only('/tmp/k3s.yaml', base.clusterUp, '/home/me/.kube/config');
    expect(chooseKubeconfig({ ...base, flag: '/tmp/k3s.yaml', exists })).toEqual({
      path: '/tmp/k3s.yaml',
      source: '--kubeconfig',
    });
    expect(() => chooseKubeconfig({ ...base, flag: '/tmp/nope.yaml', exists })).toThrow(
      '--kubeconfig /tmp/nope.yaml: no such file',
    );
  });

  it('defaults to the homelab cluster up cluster when it exists, even with $KUBECONFIG set', () => {
    const exists = only(base.clusterUp, '/etc/rancher/k3s/k3s.yaml', '/home/me/.kube/config');
    expect(chooseKubeconfig({ ...base, env: '/etc/rancher/k3s/k3s.yaml', exists }).source).toBe('homelab cluster up');
  });

  it('then the first existing file of $KUBECONFIG (a list, as kubectl reads it), then ~/.kube/config', () => {
    const env = ['/missing.yaml', '/etc/rancher/k3s/k3s.yaml'].join(delimiter);
    expect(
      chooseKubeconfig({ ...base, env, exists: only('/etc/rancher/k3s/k3s.yaml', '/home/me/.kube/config') }),
    ).toEqual({ path: '/etc/rancher/k3s/k3s.yaml', source: '$KUBECONFIG' });
    expect(chooseKubeconfig({ ...base, env: '/missing.yaml', exists: only('/home/me/.kube/config') })).toEqual({
      path: '/home/me/.kube/config',
      source: '~/.kube/config',
    });
  });

  it('names every place it looked when there is no kubeconfig at all', () => {
    expect(() => chooseKubeconfig({ ...base, env: '/missing.yaml', exists: only() })).toThrow(
      /no kubeconfig: run homelab cluster up \(.*kubeconfig\.yaml\), set \$KUBECONFIG \(none of \/missing\.yaml exists\), create \/home\/me\/\.kube\/config, or pass --kubeconfig/,
    );
  });
});
