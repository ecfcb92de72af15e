import { describe, expect, it } from 'vitest';
import { cniConfig, containerdConfig, noRegistry } from './containerd.ts';
import { corefile } from './dns.ts';
import { kubeProxyConfig } from './kube-proxy.ts';
import { kubeletConfig } from './kubelet.ts';
import { linkPrefix, planRealNodes } from './plan.ts';

describe('real-node plan', () => {
  it.each([
    [1, ['10.240.0.11'], ['10.241.1.0/24']],
    [3, ['10.240.0.11', '10.240.0.12', '10.240.0.13'], ['10.241.1.0/24', '10.241.2.0/24', '10.241.3.0/24']],
  ])('%i nodes get distinct node IPs, pod ranges, bridges, cgroup roots and ports', (count, ips, cidrs) => {
    const plan = planRealNodes({ count, dir: '/run/x' });
    expect(plan.nodes.map((n) => n.ip)).toEqual(ips);
    expect(plan.nodes.map((n) => n.podCidr)).toEqual(cidrs);
    for (const key of ['podBridge', 'cgroupRoot', 'containerdSocket', 'kubeletHealthzPort', 'cniNetwork'] as const) {
      expect(new Set(plan.nodes.map((n) => n[key])).size).toBe(count);
    }
    // Interface names: at most 15 bytes, all with the prefix teardown and the FORWARD rules match on.
    for (const link of [plan.nodeBridge, ...plan.nodes.map((n) => n.podBridge)]) {
      expect(link.startsWith(linkPrefix)).toBe(true);
      expect(link.length).toBeLessThanOrEqual(15);
    }
  });

  it.each([0, 9, 1.5])('refuses %s nodes', (count) => {
    expect(() => planRealNodes({ count, dir: '/x' })).toThrow(/1 to 8/);
  });

  it('spreads nodes over zones round-robin', () => {
    expect(planRealNodes({ count: 3, dir: '/x', zones: 2 }).nodes.map((n) => n.zone)).toEqual([
      'zone-a',
      'zone-b',
      'zone-a',
    ]);
  });
});

describe('real-node configs carry the measured fixes and the network rules', () => {
  const plan = planRealNodes({ count: 2, dir: '/run/x' });
  const [node] = plan.nodes;
  if (!node) throw new Error('no node');

  it('containerd: restrict_oom_score_adj, runc with cgroupfs, netns under its state dir, every path in the run', () => {
    const toml = containerdConfig(node, 'homelab.local/pause:1');
    expect(toml).toMatch(/restrict_oom_score_adj = true/);
    expect(toml).toMatch(/SystemdCgroup = false/);
    expect(toml).toMatch(/netns_mounts_under_state_dir = true/);
    for (const m of toml.matchAll(/^\s*(?:root|state|address|path|Root|conf_dir|config_path) = "([^"]+)"/gm)) {
      expect(m[1]?.startsWith('/run/x/node-1/') || m[1] === '').toBe(true);
    }
    expect(noRegistry).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('CNI: the node range on its own bridge, no masquerade, no default route, IPAM state in the run', () => {
    const bridge = cniConfig(node, [plan.serviceCidr]).plugins[0] as {
      bridge: string;
      ipMasq: boolean;
      ipam: { dataDir: string; ranges: { subnet: string }[][]; routes: { dst: string }[] };
    };
    // No default route in a pod: only the run's ranges are routed.
    expect(bridge.ipam.routes).toEqual([{ dst: plan.serviceCidr }]);
    expect(bridge.bridge).toBe(node.podBridge);
    expect(bridge.ipMasq).toBe(false);
    expect(bridge.ipam.ranges[0]?.[0]?.subnet).toBe(node.podCidr);
    expect(bridge.ipam.dataDir.startsWith('/run/x/')).toBe(true);
  });

  it('kubelet: cgroupfs on v1 allowed, its own cgroup root, listens on its node IP, no iptables chains, cluster DNS only', () => {
    const k = kubeletConfig(plan, node, '/ca.crt');
    expect(k).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: node.cgroupRoot,
      address: node.ip,
    });
    expect(k).toMatchObject({ makeIPTablesUtilChains: false, readOnlyPort: 0, clusterDNS: [plan.dnsServiceIp] });
    expect(k.authentication.anonymous.enabled).toBe(false);
  });

  it('kube-proxy: iptables, masquerade all, NodePorts on the node bridge only, conntrack sysctls untouched', () => {
    expect(kubeProxyConfig(plan)).toMatchObject({
      mode: 'iptables',
      clusterCIDR: plan.podCidr,
      nodePortAddresses: [plan.nodeCidr],
      iptables: { masqueradeAll: true },
      conntrack: { maxPerCore: 0, min: 0 },
    });
  });

  it('CoreDNS: binds the run address, answers the cluster domain, forwards nothing off the machine', () => {
    const conf = corefile(plan);
    expect(conf).toContain(`bind ${plan.dnsAddress}`);
    expect(conf).toContain(`kubernetes ${plan.clusterDomain}`);
    expect(conf).not.toMatch(/forward|proxy/);
  });
});
