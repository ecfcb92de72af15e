import { bootstrap, defaultStorageClass } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { parseStackSettings } from './stack-settings.ts';

const from = (config: Record<string, string>) => parseStackSettings((key) => config[key]);

describe('stack settings', () => {
  it('default to kind, a detected address and a pre-installed k3s', () => {
    expect(from({})).toEqual({
      cluster: 'kind',
      clusterName: bootstrap.clusterName,
      k3sInstall: false,
      k3sKubeconfig: '/etc/rancher/k3s/k3s.yaml',
      storageClass: defaultStorageClass,
    });
  });

  it('switch to k3s and read its options', () => {
    expect(from({ cluster: 'k3s', k3sInstall: 'true', nodeAddress: '10.0.0.5' })).toMatchObject({
      cluster: 'k3s',
      k3sInstall: true,
      nodeAddress: '10.0.0.5',
    });
  });

  it('name the key and the fix for a bad value', () => {
    expect(() => from({ cluster: 'minikube' })).toThrow(/homelab:cluster is "minikube"; expected one of kind, k3s/);
    expect(() => from({ nodeAddress: 'minipc.local' })).toThrow(/homelab:nodeAddress is "minipc.local"/);
    expect(() => from({ k3sInstall: 'yes' })).toThrow(/homelab:k3sInstall is "yes"/);
  });
});
