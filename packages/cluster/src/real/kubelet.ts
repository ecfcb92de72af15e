import { join } from 'node:path';
import type { RealNode, RealNodePlan } from './plan.ts';

export const kubeletDirs = (node: RealNode) => {
  const base = join(node.dir, 'kubelet');
  return {
    base,
    root: join(base, 'root'),
    config: join(base, 'config.yaml'),
    pki: join(base, 'pki'),
    podLogs: join(base, 'pod-logs'),
    resolvConf: join(base, 'resolv.conf'),
    log: join(base, 'kubelet.log'),
  };
};

/**
 * The kubelet's configuration (kubelet.config.k8s.io/v1beta1). The measured traps: `failCgroupV1: false` (1.36
 * refuses cgroup v1 otherwise) with the cgroupfs driver; each node's cgroups under a parent of its own. It listens
 * on its node IP only (a local bridge address), serves no read-only port, trusts only clients the cluster CA signed
 * (the API server), and writes no iptables chains of its own. Pods resolve names through the cluster DNS only: the
 * base resolv.conf is empty, so nothing inside a pod falls back to the host's resolver.
 */
export const kubeletConfig = (plan: RealNodePlan, node: RealNode, caFile: string) => {
  const d = kubeletDirs(node);
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: node.cgroupRoot,
    cgroupsPerQOS: true,
    enforceNodeAllocatable: ['pods'],
    containerRuntimeEndpoint: `unix://${node.containerdSocket}`,
    address: node.ip,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: node.kubeletHealthzPort,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: caFile } },
    authorization: { mode: 'AlwaysAllow' },
    clusterDNS: [plan.dnsServiceIp],
    clusterDomain: plan.clusterDomain,
    resolvConf: d.resolvConf,
    makeIPTablesUtilChains: false,
    failSwapOn: false,
    podLogsDir: d.podLogs,
    serializeImagePulls: false,
    // The disk is shared with everything else on the machine: do not evict or garbage-collect on its account.
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // Fast status: drills measure detection, and Ready should follow a container within a second or two.
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    shutdownGracePeriod: '0s',
    rotateCertificates: false,
    serverTLSBootstrap: false,
  };
};

export const kubeletArgs = (node: RealNode) => {
  const d = kubeletDirs(node);
  return [
    `--config=${d.config}`,
    `--kubeconfig=${join(d.pki, 'kubeconfig.yaml')}`,
    `--root-dir=${d.root}`,
    `--cert-dir=${join(d.root, 'pki')}`,
    `--hostname-override=${node.name}`,
    `--node-ip=${node.ip}`,
    `--node-labels=topology.kubernetes.io/zone=${node.zone},topology.kubernetes.io/region=home,node.kubernetes.io/instance-type=real`,
    '--v=1',
  ];
};
