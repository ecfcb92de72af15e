import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@homelab/service-kit';
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
} from '@homelab/test-servers';
import { Redis } from 'ioredis';
import { noteCacheKey } from '../src/cache/note-cache.ts';
import { createNotesRepository } from '../src/notes/notes-repository.ts';
import { migrate } from '../src/storage/migrate.ts';
import { createPgClient } from '../src/storage/pg-client.ts';
import { userHeaders } from '../src/testing/identity.ts';

/**
 * GET /v1/notes/:id with a warm cache on real PostgreSQL + Redis, against (a) a bare node:http server doing the
 * same Redis read (the ceiling) and (b) the same endpoint on Fastify with the same logging and metrics; plus the
 * Hono app with logging and metrics off, to price them. Each server runs alone in its own process; autocannon
 * runs in another. Environment: BENCH_SECONDS (default 10), BENCH_ROUNDS (default 1), BENCH_CONNECTIONS (32).
 *
 * `--smoke` (or BENCH_SMOKE=1): 1 s per server at 4 connections, for CI. In every mode each server is asked once
 * before its run and must answer exactly what the Hono API answers (status, media type, body bytes), and every
 * run must have 0 non-2xx and 0 errors; otherwise the table is printed and the script exits 1 with the reasons.
 */
const smoke = smokeMode();
const seconds = smoke ? 1 : Number(process.env.BENCH_SECONDS ?? 10);
const rounds = smoke ? 1 : Number(process.env.BENCH_ROUNDS ?? 1);
const connections = smoke ? 4 : Number(process.env.BENCH_CONNECTIONS ?? 32);
const warmupSeconds = smoke ? 1 : 2;
const here = import.meta.dirname;

interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  /** Server CPU time (user + system) per request during the measured run, in microseconds. */
  cpuMicros: number;
  /** One answer to the benchmark's request, asked before the run. */
  answer: ProbedAnswer;
  /** The statuses of requests it must refuse, asked before the run. */
  refusals: Record<string, number>;
}

/** utime + stime of a process in microseconds, from /proc (clock ticks of 10 ms). */
const cpuTimeMicros = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

const silent = createLogger({ service: 'bench', version: '0', level: 'silent' });
const postgres = await startPostgres();
const redis = await startRedis();
const databaseUrl = await createDatabase(postgres.url, 'bench');
const db = createPgClient({ connectionString: databaseUrl, logger: silent });
await migrate(db);
const note = await createNotesRepository(db, { maxNotesPerOwner: 10 }).create(
  'bench',
  crypto.randomUUID(),
  { title: 'benchmark note', body: 'A note of a realistic size. '.repeat(12) },
  new Date(),
);
await db.close();
// The bytes the API itself caches, so every server returns exactly the same body.
const warm = new Redis(redis.url);
await warm.set(noteCacheKey('bench', note.id), Buffer.from(JSON.stringify(note)));
warm.disconnect();

const servers: { name: string; file: string; args: (port: number) => string[] }[] = [
  { name: 'bare node:http (ceiling)', file: 'servers/bare.ts', args: (p) => [String(p), redis.url] },
  { name: 'fastify + logs + metrics', file: 'servers/fastify.ts', args: (p) => [String(p), databaseUrl, redis.url] },
  { name: 'hono API (service kit)', file: 'servers/hono.ts', args: (p) => [String(p), databaseUrl, redis.url, 'on'] },
  {
    name: 'hono API, logs+metrics off',
    file: 'servers/hono.ts',
    args: (p) => [String(p), databaseUrl, redis.url, 'off'],
  },
  { name: 'hono minimal (no kit, diagnostic)', file: 'servers/hono-minimal.ts', args: (p) => [String(p), redis.url] },
];

// BENCH_ONLY=2,3 measures a subset (by position above) while iterating on one server; the table needs all four.
const only = process.env.BENCH_ONLY?.split(',').map(Number);

// A token lives 60 s and the signer renews it after 30 s: asked afresh for every probe and by the load generator
// before each of its runs, it stays valid through a run of at most 30 s (one token for the whole benchmark expired
// a minute in, and the same-work check caught the later servers answering 401).
if (seconds > 30) throw new Error('BENCH_SECONDS must be at most 30 (the identity token lives 60 s)');
const notePath = `/v1/notes/${note.id}`;

async function measure(server: (typeof servers)[number]): Promise<Measurement> {
  const port = await freePort();
  // stdout (the access log) goes to /dev/null, as a container runtime would consume it.
  const child: ChildProcess = fork(join(here, server.file), server.args(port), {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // BENCH_PROFILE=<dir> writes a V8 CPU profile of each server there (chrome://inspect or speedscope).
    execArgv: [
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
    ],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${server.name} exited with ${code}`)));
  });
  try {
    const pid = child.pid as number;
    const url = `http://127.0.0.1:${port}${notePath}`;
    const answer = await probe(url, await userHeaders('bench'));
    // What the API refuses, the ceiling must refuse too: its 200 above could otherwise come from a fixed key.
    const refusals = await probeStatuses({
      'no identity token': { url },
      'another identity': { url, headers: await userHeaders('someone-else') },
      'an id that is not a UUID': {
        url: `http://127.0.0.1:${port}/v1/notes/not-a-uuid`,
        headers: await userHeaders('bench'),
      },
    });
    const load = fork(join(here, 'load.ts'), [url, String(seconds), String(connections), String(warmupSeconds)]);
    let cpuStart = 0;
    const summary = await new Promise<string>((resolve, reject) => {
      load.on('message', (message) => {
        if (message === 'measuring') cpuStart = cpuTimeMicros(pid);
        else resolve(String(message));
      });
      load.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    });
    const cpu = cpuTimeMicros(pid) - cpuStart;
    const m = JSON.parse(summary) as Omit<Measurement, 'cpuMicros' | 'answer' | 'refusals'>;
    return { ...m, cpuMicros: cpu / Math.max(1, m.total), answer, refusals };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

const results = new Map<string, Measurement[]>();
const loadBefore = loadavg()[0] ?? 0;
try {
  for (let round = 0; round < rounds; round++) {
    for (const [index, server] of servers.entries()) {
      if (only && !only.includes(index)) continue;
      const m = await measure(server);
      results.set(server.name, [...(results.get(server.name) ?? []), m]);
      process.stderr.write(
        `round ${round + 1} ${server.name}: ${Math.round(m.requestsPerSecond)} req/s, ${m.cpuMicros.toFixed(1)} us CPU/req\n`,
      );
    }
  }
} finally {
  await redis.stop();
  await postgres.destroy();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const summary = (name: string) => {
  const ms = results.get(name) ?? [];
  return {
    rps: median(ms.map((m) => m.requestsPerSecond)),
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    cpu: median(ms.map((m) => m.cpuMicros)),
  };
};
const [bare, fastify, hono, honoOff] = servers.map((s) => summary(s.name)) as [
  ReturnType<typeof summary>,
  ReturnType<typeof summary>,
  ReturnType<typeof summary>,
  ReturnType<typeof summary>,
];
const rows = servers.map((s) => {
  const r = summary(s.name);
  return `| ${s.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${(r.rps / bare.rps).toFixed(2)} | ${(r.rps / fastify.rps).toFixed(2)} | ${r.cpu.toFixed(1)} | ${(bare.cpu / r.cpu).toFixed(2)} | ${(fastify.cpu / r.cpu).toFixed(2)} |`;
});
const overhead = 1 - hono.rps / honoOff.rps;
const cpuOverhead = hono.cpu / honoOff.cpu - 1;
const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
console.log(
  `GET /v1/notes/:id, warm Redis cache, ${connections} connections, ${seconds} s x ${rounds} round(s), median; ` +
    `${availableParallelism()} CPUs, load average ${loadBefore.toFixed(1)} before and ${(loadavg()[0] ?? 0).toFixed(1)} after`,
);
console.log('| server | req/s | p50 ms | p99 ms | x bare | x fastify | CPU us/req | x bare (CPU) | x fastify (CPU) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
console.log('');
console.log(
  `hono vs bare:    ${(hono.rps / bare.rps).toFixed(2)} (target >= 0.75: ${check(hono.rps / bare.rps >= 0.75)})`,
);
console.log(
  `hono vs fastify: ${(hono.rps / fastify.rps).toFixed(2)} (target >= 1.00: ${check(hono.rps / fastify.rps >= 1)})`,
);
console.log(`logs+metrics overhead: ${(overhead * 100).toFixed(1)} % (target <= 10 %: ${check(overhead <= 0.1)})`);
// CPU time per request is what a server costs on a quiet core; throughput on a shared 2-core machine also
// depends on what else the scheduler runs, so both are printed.
console.log(
  `by CPU per request: ${(bare.cpu / hono.cpu).toFixed(2)} x bare, ${(fastify.cpu / hono.cpu).toFixed(2)} x fastify, logs+metrics +${(cpuOverhead * 100).toFixed(1)} %`,
);
// The verdicts above compare medians. The same ratio within each round (servers measured minutes apart drift
// with the machine's speed) shows how much of a miss or a pass is noise.
const perRound = (a: string, b: string) => {
  const as = results.get(a) ?? [];
  const bs = results.get(b) ?? [];
  const ratios = as.map((m, i) => m.requestsPerSecond / (bs[i]?.requestsPerSecond ?? Number.NaN)).sort((x, y) => x - y);
  return `${median(ratios).toFixed(2)} (range ${ratios[0]?.toFixed(2)}-${ratios.at(-1)?.toFixed(2)})`;
};
const [bareName, fastifyName, honoName, honoOffName] = servers.map((s) => s.name) as [string, string, string, string];
if (rounds > 1 && !only) {
  console.log(
    `within each round: hono/bare ${perRound(honoName, bareName)}, hono/fastify ${perRound(honoName, fastifyName)}, ` +
      `on/off ${perRound(honoName, honoOffName)}`,
  );
}

// Every row must have done the Hono API's work: 0 non-2xx and errors in every round, the same answer and the
// same refusals.
const honoApiName = servers[2]?.name ?? '';
const work = [...results].map(([name, ms]) => ({
  name,
  non2xx: ms.reduce((n, m) => n + m.non2xx, 0),
  errors: ms.reduce((n, m) => n + m.errors, 0),
  total: ms.reduce((n, m) => n + m.total, 0),
  answer: ms[0]?.answer,
  refusals: ms[0]?.refusals,
}));
const reference = work.find((w) => w.name === honoApiName);
failOnProblems(
  'get-note',
  reference ? sameWorkProblems(work, reference) : [`${honoApiName}: not measured (BENCH_ONLY must include 2)`],
);
