import { homedir } from 'node:os';
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
      addons: 'charts',
      agents: [],
    });
  });

  it('take any cluster by its kubeconfig file (existing), with ~ expanded', () => {
    expect(from({ cluster: 'existing', kubeconfig: '~/.kube/lab.yaml' })).toMatchObject({
      cluster: 'existing',
      kubeconfig: `${homedir()}/.kube/lab.yaml`,
    });
    expect(() => from({ cluster: 'existing' })).toThrow(/homelab:kubeconfig is not set: pulumi config set kubeconfig/);
  });

  it('reduce the add-ons to their CRDs only when asked, from a named directory', () => {
    expect(from({ addons: 'crds', addonCrds: '/tmp/crds' })).toMatchObject({ addons: 'crds', addonCrds: '/tmp/crds' });
    expect(() => from({ addons: 'crds' })).toThrow(/homelab:addonCrds is not set/);
    expect(() => from({ addons: 'helm' })).toThrow(/homelab:addons is "helm"; expected one of charts, crds/);
  });

  it('accept agents only for a k3s server', () => {
    const agents = JSON.stringify([{ name: 'node-2', host: '192.168.1.21' }]);
    expect(from({ cluster: 'k3s', agents }).agents).toEqual([
      { name: 'node-2', host: '192.168.1.21', user: 'root', port: 22, labels: {}, taints: [] },
    ]);
    expect(() => from({ cluster: 'kind', agents })).toThrow(/homelab:agents joins machines to a k3s server/);
  });

  it('switch to k3s and read its options', () => {
    expect(from({ cluster: 'k3s', k3sInstall: 'true', nodeAddress: '10.0.0.5' })).toMatchObject({
      cluster: 'k3s',
      k3sInstall: true,
      nodeAddress: '10.0.0.5',
    });
  });

  it('name the key and the fix for a bad value', () => {
    expect(() => from({ cluster: 'minikube' })).toThrow(
      /homelab:cluster is "minikube"; expected one of kind, k3s, existing/,
    );
    expect(() => from({ nodeAddress: 'minipc.local' })).toThrow(/homelab:nodeAddress is "minipc.local"/);
    expect(() => from({ k3sInstall: 'yes' })).toThrow(/homelab:k3sInstall is "yes"/);
  });
});
