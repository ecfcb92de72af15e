import { faults } from '@homelab/cluster';

/** Where the drill workload's downward-API volume is mounted, and the file of the pod's labels in it. */
export const podinfo = { mountPath: '/etc/podinfo', labelsFile: 'labels' } as const;

/** The megabytes the oom-killed fault adds each second: the api's 192Mi limit is crossed within a few seconds. */
export const oomStepMiB = 64;

/**
 * The drill workload's program, run as `node -e <this> <port> <labels file> <fault label key>` in the api image.
 *
 * Why a script and not the api itself: the drills inject a fault by labelling pods, and one label must mean the same
 * failure on kwok (its Stages write the container status) and on a real kubelet (the container must really fail).
 * The kubelet rewrites the downward-API labels file when a pod's labels change, so the process reads it every
 * second: crash-loop exits 1 (the label stays on the pod, so every restart exits again: a real CrashLoopBackOff with
 * lastState Error), oom-killed touches 64 MiB more each second until the container's cgroup limit gets it OOM-killed
 * (exit 137, OOMKilled). The api image needs a database and secrets to start; this needs nothing, so the drill
 * runs in a namespace of its own. It checks the labels before listening, so a restarted crash-looping container is
 * never Ready even for a moment. It exits on SIGTERM itself: as PID 1 a signal without a handler is ignored, and
 * every deleted pod would wait out its 30 s grace period. Plain CommonJS: `node -e` evaluates it without a loader.
 */
export const faultScript = `
const http = require('node:http');
const fs = require('node:fs');
const [port, labelsFile, faultKey] = process.argv.slice(1);
const held = [];
const fault = () => {
  let labels = '';
  try { labels = fs.readFileSync(labelsFile, 'utf8'); } catch {}
  const line = labels.split('\\n').find((l) => l.startsWith(faultKey + '='));
  return line ? JSON.parse(line.slice(faultKey.length + 1)) : undefined;
};
const check = () => {
  const f = fault();
  if (f === ${JSON.stringify(faults.crashLoop)}) {
    console.error('fault ' + f + ': exiting with status 1');
    process.exit(1);
  }
  if (f === ${JSON.stringify(faults.oomKilled)}) {
    held.push(Buffer.alloc(${oomStepMiB} * 1024 * 1024, 1));
    console.error('fault ' + f + ': holding ' + held.length * ${oomStepMiB} + ' MiB');
  }
};
check();
setInterval(check, 1000);
process.on('SIGTERM', () => process.exit(0));
http.createServer((req, res) => res.end('ok\\n')).listen(Number(port));
console.error('drill workload listening on ' + port + ', watching ' + labelsFile);
`;
