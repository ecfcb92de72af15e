import { http } from '@homelab/platform';
import { createIdentitySigner } from '@homelab/service-kit';
import { testIdentitySecret } from '@homelab/test-servers';
import autocannon from 'autocannon';

/**
 * The load generator, in its own process so it shares no CPU time accounting with the server it measures.
 * argv: url, duration seconds, connections, warm-up seconds. Sends (IPC) one JSON summary of the measured run.
 */
const [url, duration = '10', connections = '32', warmup = '2'] = process.argv.slice(2);
if (!url) throw new Error('usage: load.ts <url> [durationSeconds] [connections] [warmupSeconds]');
// The gateway's lifetime (60 s): the API refuses a token issued longer ago than that, so one run is at most 30 s.
const token = await createIdentitySigner({ secret: testIdentitySecret })('bench');
const run = (seconds: number) =>
  autocannon({ url, connections: Number(connections), duration: seconds, headers: { [http.identityHeader]: token } });
if (Number(warmup) > 0) await run(Number(warmup));
process.send?.('measuring');
const result = await run(Number(duration));
const summary = JSON.stringify({
  requestsPerSecond: result.requests.average,
  p99: result.latency.p99,
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors, // timeouts included (autocannon counts them in both)
});
if (process.send) process.send(summary);
else process.stdout.write(`${summary}\n`);
