import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  credentialLines,
  credentialsFileName,
  demoIdentity,
  detectCgroups,
  formatLogLine,
  loadOrCreateSecrets,
  localPorts,
  localScrapeTargets,
  platformProcesses,
  prefixFor,
  prometheusBinary,
  prometheusProcess,
  sharedDatabaseName,
  supervise,
  takenPorts,
  type WantedPort,
  watchLaunchers,
  writeCredentialsFile,
} from '@homelab/local-platform';
import { apps, hashApiKey, local } from '@homelab/platform';
import { type Command, exitCodes, integerFlag, parseFlags } from '../framework/index.ts';

const usage = `homelab up [options]

Runs api, gateway and web locally (embedded PGlite, in-memory cache and limiter), waits until all are ready,
prints the URLs and streams their logs. Ctrl-C (or SIGTERM, SIGHUP, or this process' parent exiting) stops
everything gracefully. Data is kept in --data-dir; the URLs and credentials are kept in <data-dir>/credentials
(\`homelab credentials\` prints them). Refuses to start when a port is taken, naming the process holding it.

Options:
  --database-url <url>   use this PostgreSQL instead of embedded PGlite
  --redis-url <url>      use this Redis for the API cache and the gateway's rate limiter
  --canary               start a second API as a canary behind the gateway (10 % of traffic); both APIs share
                         one database (without --database-url: embedded PGlite served on port ${local.sharedDatabasePort})
  --canary-weight <n>    the canary's share in percent (implies --canary); change it later with
                         PUT /admin/upstreams/notes on the gateway
  --prometheus           start /usr/bin/prometheus scraping everything with the project's rules
  --data-dir <dir>       default ${local.dataDir} (relative to the repository root)
  --port-offset <n>      add n to every port (run beside another instance)
  --no-color             plain log prefixes
`;

/** The repository root: tools/cli/src/commands -> ../../../.. */
const repositoryRoot = resolve(import.meta.dirname, '../../../..');

/** `homelab up`: resolves once everything stopped again (after SIGINT/SIGTERM); the exit code to use. */
async function runUp(argv: readonly string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
    canary: { type: 'boolean' },
    'canary-weight': { type: 'string' },
    prometheus: { type: 'boolean' },
    'data-dir': { type: 'string' },
    'port-offset': { type: 'string' },
    'no-color': { type: 'boolean' },
  });
  const dataDir = resolve(repositoryRoot, values['data-dir'] ?? local.dataDir);
  const portOffset = integerFlag(values['port-offset'], 'port-offset', 0);
  const canaryWeight =
    values.canary || values['canary-weight']
      ? integerFlag(values['canary-weight'], 'canary-weight', 10, 0, 100)
      : undefined;
  mkdirSync(dataDir, { recursive: true });
  const secrets = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
  const ports = localPorts(portOffset);
  const colour = !values['no-color'] && process.stdout.isTTY === true;
  const width = 'prometheus'.length;
  const names = ['up', sharedDatabaseName, 'api', 'api-canary', 'gateway', 'web', 'prometheus'];
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
  if (withPrometheus) {
    const targets = localScrapeTargets(ports, { canary: canaryWeight !== undefined, web: true });
    processes.push(await prometheusProcess({ dataDir, targets, port: ports.prometheus }));
  }

  const wanted: WantedPort[] = [
    ...(processes.some((p) => p.name === sharedDatabaseName)
      ? [{ name: sharedDatabaseName, port: ports.sharedDatabase }]
      : []),
    { name: 'api', port: ports.api },
    ...(canaryWeight !== undefined ? [{ name: 'api-canary', port: ports.canaryApi }] : []),
    { name: 'gateway', port: ports.gateway },
    { name: 'web', port: ports.web },
    ...(withPrometheus ? [{ name: 'prometheus', port: ports.prometheus }] : []),
  ];
  const taken = await takenPorts(wanted);
  if (taken.length > 0) {
    for (const problem of taken) log('up', problem);
    log('up', 'not starting: stop those processes, or run beside them with --port-offset <n>');
    return 1;
  }

  log('up', `starting ${processes.map((p) => p.name).join(', ')} (data in ${dataDir})`);
  // Each app in its own cgroup with its Kubernetes memory limit and CPU request, so a leak is OOMKilled here too.
  const cgroups = detectCgroups();
  log('up', cgroups.notice ?? `cgroup ${cgroups.mode}: each service limited to its Kubernetes memory limit`);
  if (!values['database-url'] && canaryWeight === undefined && cgroups.mode !== 'none') {
    log(
      'up',
      `api runs PGlite in-process: no memory limit for it (give --database-url for the ${apps.api.resources.memoryLimit} container limit)`,
    );
  }
  // orphanGuard: should this process die without running its handlers (SIGKILL), the guard stops the children.
  const supervisor = supervise(processes, { log, cgroups, orphanGuard: true });
  // The children have their own process groups; should this process exit without stopping them, take them along.
  process.once('exit', () => {
    for (const p of supervisor.processes) {
      try {
        if (p.pid) process.kill(-p.pid, 'SIGTERM');
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
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  // SIGHUP: the terminal closed. Each stops the tree once; a repeated signal does not cut the drain short.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      stop(signal).then(resolveStopped);
    });
  }
  // The parent (npm, the shell npm started) died without signalling us, e.g. SIGKILL or a SIGHUP npm does not
  // forward: stop as gracefully as on Ctrl-C.
  const stopWatching = watchLaunchers((pid) => {
    stop(`launching process ${pid} exited`).then(resolveStopped);
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
    return exitCodes.findings;
  }
  const credentials = credentialLines({
    ports,
    secrets,
    demoIdentity,
    canaryWeight,
    prometheus: withPrometheus,
  });
  const credentialsFile = join(dataDir, credentialsFileName);
  writeCredentialsFile(credentialsFile, credentials);
  log('up', 'ready');
  for (const line of credentials) log('up', `  ${line}`);
  log('up', `  (kept in ${credentialsFile}; \`homelab credentials\` prints them again)`);
  await stopped;
  stopWatching();
  log('up', 'stopped');
  return exitCodes.ok;
}

export const up: Command = { summary: 'run the whole platform locally', usage, run: runUp };
