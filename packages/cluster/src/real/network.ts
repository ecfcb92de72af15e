import { readFileSync, writeFileSync } from 'node:fs';
import { assertLocal, assertUnused, ok, q, sh, type UndoJournal } from './host.ts';
import type { RealNodePlan } from './plan.ts';

/** Kernel settings the kubelet rewrites at start (setupKernelTunables); their values are put back on teardown. */
export const kubeletSysctls = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
] as const;

const sysctlPath = (key: string) => `/proc/sys/${key}`;

/** Remembers a sysctl's value in the journal, so teardown writes it back whatever changed it during the run. */
export const rememberSysctl = (journal: UndoJournal, key: string): string => {
  const value = readFileSync(sysctlPath(key), 'utf8').trim();
  journal.record(`echo ${q(value)} > ${q(sysctlPath(key))}`);
  return value;
};

/** Links of the run (the node bridge and each node's pod bridge), for the locality checks. */
export const ownLinks = (plan: RealNodePlan): string[] => [plan.nodeBridge, ...plan.nodes.map((n) => n.podBridge)];

/**
 * The host side of the run's network, each change journalled before it is made:
 * - the node bridge (no ports) with each node's IP and the cluster DNS address on it;
 * - the pod bridges are created later by the CNI bridge plugin; their deletion is journalled here;
 * - `unreachable` routes for the Service and pod ranges, so a packet to an address nobody answers is refused here
 *   instead of following the default route off the machine;
 * - ip_forward on (pods on two nodes talk through the host), with a FORWARD chain first in line that accepts only
 *   traffic between the run's links, drops anything entering or leaving them from/to elsewhere, and, when the
 *   host did not forward before the run, drops all other forwarding too (so the host forwards nothing new).
 */
export function setUpNetwork(plan: RealNodePlan, journal: UndoJournal): void {
  const addresses = [plan.dnsAddress, ...plan.nodes.flatMap((n) => [n.ip, n.podGateway])];
  for (const a of addresses) assertUnused(a);
  if (ok('ip', ['link', 'show', plan.nodeBridge]))
    throw new Error(`link ${plan.nodeBridge} exists: another real-node run is up (homelab cluster down --real-nodes)`);
  if (ok('iptables', ['-S', plan.forwardChain]))
    throw new Error(`iptables chain ${plan.forwardChain} exists: another real-node run is up`);

  journal.record(`ip link del ${q(plan.nodeBridge)}`);
  sh('ip', ['link', 'add', plan.nodeBridge, 'type', 'bridge']);
  const prefix = plan.nodeCidr.split('/')[1];
  for (const a of [plan.dnsAddress, ...plan.nodes.map((n) => n.ip)]) {
    sh('ip', ['addr', 'add', `${a}/${prefix}`, 'dev', plan.nodeBridge]);
  }
  sh('ip', ['link', 'set', plan.nodeBridge, 'up']);
  for (const n of plan.nodes) journal.record(`ip link del ${q(n.podBridge)}`);
  for (const cidr of [plan.serviceCidr, plan.podCidr]) {
    journal.record(`ip route del unreachable ${q(cidr)}`);
    sh('ip', ['route', 'add', 'unreachable', cidr]);
  }
  for (const a of [plan.dnsAddress, ...plan.nodes.map((n) => n.ip)]) assertLocal(a, ownLinks(plan));

  const forwardedBefore = rememberSysctl(journal, 'net/ipv4/ip_forward') === '1';
  const chain = plan.forwardChain;
  journal.record(`iptables -X ${q(chain)}`);
  journal.record(`iptables -F ${q(chain)}`);
  sh('iptables', ['-N', chain]);
  const ours = `${plan.nodeBridge.slice(0, 3)}+`;
  sh('iptables', ['-A', chain, '-i', ours, '-o', ours, '-j', 'ACCEPT']);
  sh('iptables', ['-A', chain, '-i', ours, '-j', 'DROP']);
  sh('iptables', ['-A', chain, '-o', ours, '-j', 'DROP']);
  if (!forwardedBefore) sh('iptables', ['-A', chain, '-j', 'DROP']);
  journal.record(`while iptables -D FORWARD -j ${q(chain)}; do :; done`);
  sh('iptables', ['-I', 'FORWARD', '1', '-j', chain]);
  writeFileSync(sysctlPath('net/ipv4/ip_forward'), '1');
}

/** kube-proxy prepends its own FORWARD jump (which accepts masqueraded traffic): ours goes back to the front. */
export function forwardChainFirst(plan: RealNodePlan): void {
  const rules = sh('iptables', ['-S', 'FORWARD']).split('\n');
  const first = rules.find((r) => r.startsWith('-A FORWARD'));
  if (first === `-A FORWARD -j ${plan.forwardChain}`) return;
  sh('iptables', ['-D', 'FORWARD', '-j', plan.forwardChain]);
  sh('iptables', ['-I', 'FORWARD', '1', '-j', plan.forwardChain]);
}
