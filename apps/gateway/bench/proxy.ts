/**
 * What one proxy hop costs: the notes API directly, through the gateway, through Debian's nginx as a plain
 * reverse proxy (the reference), and through a bare node:http + undici proxy (the floor for any Node proxy,
 * bare-proxy.ts), on real PostgreSQL + Redis. Each server runs in its own process and the load
 * generator in another. Two loads: as fast as possible, and a fixed 1,000 requests/s (latency added per hop).
 *
 *   node apps/gateway/bench/proxy.ts [--seconds 5] [--connections 32] [--rounds 2] [--smoke]
 *
 * Every row must do the gateway's work: the API gets the same request from each (identity token, request id,
 * traceparent, forwarded-for/proto, nothing the gateway drops; checked on a recording upstream before the runs,
 * header-recorder.ts; the token is signed afresh for every run, since it lives 60 s), each target is
 * asked once and must answer what the API answers directly (status, media type, body bytes), and every run must
 * have 0 non-2xx and 0 errors; otherwise the table is printed and the script exits 1 with the reasons. `--smoke`
 * (or BENCH_SMOKE=1): one 1 s round at 4 connections and 200 req/s, for CI.
 *
 * While iterating: BENCH_ONLY=gateway measures the gateway and the direct reference only (the table needs all
 * four); BENCH_PROFILE=<dir> writes a V8 CPU profile of the gateway there when it exits (summarize it with any
 * .cpuprofile viewer); BENCH_NODE_ARGS passes extra node flags to the gateway.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { http } from '@homelab/platform';
import { createIdentitySigner } from '@homelab/service-kit';
import {
  createDatabase,
  failOnProblems,
  findBinary,
  freePort,
  type ProbedAnswer,
  probe,
  receivedHeaderProblems,
  sameWorkProblems,
  smokeMode,
  startPostgres,
  startRedis,
  startServiceProcess,
  testIdentitySecret,
  waitForPort,
} from '@homelab/test-servers';
import { hashApiKey } from '../src/auth/api-keys.ts';
import { cpuSeconds } from './cpu-time.ts';
import { nginxBlanks, receivedThrough, startHeaderRecorder } from './header-recorder.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
    smoke: { type: 'boolean', default: false },
  },
});
const smoke = smokeMode();
const seconds = smoke ? 1 : Number(values.seconds);
/** Targets take turns, round after round, and each keeps its median: a noisy neighbour hits all of them alike. */
const rounds = smoke ? 1 : Number(values.rounds);
const connections = smoke ? 4 : Number(values.connections);
const fixedRate = smoke ? 200 : 1_000;
const fixedConnections = smoke ? 4 : 16;
const run = promisify(execFile);

interface LoadResult {
  /** CPU microseconds per request of the proxy in front of the API (0 for direct), and of the API itself. */
  proxyCpuMicros?: number;
  apiCpuMicros?: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts?: number;
  total: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  rate?: number,
  duration = seconds,
): Promise<LoadResult> {
  const options = {
    url,
    headers,
    duration,
    connections: rate ? fixedConnections : connections,
    ...(rate ? { overallRate: rate } : {}),
  };
  const { stdout } = await run(process.execPath, [resolve(import.meta.dirname, 'load.ts'), JSON.stringify(options)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as LoadResult;
}

/** The run with the median throughput (its latencies come with it, so the row is one real run). */
function median(results: LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)] as LoadResult;
}

async function startNginx(upstreamPort: number) {
  const nginx = findBinary('nginx', ['/usr/sbin']);
  if (!nginx) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  const port = await freePort();
  // A plain reverse proxy with pooled keep-alive upstream connections, as a production config would have.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  # Node's server has no per-connection request cap (maxRequestsPerSocket 0); nginx closes a client connection
  # after 1,000 requests by default, and a load generator writing its next request into that close counts an error.
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream api { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_timeout ${http.keepAlive.proxyIdleTimeoutSeconds}s; }
  # The span id of the traceparent nginx starts: the first 16 hex digits of its 32-hex request id.
  map $request_id $span_id { "~^(?<span>[0-9a-f]{16})" $span; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      # What the gateway sends the API besides the client's headers (apps/gateway/src/proxy/headers.ts). The
      # identity token comes from the client: nginx cannot sign HS256 without a scripting module.
      proxy_set_header Connection "";
      proxy_set_header ${http.requestIdHeader} $request_id;
      proxy_set_header traceparent "00-$request_id-$span_id-01";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto http;
      # The rest of the gateway's drop list (credentials, hop-by-hop names nginx forwards by default).
${nginxBlanks([http.requestIdHeader, 'traceparent', 'x-forwarded-for', 'x-forwarded-proto'])
  .map((name) => `      proxy_set_header ${name} "";`)
  .join('\n')}
    }
  }
}
`,
  );
  const child = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  await waitForPort(port);
  return {
    pid: child.pid as number,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const loadBefore = loadavg();
const postgres = await startPostgres();
const redis = await startRedis();
const apiKey = 'bench-key-0123456789abcdefghijklmnopqrstuvwxyz';
const cleanups: (() => Promise<unknown>)[] = [() => postgres.destroy(), () => redis.stop()];
try {
  const api = await startServiceProcess('api', {
    DATABASE_URL: await createDatabase(postgres.url, 'bench'),
    REDIS_URL: redis.url,
    MIGRATE_ON_START: 'true',
  });
  cleanups.unshift(() => api.stop());
  const gatewayEnv = (upstream: string) => ({
    API_URL: upstream,
    API_KEYS: `bench:${hashApiKey(apiKey)}`,
    REDIS_URL: redis.url,
    // The limiter runs (leasing tokens from Redis) but never refuses during the benchmark.
    RATE_LIMIT_BURST: '100000000',
    RATE_LIMIT_PER_SECOND: '100000000',
    // As in production: one access-log line per request (stdout goes to /dev/null, as a runtime consumes it).
    LOG_LEVEL: 'info',
  });
  const gateway = await startServiceProcess('gateway', gatewayEnv(api.url), {
    captureStdout: false,
    nodeArgs: [
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
    ],
  });
  cleanups.unshift(() => gateway.stop());
  const nginx = await startNginx(api.port);
  cleanups.unshift(() => nginx.stop());
  const startBare = async (upstream: string, nodeArgs: readonly string[] = []) => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [...nodeArgs, resolve(import.meta.dirname, 'bare-proxy.ts'), upstream, String(port), testIdentitySecret],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.once('exit', r));
    await waitForPort(port);
    const stop = () => {
      child.kill();
      return exited;
    };
    return { pid: child.pid as number, port, stop };
  };
  const profileArgs = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const bare = await startBare(api.url, profileArgs);
  cleanups.unshift(() => bare.stop());
  const barePort = bare.port;
  if (profileArgs.length > 0) {
    process.stderr.write(
      `profiles in ${process.env.BENCH_PROFILE}: gateway pid ${gateway.pid}, bare proxy pid ${bare.pid}\n`,
    );
  }

  // A token lives 60 s and the signer renews it after 30 s: asked before every run of at most 30 s, it is valid
  // throughout (one token for the whole benchmark expired halfway and turned the references' rows into 401s).
  const signIdentity = createIdentitySigner({ secret: testIdentitySecret });
  const identity = async () => ({ [http.identityHeader]: await signIdentity('bench') });
  const created = await fetch(`${api.url}/v1/notes`, {
    method: 'POST',
    headers: { ...(await identity()), 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'benchmark', body: 'x'.repeat(200) }),
  });
  const { id } = (await created.json()) as { id: string };
  const path = `/v1/notes/${id}`;
  const only = process.env.BENCH_ONLY?.split(',');
  const targets = [
    { name: 'direct', url: api.url + path, headers: identity, pid: undefined },
    { name: 'nginx', url: nginx.url + path, headers: identity, pid: nginx.pid },
    // The bare proxy signs the identity token itself, as the gateway does.
    { name: 'bare Node proxy', url: `http://127.0.0.1:${barePort}${path}`, headers: async () => ({}), pid: bare.pid },
    { name: 'gateway', url: gateway.url + path, headers: async () => ({ 'x-api-key': apiKey }), pid: gateway.pid },
  ].filter((t) => !only || t.name === 'direct' || only.includes(t.name));
  if (seconds > 30) throw new Error('--seconds must be at most 30 (the identity token lives 60 s)');
  const answers = new Map<string, ProbedAnswer>();
  for (const t of targets) answers.set(t.name, await probe(t.url, await t.headers()));
  // What the API receives: the same request through a second gateway, nginx and bare proxy in front of a recording
  // upstream, with every header the gateway drops added (header-recorder.ts). Stopped before anything is measured.
  const received: { name: string; headerNames: string[] }[] = [];
  {
    const recorder = await startHeaderRecorder();
    const started: { stop(): Promise<unknown> }[] = [recorder];
    try {
      const viaGateway = await startServiceProcess('gateway', gatewayEnv(recorder.url), { captureStdout: false });
      started.push(viaGateway);
      const viaNginx = await startNginx(recorder.port);
      started.push(viaNginx);
      const viaBare = await startBare(recorder.url);
      started.push(viaBare);
      const through = {
        gateway: viaGateway.url,
        nginx: viaNginx.url,
        'bare Node proxy': `http://127.0.0.1:${viaBare.port}`,
      };
      for (const t of targets) {
        const origin = through[t.name as keyof typeof through];
        if (origin)
          received.push({ name: t.name, headerNames: await receivedThrough(origin + path, await t.headers()) });
      }
    } finally {
      for (const s of started.reverse()) await s.stop();
    }
  }
  const measured = async (t: (typeof targets)[number], rate: number | undefined): Promise<LoadResult> => {
    const headers = await t.headers();
    const proxyBefore = t.pid ? cpuSeconds(t.pid) : 0;
    const apiBefore = cpuSeconds(api.pid);
    const result = await load(t.url, headers, rate);
    const perRequest = (seconds: number) => (seconds / Math.max(1, result.total)) * 1e6;
    return {
      ...result,
      proxyCpuMicros: t.pid ? perRequest(cpuSeconds(t.pid) - proxyBefore) : 0,
      apiCpuMicros: perRequest(cpuSeconds(api.pid) - apiBefore),
    };
  };
  // Warm-up: JIT, pools, caches.
  for (const t of targets) await load(t.url, await t.headers(), undefined, smoke ? 1 : 2);
  const rows: { target: string; mode: string; result: LoadResult }[] = [];
  const work = new Map(targets.map((t) => [t.name, { non2xx: 0, errors: 0, total: 0 }]));
  for (const mode of ['full load', `${fixedRate} req/s`] as const) {
    const rate = mode === 'full load' ? undefined : fixedRate;
    const samples = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        const result = await measured(t, rate);
        samples.get(t.name)?.push(result);
        const w = work.get(t.name);
        if (w)
          Object.assign(w, {
            non2xx: w.non2xx + result.non2xx,
            // autocannon's errors already include its timeouts.
            errors: w.errors + result.errors,
            total: w.total + result.total,
          });
      }
    }
    for (const t of targets) rows.push({ target: t.name, mode, result: median(samples.get(t.name) ?? []) });
  }

  const direct = (mode: string) => rows.find((r) => r.target === 'direct' && r.mode === mode)?.result as LoadResult;
  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  const lines = [
    `GET /v1/notes/:id on PostgreSQL + Redis, median of ${rounds} interleaved ${seconds} s runs, ${connections} connections at full load, ${fixedConnections} at ${fixedRate} req/s`,
    '',
    '| target | load | req/s | x direct | p50 ms | p99 ms | +p50 ms | +p99 ms | proxy CPU µs/req | API CPU µs/req | non-2xx |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { target, mode, result } of rows) {
    const ref = direct(mode);
    lines.push(
      `| ${target} | ${mode} | ${fmt(result.requestsPerSecond, 0)} | ${fmt(result.requestsPerSecond / ref.requestsPerSecond, 2)} | ${fmt(result.p50)} | ${fmt(result.p99)} | ${fmt(result.p50 - ref.p50)} | ${fmt(result.p99 - ref.p99)} | ${fmt(result.proxyCpuMicros ?? 0, 0)} | ${fmt(result.apiCpuMicros ?? 0, 0)} | ${result.non2xx + result.errors} |`,
    );
  }
  const gw = (mode: string) => rows.find((r) => r.target === 'gateway' && r.mode === mode)?.result as LoadResult;
  const full = gw('full load');
  const fixed = gw(`${fixedRate} req/s`);
  const fixedDirect = direct(`${fixedRate} req/s`);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  lines.push(
    '',
    `targets: gateway >= 0.5 x direct: ${fmt(full.requestsPerSecond / direct('full load').requestsPerSecond, 2)} (${verdict(full.requestsPerSecond >= 0.5 * direct('full load').requestsPerSecond)}); ` +
      `at ${fixedRate} req/s +p50 <= 1 ms: ${fmt(fixed.p50 - fixedDirect.p50)} (${verdict(fixed.p50 - fixedDirect.p50 <= 1)}), ` +
      `+p99 <= 5 ms: ${fmt(fixed.p99 - fixedDirect.p99)} (${verdict(fixed.p99 - fixedDirect.p99 <= 5)})`,
  );
  const bareFull = rows.find((r) => r.target === 'bare Node proxy' && r.mode === 'full load')?.result;
  if (bareFull) {
    const ratio = (full.proxyCpuMicros ?? 0) / (bareFull.proxyCpuMicros ?? Number.NaN);
    lines.push(
      `proxy CPU per request at full load: gateway ${fmt(full.proxyCpuMicros ?? 0, 0)} µs, bare Node proxy ${fmt(bareFull.proxyCpuMicros ?? 0, 0)} µs: ${fmt(ratio, 2)} x (target <= 1.3: ${verdict(ratio <= 1.3)})`,
    );
  }
  lines.push(
    `machine: ${availableParallelism()} cores, load average before the run ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (throughput and latency depend on it; CPU per request much less)`,
  );
  const gatewaySent = received.find((r) => r.name === 'gateway')?.headerNames;
  if (gatewaySent)
    lines.push(`headers the API received through the gateway (compared per proxy): ${gatewaySent.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const rowWork = targets.map((t) => ({
    name: t.name,
    ...(work.get(t.name) ?? { non2xx: 0, errors: 0, total: 0 }),
    answer: answers.get(t.name),
  }));
  const reference = rowWork.find((r) => r.name === 'direct');
  const gatewayReceived = received.find((r) => r.name === 'gateway');
  failOnProblems('proxy', [
    ...(reference ? sameWorkProblems(rowWork, reference) : ['direct: not measured']),
    ...(gatewayReceived
      ? receivedHeaderProblems(received, gatewayReceived)
      : targets.some((t) => t.name === 'gateway')
        ? ['gateway: no header probe']
        : []),
  ]);
} finally {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
}
