/**
 * DNS triage without Pulumi: `node infra/pulumi/src/check-dns.ts [nodeAddress]` resolves every hostname the
 * gateway routes (read from infra/k8s/dist) the way a browser on this machine would, and prints the fix.
 */
import { fileURLToPath } from 'node:url';
import { hostProbe } from './host-probe.ts';
import { loadManifests, routedHostnames } from './manifests.ts';
import { hostnameProblems } from './preflight-checks.ts';

const hostnames = routedHostnames(loadManifests(fileURLToPath(new URL('../../k8s/dist', import.meta.url))));
const nodeAddress = process.argv[2] ?? hostProbe.nodeAddress();
const resolved = await hostProbe.resolve(hostnames);
for (const fact of resolved) {
  console.log(`${fact.hostname.padEnd(32)} ${fact.addresses.length > 0 ? fact.addresses.join(', ') : fact.error}`);
}
const problems = hostnameProblems(resolved, nodeAddress);
console.log(problems.length === 0 ? `\nall resolve to this machine (${nodeAddress})` : '');
for (const problem of problems) console.log(`- ${problem.message}`);
process.exitCode = problems.length === 0 ? 0 : 1;
