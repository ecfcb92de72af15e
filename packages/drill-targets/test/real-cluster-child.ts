// The process that owns a real-node test cluster (packages/drill-targets/test/real-cluster.ts starts it). It brings the cluster
// up with itself as the owner, so its death, however it comes, makes the guardian tear everything down; it exits
// when its parent (the test worker) is gone, so a killed test run leaves nothing behind either.
import { format } from 'node:util';
import { clusterUp } from '@homelab/cluster';
import { nodeImages } from '../src/cluster/node-images.ts';

// stdout carries one line, the cluster's description; the image builder's progress goes to stderr with the rest.
console.log = (...args: unknown[]) => process.stderr.write(`${format(...args)}\n`);

const [workdir, name, count] = process.argv.slice(2);
if (!workdir || !name || !count) throw new Error('usage: real-cluster-child.ts <workdir> <name> <nodes>');
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    process.exit(0);
  }
}, 1000);
const info = await clusterUp({
  name,
  workdir,
  realNodes: Number(count),
  zones: 2,
  owner: process.pid,
  images: nodeImages(),
  log: (line) => process.stderr.write(`real-cluster: ${line}\n`),
});
const { real, ...rest } = info;
process.stdout.write(
  `${JSON.stringify({ ...rest, plan: real?.plan, seconds: real?.seconds, images: real?.images.map((i) => i.ref) })}\n`,
);
