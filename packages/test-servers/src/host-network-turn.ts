import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';

/**
 * One suite at a time changes this host's bridges and iptables: the real-node cluster (a FORWARD chain that drops
 * whatever is not on its own links, and br_netfilter, so bridged traffic meets it), podman-compose's CNI bridges and
 * the orchestrator's node bridge. Run side by side (two test files at a time) the real-node chain dropped the compose
 * containers' traffic. Each of those suites takes this turn in its beforeAll and gives it back in its afterAll;
 * a holder that died leaves a lock that goes stale after 60 s.
 */
export async function takeHostNetworkTurn(what: string): Promise<() => Promise<void>> {
  const started = Date.now();
  const release = await lock(join(tmpdir(), `homelab-host-network-${userInfo().uid}`), {
    realpath: false,
    stale: 60_000,
    update: 10_000,
    // Up to 20 minutes: the real-node suite holds it for about 5.
    retries: { retries: 2400, minTimeout: 500, maxTimeout: 500 },
  });
  const waited = (Date.now() - started) / 1000;
  if (waited > 1) console.log(`[host network] ${what} waited ${waited.toFixed(0)} s for its turn`);
  return release;
}
