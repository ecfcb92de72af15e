/**
 * One autocannon run in its own process (so the load generator does not share an event loop with anything it
 * measures). Reads its options as JSON from argv[2], prints the summary as JSON on stdout.
 */
import autocannon, { type Options } from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const result = await autocannon(options);
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
  }),
);
