import { mkdirSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@homelab/cluster';
import { alreadyActive, type DrillTarget, type Scenario } from '@homelab/drills';
import {
  type Cgroups,
  demoIdentity,
  detectCgroups,
  type LocalPorts,
  type LocalSecrets,
  loadOrCreateSecrets,
  localPorts,
  localScrapeTargets,
  type ProcessSpec,
  platformProcesses,
  prometheusBinary,
  prometheusProcess,
  type Supervisor,
  sharedDatabaseName,
  supervise,
} from '@homelab/local-platform';
import { apps, hashApiKey } from '@homelab/platform';
import { activeAlerts, type LocalDrill, type LocalDrillOptions, type Logged, type Recorded } from './local-drill.ts';
import { inject, localInjections, revert } from './local-injections.ts';
import { cannotObserve, evidence, observe, triage } from './local-signals.ts';
import { send, verify } from './local-traffic.ts';

export type { DrillDependency, LocalDrillOptions } from './local-drill.ts';
export { localInjections } from './local-injections.ts';

/** The machine, for the record: drills measured on 2 shared cores read differently from a quiet laptop. */
export const machineDescription = (): string =>
  `${process.platform}/${process.arch} ${release()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;

/**
 * Scrape and evaluate every second in a drill (the platform default is 5 s): the burn-rate expression needs two
 * scrapes of the new 5xx series before its rate exists, then one evaluation, so at 1 s an alert goes pending within
 * seconds of the fault, inside a drill of under a minute. The alerts' windows and `for` stay the production ones:
 * a fresh TSDB makes the 1h and 5m ratios those of the drill's own traffic, which is what turns the expression true
 * so soon; the `for` (minutes) is why firing is left to `--until-firing`.
 */
export const drillPrometheusIntervalSeconds = 1;

/** A running local platform (api and gateway under the supervisor) that drills can break. */
export interface LocalDrillPlatform extends DrillTarget {
  readonly supervisor: Supervisor;
  /** Prometheus' base URL when it runs. */
  readonly prometheusUrl: string | undefined;
  stop(): Promise<void>;
}

/** Until Prometheus has scraped every target once (up == 1): before that no alert expression can turn true. */
async function waitForScrapes(prometheusUrl: string, targets: number, timeoutMs: number): Promise<void> {
  const query = encodeURIComponent('count(up == 1)');
  await waitFor(
    `Prometheus to scrape all ${targets} targets`,
    async () => {
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${query}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? 0) >= targets ? true : undefined;
    },
    { timeoutMs },
  );
}

/**
 * The processes a local drill runs: api (and its canary), the shared database when there is one, the gateway,
 * and Prometheus with the project's rules when asked; the same specs `homelab up` starts.
 */
async function drillProcesses(options: LocalDrillOptions, secrets: LocalSecrets, ports: LocalPorts) {
  const specs = platformProcesses({
    root: options.root,
    dataDir: options.dataDir,
    secrets,
    demoApiKeyHash: hashApiKey(secrets.demoApiKey),
    demoIdentity,
    portOffset: options.portOffset,
    logLevel: 'warn',
    // A canary drill needs the second api behind the gateway, with no traffic until the gate gives it some.
    ...(options.canary ? { canaryWeight: 0 } : {}),
    ...(options.redis ? { redisUrl: options.redis.url } : {}),
    ...(options.postgres ? { databaseUrl: options.postgres.url } : {}),
  })
    .filter((spec) => ['api', 'api-canary', sharedDatabaseName, apps.gateway.name].includes(spec.name))
    // Own, mutable environments: a bad-config drill changes what the next start gets, as a new ConfigMap would.
    .map((spec): ProcessSpec => ({ ...spec, env: { ...spec.env } }));
  const prometheusUrl = options.prometheus ? `http://127.0.0.1:${ports.prometheus}` : undefined;
  const scrapeTargets = localScrapeTargets(ports, { canary: options.canary === true, web: false });
  if (options.prometheus) {
    specs.push(
      await prometheusProcess({
        dataDir: options.dataDir,
        targets: scrapeTargets,
        port: ports.prometheus,
        intervalSeconds: drillPrometheusIntervalSeconds,
        freshData: true,
      }),
    );
  }
  return { specs, prometheusUrl, scrapeTargets };
}

/** The processes under the supervisor, every line, start and exit recorded for the drill's evidence and signals. */
async function startSupervised(
  specs: readonly ProcessSpec[],
  cgroups: Cgroups,
  log: LocalDrillOptions['log'],
): Promise<Recorded> {
  const logged: Logged[] = [];
  const exits: Recorded['exits'] = [];
  const starts: Recorded['starts'] = [];
  const supervisor = supervise(specs, {
    cgroups,
    // Quick back-off: a drill measures the platform, not a 30 s wait; the doubling is what the crash loop shows.
    initialBackoffMs: 250,
    maxBackoffMs: 4_000,
    log: (name, line) => {
      const at = Date.now();
      logged.push({ at, name, line });
      if (line.startsWith('started (pid')) starts.push({ at, name });
      log?.(name, line);
    },
    onExit: (name, termination) => exits.push({ at: Date.now(), name, termination }),
  });
  await readyOrStopped(supervisor, () => supervisor.waitUntilReady(90_000));
  return { supervisor, logged, exits, starts };
}

/** A platform that never got ready is stopped before the error goes up: nothing is left running. */
async function readyOrStopped(supervisor: Supervisor, ready: () => Promise<void>): Promise<void> {
  try {
    await ready();
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
}

/** One line for the record: the machine, the limits, and what is real (databases, cache, Prometheus). */
function describe(drill: LocalDrill): string {
  const { cgroups, options, prometheusUrl } = drill;
  return `local platform (api, gateway) on ${machineDescription()}; ${
    cgroups.mode === 'none' ? `NO cgroup limits (${cgroups.notice})` : `cgroup ${cgroups.mode} limits per service`
  }; api on ${options.postgres ? 'PostgreSQL' : 'PGlite'}, ${options.redis ? 'Redis' : 'in-memory cache'}; ${
    prometheusUrl
      ? `Prometheus (${prometheusBinary}) with the project's rules, ${drillPrometheusIntervalSeconds} s scrape and evaluation, fresh TSDB (its 1h window holds only this drill's traffic)`
      : 'no Prometheus (alerts not watched)'
  }`;
}

/** What keeps this scenario from running here, given how the platform was started. */
function unsupported(drill: LocalDrill, scenario: Scenario): string[] {
  const { options, cgroups } = drill;
  const failures: string[] = [];
  if (scenario.environment !== 'local') failures.push('a cluster drill cannot run on the local platform');
  const injection = scenario.inject;
  if (injection.kind === 'stop-dependency' && !(injection.dependency === 'redis' ? options.redis : options.postgres)) {
    failures.push(`needs a real ${injection.dependency} (none was started)`);
  }
  if (!localInjections.has(injection.kind)) failures.push(`the local platform cannot inject ${injection.kind} yet`);
  if (injection.kind === 'canary' && !options.canary) failures.push('the platform was started without a canary');
  if (scenario.name === 'oom-kill' && cgroups.mode === 'none') failures.push(`no memory limit: ${cgroups.notice}`);
  return failures;
}

async function notReady(supervisor: Supervisor): Promise<string[]> {
  const failures: string[] = [];
  for (const p of supervisor.processes) {
    const ready = p.spec.readyUrl
      ? await fetch(p.spec.readyUrl).then(
          (r) => r.status === 200,
          () => false,
        )
      : true;
    if (!ready) failures.push(`${p.spec.name} not ready`);
  }
  return failures;
}

async function checkPreconditions(drill: LocalDrill, scenario: Scenario): Promise<string[]> {
  const failures = [...unsupported(drill, scenario), ...(await notReady(drill.supervisor))];
  // An alert still active from an earlier fault would count as this one's: refuse rather than mis-time it.
  if (drill.prometheusUrl && scenario.expect.some((s) => s.kind === 'alert')) {
    failures.push(...alreadyActive(scenario, await activeAlerts(drill)));
  }
  return failures;
}

/** The DrillTarget: each method one step over the running drill. */
function targetOver(drill: LocalDrill): LocalDrillPlatform {
  return {
    supervisor: drill.supervisor,
    prometheusUrl: drill.prometheusUrl,
    description: describe(drill),
    checkPreconditions: (scenario) => checkPreconditions(drill, scenario),
    send: (kind) => send(drill, kind),
    inject: (injection) => inject(drill, injection),
    revert: (injection) => revert(drill, injection),
    cannotObserve: (signal) => cannotObserve(drill, signal),
    observe: (signal, since) => observe(drill, signal, since),
    verify: (invariant, samples) => verify(drill, invariant, samples),
    triage: (check) => triage(drill, check),
    evidence: (since) => evidence(drill, since),
    stop: async () => {
      await drill.rollout;
      await drill.supervisor.stop();
    },
  };
}

/**
 * Starts api and gateway the way `homelab up` does (same process specs, same cgroup limits), waits until they are
 * ready, and returns a DrillTarget that injects faults into them for real: signals to the processes, the service
 * kit's fault endpoint, a bad environment on the next start, a dependency server stopped.
 */
export async function startLocalDrillPlatform(options: LocalDrillOptions): Promise<LocalDrillPlatform> {
  mkdirSync(options.dataDir, { recursive: true });
  const secrets = loadOrCreateSecrets(join(options.dataDir, 'secrets.json'));
  const ports = localPorts(options.portOffset);
  const cgroupPrefix = `homelab-${process.pid}`;
  const cgroups = options.cgroups ?? detectCgroups({ prefix: cgroupPrefix });
  const { specs, prometheusUrl, scrapeTargets } = await drillProcesses(options, secrets, ports);
  const recorded = await startSupervised(specs, cgroups, options.log);
  if (prometheusUrl) {
    await readyOrStopped(recorded.supervisor, () => waitForScrapes(prometheusUrl, scrapeTargets.length, 30_000));
  }
  return targetOver({
    ...recorded,
    options,
    secrets,
    ports,
    cgroups,
    cgroupPrefix,
    specs,
    prometheusUrl,
    gateway: `http://127.0.0.1:${ports.gateway}`,
    acknowledged: [],
    savedEnv: new Map(),
    rollout: undefined,
    rolloutResult: undefined,
  });
}
