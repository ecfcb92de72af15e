/**
 * How long the gateway keeps failing after the notes API comes back (issue 9: 2.8 s of 503s after the API was
 * ready, 4.1 s of 100 % failure in all, at 200 requests/s). The API (PGlite) and the gateway run as their own
 * processes; a steady 200 requests/s goes through the gateway; the API is SIGKILLed, restarted on the same port
 * after `--down-ms`, and its /readyz is polled directly every 10 ms. Prints one row per run.
 *
 *   node apps/gateway/bench/breaker-recovery.ts [--runs 3] [--down-ms 1500] [--smoke]
 *
 * Every run must do the work its row reports: all answers 200 before the first kill, a first 200 after the API is
 * ready, and only 200s from then until the next kill; otherwise the table is printed and the script exits 1 with
 * the reasons. `--smoke` (or BENCH_SMOKE=1): one run, API down 300 ms, shorter settling, for CI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { http } from '@homelab/platform';
import { failOnProblems, type ServiceProcess, smokeMode, startServiceProcess } from '@homelab/test-servers';
import { Agent, request } from 'undici';
import { hashApiKey } from '../src/auth/api-keys.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'down-ms': { type: 'string', default: '1500' },
    smoke: { type: 'boolean', default: false },
  },
});
const smoke = smokeMode();
const runs = smoke ? 1 : Number(values.runs);
const downMs = smoke ? 300 : Number(values['down-ms']);
/** Steady load before the first kill, and after each recovery before the next one. */
const settleMs = smoke ? 1_500 : 3_000;
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
const problems: string[] = [];
/** When the last run's first 200 came back: only 200s are expected from then on. */
let recoveredAt = 0;
try {
  await sleep(settleMs);
  const firstKill = performance.now();
  const before = samples.filter((s) => s.at <= firstKill);
  const failedBefore = before.filter((s) => s.status !== 200).length;
  if (before.length === 0) problems.push('no answer through the gateway before the first kill');
  if (failedBefore > 0) problems.push(`${failedBefore} of ${before.length} answers before the first kill were not 200`);
  for (let run = 1; run <= runs; run++) {
    const killedAt = performance.now();
    if (run > 1) {
      const between = samples.filter((s) => s.at > recoveredAt && s.at <= killedAt && s.status !== 200).length;
      if (between > 0) problems.push(`run ${run - 1}: ${between} failures after recovery, before the next kill`);
    }
    await api.stop('SIGKILL');
    await sleep(downMs);
    const restarting = startServiceProcess('api', apiEnv, { port: api.port });
    let readyAt = 0;
    while (readyAt === 0) {
      if (await apiReady()) readyAt = performance.now();
      else await sleep(10);
    }
    api = await restarting;
    await sleep(settleMs);
    const after = samples.filter((s) => s.at > killedAt);
    const lastOkBefore = Math.max(...samples.filter((s) => s.at <= killedAt && s.status === 200).map((s) => s.at));
    const firstOk = after.find((s) => s.at > readyAt && s.status === 200)?.at ?? Number.NaN;
    if (!Number.isFinite(firstOk)) problems.push(`run ${run}: no 200 through the gateway after the API was ready`);
    recoveredAt = firstOk;
    const failedAfterReady = after.filter((s) => s.at > readyAt && s.at < firstOk && s.status !== 200).length;
    const statuses = new Map<number, number>();
    for (const s of after.filter((s) => s.at < firstOk)) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    rows.push(
      `| ${run} | ${(readyAt - killedAt).toFixed(0)} | ${(firstOk - readyAt).toFixed(0)} | ${failedAfterReady} | ${((firstOk - lastOkBefore) / 1000).toFixed(2)} | ${[...statuses].map(([k, v]) => `${k || 'error'}×${v}`).join(' ')} |`,
    );
  }
} finally {
  const end = performance.now();
  const lingering = samples.filter((s) => s.at > recoveredAt && s.at <= end && s.status !== 200).length;
  if (runs > 0 && lingering > 0) problems.push(`run ${runs}: ${lingering} failures after recovery`);
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
failOnProblems('breaker-recovery', problems);
