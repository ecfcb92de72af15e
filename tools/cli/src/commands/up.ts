import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hashApiKey } from '@homelab/gateway';
import { apps, local } from '@homelab/platform';
import { detectCgroups } from '../local/cgroups.ts';
import { formatLogLine, prefixFor } from '../local/log-lines.ts';
import { localPorts, platformProcesses } from '../local/platform-processes.ts';
import { localPrometheusConfigText, type ScrapeTarget } from '../local/prometheus-config.ts';
import { demoIdentity, loadOrCreateSecrets } from '../local/secrets.ts';
import { type ProcessSpec, supervise } from '../local/supervisor.ts';

export const upUsage = `homelab up [options]

Runs api, gateway and web locally (embedded PGlite, in-memory cache and limiter), waits until all are ready,
prints the URLs and streams their logs. Ctrl-C stops everything gracefully. Data is kept in --data-dir.

Options:
  --database-url <url>   use this PostgreSQL instead of embedded PGlite
  --redis-url <url>      use this Redis for the API cache and the gateway's rate limiter
  --canary               start a second API as a canary behind the gateway (10 % of traffic)
  --canary-weight <n>    the canary's share in percent (implies --canary); change it later with
                         PUT /admin/upstreams/notes on the gateway
  --prometheus           start /usr/bin/prometheus scraping everything with the project's rules
  --data-dir <dir>       default ${local.dataDir} (relative to the repository root)
  --port-offset <n>      add n to every port (run beside another instance)
  --no-color             plain log prefixes
`;

/** The repository root: tools/cli/src/commands -> ../../../.. */
const repositoryRoot = resolve(import.meta.dirname, '../../../..');

const prometheusBinary = '/usr/bin/prometheus';

/** Prometheus on the local ports, with the observability package's rules when it provides them. */
async function prometheusProcess(dataDir: string, targets: ScrapeTarget[], port: number): Promise<ProcessSpec> {
  const dir = join(dataDir, 'prometheus');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const { text } = await localPrometheusConfigText(targets, dir);
  writeFileSync(join(dir, 'prometheus.yml'), text);
  return {
    name: 'prometheus',
    command: prometheusBinary,
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=2d',
    ],
    cwd: dir,
    env: {},
    readyUrl: `http://127.0.0.1:${port}/-/ready`,
  };
}

/** `homelab up`: resolves once everything stopped again (after SIGINT/SIGTERM); the exit code to use. */
export async function up(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      canary: { type: 'boolean' },
      'canary-weight': { type: 'string' },
      prometheus: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'port-offset': { type: 'string' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(upUsage);
    return 0;
  }
  const dataDir = resolve(repositoryRoot, values['data-dir'] ?? local.dataDir);
  const portOffset = Number(values['port-offset'] ?? 0);
  if (!Number.isInteger(portOffset) || portOffset < 0) throw new Error('--port-offset must be a whole number >= 0');
  const canaryWeight = values.canary || values['canary-weight'] ? Number(values['canary-weight'] ?? 10) : undefined;
  if (canaryWeight !== undefined && !(canaryWeight >= 0 && canaryWeight <= 100)) {
    throw new Error('--canary-weight must be between 0 and 100');
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
  const ports = localPorts(portOffset);
  const colour = !values['no-color'] && process.stdout.isTTY === true;
  const width = 'prometheus'.length;
  const names = ['up', 'api', 'api-canary', 'gateway', 'web', 'prometheus'];
  const log = (name: string, line: string) => {
    process.stdout.write(`${prefixFor(name, names.indexOf(name), width, colour)}${formatLogLine(line)}\n`);
  };

  const withPrometheus = values.prometheus === true && existsSync(prometheusBinary);
  if (values.prometheus && !withPrometheus) log('up', `${prometheusBinary} not found: starting without Prometheus`);
  const processes = platformProcesses({
    root: repositoryRoot,
    dataDir,
    secrets,
    demoApiKeyHash: hashApiKey(secrets.demoApiKey),
    demoIdentity,
    ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {}),
    ...(values['redis-url'] ? { redisUrl: values['redis-url'] } : {}),
    ...(canaryWeight !== undefined ? { canaryWeight } : {}),
    ...(withPrometheus ? { prometheusUrl: `http://127.0.0.1:${ports.prometheus}` } : {}),
    portOffset,
  });
  if (canaryWeight !== undefined && !values['database-url']) {
    log('up', 'canary without --database-url: it runs on its own PGlite, so its notes differ from the stable API');
  }
  if (withPrometheus) {
    const targets: ScrapeTarget[] = [
      { job: apps.api.name, port: ports.api, track: 'stable' },
      ...(canaryWeight !== undefined ? [{ job: apps.api.name, port: ports.canaryApi, track: 'canary' }] : []),
      { job: apps.gateway.name, port: ports.gateway, track: 'stable' },
      { job: apps.web.name, port: ports.web, track: 'stable' },
    ];
    processes.push(await prometheusProcess(dataDir, targets, ports.prometheus));
  }

  log('up', `starting ${processes.map((p) => p.name).join(', ')} (data in ${dataDir})`);
  // Each app in its own cgroup with its Kubernetes memory limit and CPU request, so a leak is OOMKilled here too.
  const cgroups = detectCgroups();
  log('up', cgroups.notice ?? `cgroup ${cgroups.mode}: each service limited to its Kubernetes memory limit`);
  if (!values['database-url'] && cgroups.mode !== 'none') {
    log(
      'up',
      `api runs PGlite in-process: no memory limit for it (give --database-url for the ${apps.api.resources.memoryLimit} container limit)`,
    );
  }
  const supervisor = supervise(processes, { log, cgroups });
  // The children have their own process groups; should this process die without stopping them, take them along.
  process.once('exit', () => {
    for (const p of supervisor.processes) {
      try {
        if (p.pid) process.kill(p.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    if (stopping) return stopping;
    log('up', `${signal}: stopping gracefully`);
    stopping = supervisor.stop();
    return stopping;
  };
  const stopped = new Promise<void>((resolveStopped) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        stop(signal).then(resolveStopped);
      });
    }
  });
  try {
    await supervisor.waitUntilReady(120_000);
  } catch (error) {
    if (stopping) {
      await stopped;
      return 0;
    }
    log('up', `${(error as Error).message}; stopping`);
    await stop('not ready');
    return 1;
  }
  const lines = [
    'ready',
    `  web        http://localhost:${ports.web}   (sign in with any demo name)`,
    `  gateway    http://localhost:${ports.gateway}/v1/notes`,
    `  api        http://localhost:${ports.api}/openapi.json`,
    ...(canaryWeight !== undefined
      ? [`  canary     http://localhost:${ports.canaryApi} (${canaryWeight} % of traffic)`]
      : []),
    ...(withPrometheus ? [`  prometheus http://localhost:${ports.prometheus}`] : []),
    `  demo key   curl -H 'x-api-key: ${secrets.demoApiKey}' http://localhost:${ports.gateway}/v1/notes`,
    `  admin      curl -H 'authorization: Bearer ${secrets.adminToken}' http://localhost:${ports.gateway}/admin/upstreams`,
  ];
  for (const line of lines) log('up', line);
  await stopped;
  log('up', 'stopped');
  return 0;
}
