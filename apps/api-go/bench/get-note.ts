import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { http } from '@homelab/platform';
import { createIdentitySigner } from '@homelab/service-kit';
import {
  createDatabase,
  failOnProblems,
  freePort,
  type ProbedAnswer,
  probe,
  probeStatuses,
  sameWorkProblems,
  smokeMode,
  startPostgres,
  startRedis,
  testIdentitySecret,
} from '@homelab/test-servers';
import { type ApiImpl, type ApiProcess, startApi } from '../src/testing/api-process.ts';
import { goBinary } from '../src/testing/go-binary.ts';

/**
 * GET /v1/notes/:id with a warm cache on real PostgreSQL + Redis, side by side in one run: the Go API, the
 * TypeScript API, and a bare Go net/http handler doing only what a cache hit must do (the ceiling: identity token
 * verified, UUID checked, one Redis GET; bare/main.go). Each server runs alone
 * in its own process with its production logging (stdout to /dev/null, as a container runtime consumes it);
 * autocannon runs in another. Prints req/s, server CPU per request, p99 and RSS with ratios to the TypeScript API,
 * and the issue's goals (Go >= 1.5x req/s, <= 0.6x CPU per request, <= 0.3x RSS).
 *
 * The machine is shared, so the servers are measured in interleaved rounds (BENCH_ROUNDS, default 3) and each
 * cell is the median of its rounds; the load average before and after is printed with the table.
 *
 *   node apps/api-go/bench/get-note.ts            # BENCH_SECONDS (10, at most 30), BENCH_CONNECTIONS (32), BENCH_ROUNDS (3)
 *   node apps/api-go/bench/get-note.ts --smoke    # or BENCH_SMOKE=1: 1 s per server at 4 connections (CI)
 *
 * In every mode each server is asked once before each of its runs and must answer exactly what the TypeScript
 * API answers (status, media type, body bytes), and every run must have 0 non-2xx and 0 errors; otherwise the
 * table is printed and the script exits 1 with the reasons (docs/benchmarks.md, "What every benchmark guarantees").
 */
const smoke = smokeMode();
const seconds = smoke ? 1 : Number(process.env.BENCH_SECONDS ?? 10);
const warmup = smoke ? 1 : 2;
const connections = smoke ? 4 : Number(process.env.BENCH_CONNECTIONS ?? 32);
const rounds = smoke ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
// The load generator signs one token per run and a token is refused 60 s after it was issued (identity.MaxAge).
if (warmup + seconds > 30) throw new Error('BENCH_SECONDS must be at most 28 (the identity token lives 60 s)');
const here = import.meta.dirname;

interface Measurement {
  requestsPerSecond: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  cpuMicros: number;
  rssMiB: number;
  /** One answer to the benchmark's request, asked just before the run. */
  answer: ProbedAnswer;
  /** The statuses of requests it must refuse, asked just before the run. */
  refusals: Record<string, number>;
}

/** utime + stime of a process in microseconds (clock ticks of 10 ms). */
const cpuTimeMicros = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};
/** Resident set size now, MiB. */
const rssMiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const postgres = await startPostgres();
const redis = await startRedis();
const running: { stop(): Promise<unknown> }[] = [];
try {
  const databaseUrl = await createDatabase(postgres.url, 'bench_go');
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, LOG_LEVEL: 'info', CACHE_TTL_SECONDS: '86400' };
  // Signed afresh for every request it is used for: a token is refused 60 s after it was issued.
  const sign = createIdentitySigner({ secret: testIdentitySecret });
  const identity = async () => ({ [http.identityHeader]: await sign('bench') });

  // One note, created through the TypeScript API; its cache entry is what all three servers answer.
  const setup = await startApi('ts', { ...env, MIGRATE_ON_START: 'true' }, { captureStdout: false });
  const created = await fetch(`${setup.url}/v1/notes`, {
    method: 'POST',
    headers: { ...(await identity()), 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'benchmark note', body: 'A note of a realistic size. '.repeat(12) }),
  });
  const note = (await created.json()) as { id: string };
  await (await fetch(`${setup.url}/v1/notes/${note.id}`, { headers: await identity() })).arrayBuffer(); // fills the shared cache
  await setup.stop();
  const bareBinary = await goBinary('./bench/bare', 'bench-bare');

  const startBare = async (): Promise<{ pid: number; url: string; stop(): Promise<unknown> }> => {
    const port = await freePort();
    const child = spawn(bareBinary, [String(port), redis.url], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { PATH: process.env.PATH ?? '', IDENTITY_TOKEN_SECRET: testIdentitySecret },
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      if (
        await fetch(url + http.paths.readiness).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const exited = new Promise((r) => child.once('exit', r));
    return {
      pid: child.pid as number,
      url,
      stop: () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  };
  const startImpl = async (impl: ApiImpl): Promise<ApiProcess> => startApi(impl, env, { captureStdout: false });

  const servers: {
    name: string;
    key: 'go' | 'ts' | 'bare';
    start: () => Promise<{ pid: number; url: string; stop(): Promise<unknown> }>;
  }[] = [
    { name: 'Go API (net/http, pgx, go-redis)', key: 'go', start: () => startImpl('go') },
    { name: 'TypeScript API (Hono, service kit)', key: 'ts', start: () => startImpl('ts') },
    { name: 'bare Go net/http + Redis GET (ceiling)', key: 'bare', start: startBare },
  ];
  const samples = new Map<string, Measurement[]>();
  const loadBefore = loadavg()[0] ?? 0;
  for (let round = 0; round < rounds; round++)
    for (const server of servers) {
      const proc = await server.start();
      running.push(proc);
      const url = `${proc.url}/v1/notes/${note.id}`;
      const answer = await probe(url, await identity());
      // What the API refuses, the ceiling must refuse too: its 200 above could otherwise come from a fixed key.
      const refusals = await probeStatuses({
        'no identity token': { url },
        'another identity': { url, headers: { [http.identityHeader]: await sign('someone-else') } },
        'an id that is not a UUID': { url: `${proc.url}/v1/notes/not-a-uuid`, headers: await identity() },
      });
      const load: ChildProcess = fork(join(here, 'load.ts'), [
        url,
        String(seconds),
        String(connections),
        String(warmup),
      ]);
      let cpuStart = 0;
      const summary = await new Promise<string>((resolve, reject) => {
        load.on('message', (message) => {
          if (message === 'measuring') cpuStart = cpuTimeMicros(proc.pid);
          else resolve(String(message));
        });
        load.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
      });
      const cpu = cpuTimeMicros(proc.pid) - cpuStart;
      const rss = rssMiB(proc.pid);
      const m = JSON.parse(summary) as Omit<Measurement, 'cpuMicros' | 'rssMiB' | 'answer' | 'refusals'>;
      samples.set(server.key, [
        ...(samples.get(server.key) ?? []),
        { ...m, cpuMicros: cpu / Math.max(1, m.total), rssMiB: rss, answer, refusals },
      ]);
      await proc.stop();
      running.pop();
    }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const results = new Map<string, Omit<Measurement, 'answer' | 'refusals'>>();
  for (const [key, list] of samples) {
    results.set(key, {
      requestsPerSecond: median(list.map((m) => m.requestsPerSecond)),
      p99: median(list.map((m) => m.p99)),
      total: list.reduce((sum, m) => sum + m.total, 0),
      non2xx: list.reduce((sum, m) => sum + m.non2xx, 0),
      errors: list.reduce((sum, m) => sum + m.errors, 0),
      cpuMicros: median(list.map((m) => m.cpuMicros)),
      rssMiB: median(list.map((m) => m.rssMiB)),
    });
  }
  const ts = results.get('ts') as Omit<Measurement, 'answer' | 'refusals'>;
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');
  const rows = servers.map((s) => {
    const m = results.get(s.key) as Omit<Measurement, 'answer' | 'refusals'>;
    return [
      s.name,
      m.requestsPerSecond.toFixed(0),
      ratio(m.requestsPerSecond, ts.requestsPerSecond),
      m.cpuMicros.toFixed(1),
      ratio(m.cpuMicros, ts.cpuMicros),
      String(m.p99),
      m.rssMiB.toFixed(1),
      ratio(m.rssMiB, ts.rssMiB),
      String(m.non2xx + m.errors),
    ];
  });
  const head = ['server', 'req/s', 'vs TS', 'CPU us/req', 'vs TS', 'p99 ms', 'RSS MiB', 'vs TS', 'non-2xx'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(
    `\nGET /v1/notes/:id, warm cache, ${connections} connections, ${seconds} s each, median of ${rounds} interleaved round(s)${smoke ? ' (smoke)' : ''}; load average ${loadBefore.toFixed(1)} -> ${(loadavg()[0] ?? 0).toFixed(1)} on ${availableParallelism()} cores\n`,
  );
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  const go = results.get('go') as Omit<Measurement, 'answer' | 'refusals'>;
  const goals = [
    ['req/s >= 1.5x TS', go.requestsPerSecond / ts.requestsPerSecond >= 1.5],
    ['CPU per request <= 0.6x TS', go.cpuMicros / ts.cpuMicros <= 0.6],
    ['RSS <= 0.3x TS', go.rssMiB / ts.rssMiB <= 0.3],
  ] as const;
  console.log(`\ngoals for the Go API: ${goals.map(([g, ok]) => `${g}: ${ok ? 'met' : 'MISSED'}`).join('; ')}`);
  // Every row must have done the TypeScript API's work in every round: 0 non-2xx and errors, the TypeScript API's
  // answer (status, media type, body bytes) to the probe asked just before the run, and its refusals.
  const work = servers.flatMap((s) =>
    (samples.get(s.key) ?? []).map((m, round) => ({
      name: rounds > 1 ? `${s.name}, round ${round + 1}` : s.name,
      ...m,
    })),
  );
  const reference = work.find((w) => w.name.startsWith(servers[1]?.name ?? '-'));
  failOnProblems('get-note (Go)', reference ? sameWorkProblems(work, reference) : ['TypeScript API: not measured']);
} finally {
  for (const p of running) await p.stop();
  await redis.stop();
  await postgres.destroy();
}
