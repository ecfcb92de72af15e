/**
 * How long the gateway keeps failing after the notes API comes back (issue 9: 2.8 s of 503s after the API was
 * ready, 4.1 s of 100 % failure in all, at 200 requests/s). The API (PGlite) and the gateway run as their own
 * processes; a steady 200 requests/s goes through the gateway; the API is SIGKILLed, restarted on the same port
 * after `--down-ms`, and its /readyz is polled directly every 10 ms. Prints one row per run.
 *
 *   node apps/gateway/bench/breaker-recovery.ts [--runs 3] [--down-ms 1500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { http } from '@homelab/platform';
import { type ServiceProcess, startServiceProcess } from '@homelab/test-servers';
import { Agent, request } from 'undici';
import { hashApiKey } from '../src/auth/api-keys.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, 'down-ms': { type: 'string', default: '1500' } },
});
const runs = Number(values.runs);
const downMs = Number(values['down-ms']);
const rate = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dataDir = mkdtempSync(join(tmpdir(), 'breaker-recovery-'));
const apiKey = 'bench-key-0123456789abcdef0123456789abcdef';
const apiEnv = { PGLITE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
let api: ServiceProcess = await startServiceProcess('api', apiEnv);
const gateway = await startServiceProcess('gateway', {
  API_URL: api.url,
  API_KEYS: `bench:${hashApiKey(apiKey)}`,
  RATE_LIMIT_BURST: '10000',
  RATE_LIMIT_PER_SECOND: '10000',
  LOG_LEVEL: 'silent',
});
const agent = new Agent({ connections: 64 });
const samples: { at: number; status: number }[] = [];

/** A steady open-loop load: one request every 1000/rate ms, whatever the answers take. */
let loading = true;
const loadLoop = (async () => {
  const start = performance.now();
  for (let i = 0; loading; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    void request(`${gateway.url}/v1/notes?limit=1`, { dispatcher: agent, headers: { 'x-api-key': apiKey } })
      .then(async (res) => {
        await res.body.dump();
        samples.push({ at: performance.now(), status: res.statusCode });
      })
      .catch(() => samples.push({ at: performance.now(), status: 0 }));
  }
})();

const apiReady = async (): Promise<boolean> =>
  request(api.url + http.paths.readiness)
    .then(async (r) => {
      await r.body.dump();
      return r.statusCode === 200;
    })
    .catch(() => false);

const rows: string[] = [];
try {
  await sleep(2_000);
  for (let run = 1; run <= runs; run++) {
    const killedAt = performance.now();
    await api.stop('SIGKILL');
    await sleep(downMs);
    const restarting = startServiceProcess('api', apiEnv, { port: api.port });
    let readyAt = 0;
    while (readyAt === 0) {
      if (await apiReady()) readyAt = performance.now();
      else await sleep(10);
    }
    api = await restarting;
    await sleep(3_000);
    const after = samples.filter((s) => s.at > killedAt);
    const lastOkBefore = Math.max(...samples.filter((s) => s.at <= killedAt && s.status === 200).map((s) => s.at));
    const firstOk = after.find((s) => s.at > readyAt && s.status === 200)?.at ?? Number.NaN;
    const failedAfterReady = after.filter((s) => s.at > readyAt && s.at < firstOk && s.status !== 200).length;
    const statuses = new Map<number, number>();
    for (const s of after.filter((s) => s.at < firstOk)) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    rows.push(
      `| ${run} | ${(readyAt - killedAt).toFixed(0)} | ${(firstOk - readyAt).toFixed(0)} | ${failedAfterReady} | ${((firstOk - lastOkBefore) / 1000).toFixed(2)} | ${[...statuses].map(([k, v]) => `${k || 'error'}×${v}`).join(' ')} |`,
    );
  }
} finally {
  loading = false;
  await loadLoop;
  await sleep(200);
  await gateway.stop();
  await api.stop();
  await agent.close();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`\nbreaker recovery at ${rate} requests/s, API down ${downMs} ms before its restart\n`);
console.log(
  '| run | kill → API ready (ms) | API ready → first 200 via gateway (ms) | failures after ready | 100 % failure span (s) | answers until recovery |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
console.log(
  '\nbefore (issue 9, consecutive-failure breaker, 5 s open): 2.8 s of 503s after ready, 4.1 s of 100 % failure',
);
