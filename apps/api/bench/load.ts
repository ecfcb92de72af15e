import autocannon from 'autocannon';
import { userHeaders } from '../src/testing/identity.ts';

/**
 * The load generator, in its own process so it does not share an event loop with the server it measures.
 * argv: url, duration seconds, connections, warm-up seconds. Sends (IPC) or prints one JSON summary of the measured run.
 */
const [url, duration = '10', connections = '32', warmup = '2'] = process.argv.slice(2);
if (!url) throw new Error('usage: load.ts <url> [durationSeconds] [connections] [warmupSeconds]');
// Signed with the test key: start the API under test with IDENTITY_TOKEN_SECRET set to it. Asked before each run:
// the signer hands out a token with at least 30 s to live, so each run (at most 30 s) keeps a valid one.
const run = async (seconds: number) =>
  autocannon({
    url,
    connections: Number(connections),
    duration: seconds,
    headers: await userHeaders('bench'),
    pipelining: 1,
  });

await run(Number(warmup));
// Tell the parent the measured run starts, so it can sample the server's CPU time around it.
process.send?.('measuring');
const result = await run(Number(duration));
const summary = JSON.stringify({
  requestsPerSecond: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors, // timeouts included (autocannon counts them in both)
});
if (process.send) process.send(summary);
else process.stdout.write(`${summary}\n`);
