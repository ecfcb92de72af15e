import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { gateConfigFor, type RolloutResult, runRollout, wire } from '@homelab/canary-gate';
import { waitFor } from '@homelab/cluster';
import type {
  ActiveAlert,
  DrillTarget,
  ExpectedSignal,
  Injection,
  Invariant,
  InvariantResult,
  Sample,
  Scenario,
} from '@homelab/drills';
import { alreadyActive, confirmWithTriage, matchingAlert, signalMatches } from '@homelab/drills';
import type { Termination } from '@homelab/local-platform';
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
import { type AppName, apps, hashApiKey, http } from '@homelab/platform';

/** The machine, for the record: drills measured on 2 shared cores read differently from a quiet laptop. */
export const machineDescription = (): string =>
  `${process.platform}/${process.arch} ${release()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;

const evidencePattern =
  /^(started|exited)|invalid configuration|"level":"(fatal|error)"|fault injection settings changed|rolled back|promot|stage/;

/** What the local platform can inject; a drill with another injection is defined but not runnable here. */
export const localInjections: ReadonlySet<Injection['kind']> = new Set([
  'kill-process',
  'fault',
  'bad-config',
  'stop-dependency',
  'canary',
]);

/** A dependency the drill may take away, with how to do it (a throwaway server from @homelab/test-servers). */
export interface DrillDependency {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface LocalDrillOptions {
  /** The repository root (where apps/ lives). */
  readonly root: string;
  readonly dataDir: string;
  readonly portOffset: number;
  readonly redis?: DrillDependency;
  readonly postgres?: DrillDependency;
  /** Start the api canary too (weight 0), for the bad-canary drill. */
  readonly canary?: boolean;
  /**
   * Start Debian's Prometheus with the project's rules, scraping api and gateway, so the drill watches the real
   * burn-rate alerts go pending (and firing). Default false; needs /usr/bin/prometheus.
   */
  readonly prometheus?: boolean;
  /** Default: detected (see cgroups.ts). */
  readonly cgroups?: Cgroups;
  /** Every supervisor line, for progress. */
  readonly log?: (name: string, line: string) => void;
}

interface Logged {
  readonly at: number;
  readonly name: string;
  readonly line: string;
}

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

const probe = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });

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
): Promise<{
  supervisor: Supervisor;
  logged: Logged[];
  exits: { at: number; name: string; termination: Termination }[];
  starts: { at: number; name: string }[];
}> {
  const logged: Logged[] = [];
  const exits: { at: number; name: string; termination: Termination }[] = [];
  const starts: { at: number; name: string }[] = [];
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
  try {
    await supervisor.waitUntilReady(90_000);
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
  return { supervisor, logged, exits, starts };
}

/**
 * The real gate, as `homelab deploy` runs it locally, against the canary the drill just broke: scraping both
 * versions, shifting the gateway's weights. Resolves with the result, or undefined when the gate itself failed
 * (logged).
 */
function startBadCanaryRollout(
  injection: Extract<Injection, { kind: 'canary' }>,
  context: {
    gateway: string;
    adminToken: string;
    ports: LocalPorts;
    stateFile: string;
    log: (line: string) => void;
  },
): Promise<RolloutResult | undefined> {
  const config = gateConfigFor(injection.app, { stages: [{ weight: injection.weight, deadlineSeconds: 40 }] });
  const metrics = (port: number) => [`http://127.0.0.1:${port}${http.paths.metrics}`];
  const { source, driver } = wire(
    injection.app,
    {
      kind: 'local',
      gatewayUrl: context.gateway,
      adminToken: context.adminToken,
      stableMetrics: metrics(context.ports.api),
      canaryMetrics: metrics(context.ports.canaryApi),
      stateFile: context.stateFile,
    },
    config.latencyThresholdSeconds,
  );
  return runRollout({
    app: injection.app,
    image: 'drill/bad-canary',
    config,
    source,
    driver,
    evaluationSeconds: 1,
    onEvent: context.log,
  }).catch((error: Error) => {
    context.log(`failed: ${error.message}`);
    return undefined;
  });
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
  const envOf = (app: AppName) => specs.find((s) => s.name === app)?.env as Record<string, string>;
  const savedEnv = new Map<string, string | undefined>();

  const { supervisor, logged, exits, starts } = await startSupervised(specs, cgroups, options.log);
  try {
    if (prometheusUrl) await waitForScrapes(prometheusUrl, scrapeTargets.length, 30_000);
  } catch (error) {
    await supervisor.stop();
    throw error;
  }

  const gateway = `http://127.0.0.1:${ports.gateway}`;
  let rollout: Promise<void> | undefined;
  let rolloutResult: RolloutResult | undefined;
  const acknowledged: string[] = [];
  const pidOf = (app: AppName) => supervisor.processes.find((p) => p.spec.name === app)?.pid;
  const adminFaults = async (app: AppName | 'api-canary', method: 'PUT' | 'DELETE', body?: unknown) => {
    const port = app === 'api-canary' ? ports.canaryApi : app === apps.api.name ? ports.api : ports.gateway;
    const res = await fetch(`http://127.0.0.1:${port}/admin/faults`, {
      method,
      headers: { authorization: `Bearer ${secrets.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(3_000),
    });
    await res.arrayBuffer();
    if (!res.ok && method === 'PUT') throw new Error(`PUT /admin/faults on ${app}: HTTP ${res.status}`);
  };
  const dependency = (name: 'redis' | 'postgres') => {
    const d = name === 'redis' ? options.redis : options.postgres;
    if (!d) throw new Error(`no ${name} to stop: start the drill with a real ${name}`);
    return d;
  };

  const activeAlerts = async (): Promise<ActiveAlert[]> => {
    if (!prometheusUrl) return [];
    const res = await fetch(`${prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) throw new Error(`Prometheus /api/v1/alerts: HTTP ${res.status}`);
    return ((await res.json()) as { data: { alerts: ActiveAlert[] } }).data.alerts;
  };

  const target: LocalDrillPlatform = {
    supervisor,
    prometheusUrl,
    description: `local platform (api, gateway) on ${machineDescription()}; ${
      cgroups.mode === 'none' ? `NO cgroup limits (${cgroups.notice})` : `cgroup ${cgroups.mode} limits per service`
    }; api on ${options.postgres ? 'PostgreSQL' : 'PGlite'}, ${options.redis ? 'Redis' : 'in-memory cache'}; ${
      prometheusUrl
        ? `Prometheus (${prometheusBinary}) with the project's rules, ${drillPrometheusIntervalSeconds} s scrape and evaluation, fresh TSDB (its 1h window holds only this drill's traffic)`
        : 'no Prometheus (alerts not watched)'
    }`,

    async checkPreconditions(scenario: Scenario) {
      const failures: string[] = [];
      if (scenario.environment !== 'local') failures.push('a cluster drill cannot run on the local platform');
      const inject = scenario.inject;
      if (inject.kind === 'stop-dependency' && !(inject.dependency === 'redis' ? options.redis : options.postgres)) {
        failures.push(`needs a real ${inject.dependency} (none was started)`);
      }
      if (!localInjections.has(inject.kind)) failures.push(`the local platform cannot inject ${inject.kind} yet`);
      if (inject.kind === 'canary' && !options.canary) failures.push('the platform was started without a canary');
      if (scenario.name === 'oom-kill' && cgroups.mode === 'none') failures.push(`no memory limit: ${cgroups.notice}`);
      for (const p of supervisor.processes) {
        const ready = p.spec.readyUrl
          ? await fetch(p.spec.readyUrl).then(
              (r) => r.status === 200,
              () => false,
            )
          : true;
        if (!ready) failures.push(`${p.spec.name} not ready`);
      }
      // An alert still active from an earlier fault would count as this one's: refuse rather than mis-time it.
      if (prometheusUrl && scenario.expect.some((s) => s.kind === 'alert')) {
        failures.push(...alreadyActive(scenario, await activeAlerts()));
      }
      return failures;
    },

    async send(kind: Sample['kind']) {
      const started = performance.now();
      try {
        const res =
          kind === 'write'
            ? await fetch(`${gateway}/v1/notes`, {
                method: 'POST',
                headers: { 'x-api-key': secrets.demoApiKey, 'content-type': 'application/json' },
                body: JSON.stringify({ title: `drill ${Date.now()}`, body: 'written under a drill' }),
                signal: AbortSignal.timeout(5_000),
              })
            : await fetch(`${gateway}/v1/notes?limit=5`, {
                headers: { 'x-api-key': secrets.demoApiKey },
                signal: AbortSignal.timeout(5_000),
              });
        const text = await res.text();
        if (kind === 'write' && res.status === 201) acknowledged.push((JSON.parse(text) as { id: string }).id);
        return { status: res.status, ms: performance.now() - started };
      } catch (error) {
        return { status: 0, ms: performance.now() - started, error: (error as Error).message };
      }
    },

    async inject(injection: Injection) {
      switch (injection.kind) {
        case 'kill-process': {
          const pid = pidOf(injection.app);
          if (!pid) throw new Error(`${injection.app} is not running`);
          process.kill(pid, injection.signal);
          return;
        }
        case 'fault':
          return adminFaults(injection.app, 'PUT', injection.settings);
        case 'bad-config': {
          const env = envOf(injection.app);
          for (const [key, value] of Object.entries(injection.env)) {
            savedEnv.set(key, env[key]);
            env[key] = value;
          }
          // A rollout: the running process goes (it drains on SIGTERM), the next start reads the bad config.
          const pid = pidOf(injection.app);
          if (pid) process.kill(pid, 'SIGTERM');
          return;
        }
        case 'stop-dependency':
          return dependency(injection.dependency).stop();
        case 'canary': {
          if (!options.canary) throw new Error('the platform was started without a canary');
          await adminFaults('api-canary', 'PUT', injection.settings);
          rollout = startBadCanaryRollout(injection, {
            gateway,
            adminToken: secrets.adminToken,
            ports,
            stateFile: join(options.dataDir, 'drill-canary-rollout.json'),
            log: (line) => logged.push({ at: Date.now(), name: 'canary-gate', line }),
          }).then((result) => {
            rolloutResult = result;
          });
          return;
        }
        default:
          throw new Error(`the local platform cannot inject ${injection.kind}`);
      }
    },

    async revert(injection: Injection) {
      switch (injection.kind) {
        case 'fault':
          // The process may be mid-restart (an OOM kill clears the fault by itself): best effort.
          await adminFaults(injection.app, 'DELETE').catch(() => undefined);
          return;
        case 'bad-config': {
          const env = envOf(injection.app);
          for (const [key, value] of savedEnv) {
            if (value === undefined) delete env[key];
            else env[key] = value;
          }
          savedEnv.clear();
          return;
        }
        case 'stop-dependency':
          return dependency(injection.dependency).start();
        case 'canary':
          await adminFaults('api-canary', 'DELETE').catch(() => undefined);
          return;
        default:
          return;
      }
    },

    cannotObserve(signal: ExpectedSignal) {
      if (signal.kind === 'alert' && !prometheusUrl) return 'no Prometheus in this drill run (--prometheus starts it)';
      if (signal.kind === 'certificate-expiring') return 'no TLS listener in this target';
      return undefined;
    },

    async observe(signal: ExpectedSignal, since: number) {
      switch (signal.kind) {
        case 'termination': {
          const exit = exits.find(
            (e) => e.at >= since && e.name === signal.app && e.termination.reason === signal.reason,
          );
          return exit ? `supervisor: ${exit.name} ${exit.termination.message}` : undefined;
        }
        case 'restarts': {
          const count = starts.filter((s) => s.at >= since && s.name === signal.app).length;
          return count >= signal.count ? `${signal.app} started ${count} times since the injection` : undefined;
        }
        case 'triage': {
          // Only findings about this supervisor's own cgroups count: the machine may have other OOM kills.
          const matches = signalMatches(signal);
          const verdict = await confirmWithTriage(
            signal.check,
            {},
            (f) => f.subject.includes(cgroupPrefix) && matches(f),
          );
          return verdict.findings.length > 0 ? `homelab triage ${signal.check}: ${verdict.summary}` : undefined;
        }
        case 'alert': {
          const alert = matchingAlert(signal, await activeAlerts(), since);
          if (!alert) return undefined;
          // The labels the signal does not name already (severity, slo, component): the selector precedes this.
          const labels = Object.entries(alert.labels)
            .filter(([k]) => k !== 'alertname' && signal.labels?.[k] === undefined)
            .map(([k, v]) => `${k}=${v}`);
          const active = ((Date.parse(alert.activeAt) - since) / 1000).toFixed(1);
          return `Prometheus: ${alert.state} since +${active} s, value ${Number(alert.value).toPrecision(3)} (${labels.join(' ')})`;
        }
        case 'canary-rolled-back':
          return rolloutResult?.outcome === 'rolled-back'
            ? `canary gate: rolled back (${rolloutResult.reason}): ${rolloutResult.detail}`
            : undefined;
        case 'dependency-down': {
          const port = dependency(signal.dependency).port;
          return (await probe(port)) ? undefined : `${signal.dependency} refuses connections on port ${port}`;
        }
        default:
          return undefined;
      }
    },

    async verify(invariant: Invariant, samples: readonly Sample[]): Promise<InvariantResult> {
      if (invariant.kind === 'no-server-errors') {
        const errors = samples.filter((s) => s.status >= 500 || s.status === 0);
        return {
          invariant,
          held: errors.length === 0,
          detail: `${errors.length} of ${samples.length} requests answered 5xx or not at all`,
        };
      }
      if (invariant.kind === 'no-acknowledged-write-lost') {
        const lost: string[] = [];
        for (const id of acknowledged) {
          const res = await fetch(`${gateway}/v1/notes/${id}`, { headers: { 'x-api-key': secrets.demoApiKey } });
          await res.arrayBuffer();
          if (res.status !== 200) lost.push(`${id} (HTTP ${res.status})`);
        }
        return {
          invariant,
          held: lost.length === 0,
          detail: `${acknowledged.length} writes acknowledged, ${lost.length} missing afterwards${lost.length ? `: ${lost.slice(0, 3).join(', ')}` : ''}`,
        };
      }
      return { invariant, held: false, detail: 'not checkable on this target' };
    },

    // mem is scoped to this supervisor's cgroups (a shared machine has other OOM kills); the others see the host.
    triage: async (check) =>
      (await confirmWithTriage(check, {}, check === 'mem' ? (f) => f.subject.includes(cgroupPrefix) : undefined))
        .summary,

    evidence(since: number) {
      return (
        logged
          // The supervisor's own lines, start-up failures and fatal logs; not the per-request warnings, which the
          // timeline already counts.
          .filter((l) => l.at >= since && evidencePattern.test(l.line))
          .map((l) => `${new Date(l.at).toISOString().slice(11, 23)} ${l.name}: ${l.line}`.slice(0, 300))
      );
    },

    stop: async () => {
      await rollout;
      await supervisor.stop();
    },
  };
  return target;
}
