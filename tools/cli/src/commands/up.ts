import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { goApiBinary } from '@homelab/api-go';
import {
  type Cgroups,
  credentialLines,
  credentialsCommandLine,
  credentialsFileName,
  demoIdentity,
  detectCgroups,
  formatLogLine,
  type LocalPorts,
  type LocalSecrets,
  loadOrCreateSecrets,
  localPorts,
  localScrapeTargets,
  type ProcessSpec,
  platformProcesses,
  prefixFor,
  prometheusBinary,
  prometheusProcess,
  type Supervisor,
  sharedDatabaseName,
  supervise,
  takenPorts,
  type WantedPort,
  watchLaunchers,
  writeCredentialsFile,
} from '@homelab/local-platform';
import { type ApiImplementation, apps, hashApiKey, local, parseApiImplementation } from '@homelab/platform';
import { type Command, exitCodes, integerFlag, parseFlags } from '../framework/index.ts';

const usage = `homelab up [options]

Runs api, gateway and web locally (embedded PGlite, in-memory cache and limiter), waits until all are ready,
prints the URLs and streams their logs. Ctrl-C (or SIGTERM, SIGHUP, or this process' parent exiting) stops
everything gracefully. Data is kept in --data-dir; the URLs and credentials are kept in <data-dir>/credentials
(\`${credentialsCommandLine}\` prints them). Refuses to start when a port is taken, naming the process holding it.

Options:
  --database-url <url>   use this PostgreSQL instead of embedded PGlite
  --redis-url <url>      use this Redis for the API cache and the gateway's rate limiter
  --canary               start a second API as a canary behind the gateway (10 % of traffic); both APIs share
                         one database (without --database-url: embedded PGlite served on port ${local.sharedDatabasePort})
  --canary-weight <n>    the canary's share in percent (implies --canary); change it later with
                         PUT /admin/upstreams/notes on the gateway
  --api-impl <ts|go>     the notes API implementation (default ts); go is built with \`go build\` (cached) and
                         runs on PostgreSQL (--database-url, else the shared embedded one)
  --canary-impl <ts|go>  the canary's implementation (implies --canary; default: the stable one's)
  --prometheus           start /usr/bin/prometheus scraping everything with the project's rules
  --data-dir <dir>       default ${local.dataDir} (relative to the repository root)
  --port-offset <n>      add n to every port (run beside another instance)
  --no-color             plain log prefixes
`;

/** What `homelab up` was asked for, every flag checked before anything starts. */
interface UpOptions {
  readonly dataDir: string;
  /** `--data-dir` as given (undefined: the default), for the banner's `homelab credentials` line. */
  readonly dataDirFlag: string | undefined;
  readonly portOffset: number;
  readonly apiImplementation: ApiImplementation;
  readonly canaryImplementation: ApiImplementation | undefined;
  /** Undefined: no canary. */
  readonly canaryWeight: number | undefined;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly prometheus: boolean;
  readonly colour: boolean;
}

type Log = (name: string, line: string) => void;

/** The repository root: tools/cli/src/commands -> ../../../.. */
const repositoryRoot = resolve(import.meta.dirname, '../../../..');

/** The process names in log-prefix colour order; `up` is this process' own lines. */
const logNames = ['up', sharedDatabaseName, 'api', 'api-canary', 'gateway', 'web', 'prometheus'];

function parseUpFlags(argv: readonly string[]): UpOptions {
  const { values } = parseFlags(argv, {
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
    canary: { type: 'boolean' },
    'canary-weight': { type: 'string' },
    'api-impl': { type: 'string' },
    'canary-impl': { type: 'string' },
    prometheus: { type: 'boolean' },
    'data-dir': { type: 'string' },
    'port-offset': { type: 'string' },
    'no-color': { type: 'boolean' },
  });
  const portOffset = integerFlag(values['port-offset'], 'port-offset', 0);
  const apiImplementation = parseApiImplementation(values['api-impl'] ?? 'ts');
  const canaryImplementation = values['canary-impl'] ? parseApiImplementation(values['canary-impl']) : undefined;
  const canaryWeight =
    values.canary || values['canary-weight'] || canaryImplementation
      ? integerFlag(values['canary-weight'], 'canary-weight', 10, 0, 100)
      : undefined;
  return {
    dataDir: resolve(repositoryRoot, values['data-dir'] ?? local.dataDir),
    dataDirFlag: values['data-dir'],
    portOffset,
    apiImplementation,
    canaryImplementation,
    canaryWeight,
    databaseUrl: values['database-url'],
    redisUrl: values['redis-url'],
    prometheus: values.prometheus === true,
    colour: !values['no-color'] && process.stdout.isTTY === true,
  };
}

/** Every line on stdout with a prefix naming its process (coloured per process on a terminal). */
function prefixedLog(colour: boolean): Log {
  const width = 'prometheus'.length;
  return (name, line) => {
    process.stdout.write(`${prefixFor(name, logNames.indexOf(name), width, colour)}${formatLogLine(line)}\n`);
  };
}

/** The processes to start: the platform's, plus Prometheus when asked for and installed. */
async function planProcesses(
  options: UpOptions,
  secrets: LocalSecrets,
  ports: LocalPorts,
  log: Log,
): Promise<{ processes: ProcessSpec[]; withPrometheus: boolean }> {
  const { dataDir, canaryWeight, apiImplementation, canaryImplementation } = options;
  const withPrometheus = options.prometheus && existsSync(prometheusBinary);
  if (options.prometheus && !withPrometheus) log('up', `${prometheusBinary} not found: starting without Prometheus`);
  const processes = platformProcesses({
    root: repositoryRoot,
    dataDir,
    secrets,
    demoApiKeyHash: hashApiKey(secrets.demoApiKey),
    demoIdentity,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(canaryWeight !== undefined ? { canaryWeight } : {}),
    apiImplementation,
    ...(canaryImplementation ? { canaryImplementation } : {}),
    ...(apiImplementation === 'go' || canaryImplementation === 'go' ? { goApiBinary: await goApiBinary() } : {}),
    ...(withPrometheus ? { prometheusUrl: `http://127.0.0.1:${ports.prometheus}` } : {}),
    portOffset: options.portOffset,
  });
  if (withPrometheus) {
    const targets = localScrapeTargets(ports, { canary: canaryWeight !== undefined, web: true });
    processes.push(await prometheusProcess({ dataDir, targets, port: ports.prometheus }));
  }
  return { processes, withPrometheus };
}

/** The ports the planned processes listen on. */
function wantedPorts(
  processes: readonly ProcessSpec[],
  ports: LocalPorts,
  { canary, withPrometheus }: { canary: boolean; withPrometheus: boolean },
): WantedPort[] {
  return [
    ...(processes.some((p) => p.name === sharedDatabaseName)
      ? [{ name: sharedDatabaseName, port: ports.sharedDatabase }]
      : []),
    { name: 'api', port: ports.api },
    ...(canary ? [{ name: 'api-canary', port: ports.canaryApi }] : []),
    { name: 'gateway', port: ports.gateway },
    { name: 'web', port: ports.web },
    ...(withPrometheus ? [{ name: 'prometheus', port: ports.prometheus }] : []),
  ];
}

/** Whether every wanted port is free; else logs who holds each taken one. */
async function portsAreFree(wanted: readonly WantedPort[], log: Log): Promise<boolean> {
  const taken = await takenPorts(wanted);
  for (const problem of taken) log('up', problem);
  if (taken.length > 0) log('up', 'not starting: stop those processes, or run beside them with --port-offset <n>');
  return taken.length === 0;
}

/** Each app in its own cgroup with its Kubernetes memory limit and CPU request, so a leak is OOMKilled here too. */
function limitsForServices(options: UpOptions, log: Log): Cgroups {
  const cgroups = detectCgroups();
  log('up', cgroups.notice ?? `cgroup ${cgroups.mode}: each service limited to its Kubernetes memory limit`);
  if (!options.databaseUrl && options.canaryWeight === undefined && cgroups.mode !== 'none') {
    log(
      'up',
      `api runs PGlite in-process: no memory limit for it (give --database-url for the ${apps.api.resources.memoryLimit} container limit)`,
    );
  }
  return cgroups;
}

/** Starts the processes; should this process exit without stopping them, they are taken along. */
function startPlatform(processes: readonly ProcessSpec[], log: Log, cgroups: Cgroups): Supervisor {
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
  return supervisor;
}

interface StopSignals {
  /** Stops the tree once, whoever asks (a signal, a dead launcher, a failed start); later calls get the same. */
  stop(reason: string): Promise<void>;
  /** Whether a stop has begun. */
  readonly stopping: boolean;
  /** Resolves once a signal or the launcher's exit stopped everything. */
  readonly stopped: Promise<void>;
  /** Stops watching the launching processes. */
  unwatch(): void;
}

/** Ctrl-C, SIGTERM, SIGHUP or the launching process' exit stop the platform gracefully. */
function stopOnSignals(supervisor: Supervisor, log: Log): StopSignals {
  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    if (stopping) return stopping;
    log('up', `${reason}: stopping gracefully`);
    stopping = supervisor.stop();
    return stopping;
  };
  const { promise: stopped, resolve: resolveStopped } = Promise.withResolvers<void>();
  // SIGHUP: the terminal closed. Each stops the tree once; a repeated signal does not cut the drain short.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      stop(signal).then(resolveStopped);
    });
  }
  // The parent (npm, the shell npm started) died without signalling us, e.g. SIGKILL or a SIGHUP npm does not
  // forward: stop as gracefully as on Ctrl-C.
  const unwatch = watchLaunchers((pid) => {
    stop(`launching process ${pid} exited`).then(resolveStopped);
  });
  return {
    stop,
    get stopping() {
      return stopping !== undefined;
    },
    stopped,
    unwatch,
  };
}

/** The URLs and credentials: printed, and kept in the data directory for `homelab credentials`. */
function printBanner(
  options: UpOptions,
  facts: { ports: LocalPorts; secrets: LocalSecrets; withPrometheus: boolean },
  log: Log,
) {
  const credentials = credentialLines({
    ports: facts.ports,
    secrets: facts.secrets,
    demoIdentity,
    canaryWeight: options.canaryWeight,
    prometheus: facts.withPrometheus,
  });
  const credentialsFile = join(options.dataDir, credentialsFileName);
  writeCredentialsFile(credentialsFile, credentials);
  log('up', 'ready');
  for (const line of credentials) log('up', `  ${line}`);
  // The default data directory needs no flag; another one is named, so the printed command reads the same file.
  const dataDirFlag = options.dataDirFlag === undefined ? '' : ` --data-dir ${options.dataDirFlag}`;
  log('up', `  (kept in ${credentialsFile}; \`${credentialsCommandLine}${dataDirFlag}\` prints them again)`);
}

/** `homelab up`: resolves once everything stopped again (after SIGINT/SIGTERM); the exit code to use. */
async function runUp(argv: readonly string[]): Promise<number> {
  const options = parseUpFlags(argv);
  mkdirSync(options.dataDir, { recursive: true });
  const secrets = loadOrCreateSecrets(join(options.dataDir, 'secrets.json'));
  const ports = localPorts(options.portOffset);
  const log = prefixedLog(options.colour);
  const { processes, withPrometheus } = await planProcesses(options, secrets, ports, log);
  const wanted = wantedPorts(processes, ports, { canary: options.canaryWeight !== undefined, withPrometheus });
  if (!(await portsAreFree(wanted, log))) return exitCodes.findings;

  log('up', `starting ${processes.map((p) => p.name).join(', ')} (data in ${options.dataDir})`);
  const supervisor = startPlatform(processes, log, limitsForServices(options, log));
  const signals = stopOnSignals(supervisor, log);
  try {
    await supervisor.waitUntilReady(120_000);
  } catch (error) {
    // A signal during start-up is a normal stop, not a failure.
    if (signals.stopping) {
      await signals.stopped;
      return exitCodes.ok;
    }
    log('up', `${(error as Error).message}; stopping`);
    await signals.stop('not ready');
    return exitCodes.findings;
  }
  printBanner(options, { ports, secrets, withPrometheus }, log);
  await signals.stopped;
  signals.unwatch();
  log('up', 'stopped');
  return exitCodes.ok;
}

export const up: Command = { summary: 'run the whole platform locally', usage, run: runUp };
