import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { chooseKubeconfig, Kube } from '@homelab/cluster';
import {
  type DrillRecord,
  postmortemFileName,
  type RunOptions,
  renderPostmortem,
  runDrill,
  type Scenario,
} from '@homelab/drills';
import {
  type PostgresServer,
  postgresAvailable,
  type RedisServer,
  redisAvailable,
  startPostgres,
  startRedis,
} from '@homelab/test-servers';
import { clusterActions, clusterDrillTarget, realNodeMaxFaultSeconds } from '../cluster/drill-target.ts';
import { orchestratorActions } from '../orchestrator/drill-target.ts';
import { localInjections, startLocalDrillPlatform } from './drill-platform.ts';

export interface DrillSessionOptions {
  readonly root: string;
  readonly dataDir: string;
  readonly portOffset: number;
  /** Where the postmortem draft goes; undefined: none written. */
  readonly postmortemDir: string | undefined;
  /** Blind: the scenario is not named, the player answers on stdin. */
  readonly blind: boolean;
  /** Cluster drills: `--kubeconfig`; default: chosen by `chooseKubeconfig`. */
  readonly kubeconfig?: string | undefined;
  /** Progress lines (stderr for people; nothing with --json). */
  readonly progress: (line: string) => void;
  /** Start Prometheus beside api and gateway, so `alert` signals are watched (local process drills only). */
  readonly prometheus?: boolean;
  /** The runner's longest hold of a fault before reverting it (see RunOptions); `--until-firing` raises it. */
  readonly maxFaultSeconds?: number;
  /** Orchestrator drills: the `orchestrator` binary that runs `up --platform` (needs root). */
  readonly orchestratorBin?: string;
}

export interface DrillSession {
  readonly record: DrillRecord;
  readonly postmortemPath: string | undefined;
}

/**
 * Whether a target exists for the scenario: the process platform, the TLS listener, the kwok cluster, or the Go
 * orchestrator.
 */
export const canRunLocally = (scenario: Scenario): boolean => {
  switch (scenario.environment) {
    case 'local':
      return localInjections.has(scenario.inject.kind) || scenario.inject.kind === 'expire-certificate';
    case 'cluster':
      return scenario.inject.kind === 'kubernetes' && clusterActions.has(scenario.inject.action);
    case 'orchestrator':
      return scenario.inject.kind === 'orchestrator' && orchestratorActions.has(scenario.inject.action);
  }
};

const runOptionsFor = (scenario: Scenario, options: DrillSessionOptions): RunOptions => ({
  onEvent: (e) => options.progress(`${new Date(e.at).toISOString().slice(11, 23)} ${e.kind}: ${e.detail}`),
  ...(options.maxFaultSeconds ? { maxFaultSeconds: options.maxFaultSeconds } : {}),
  ...(options.blind ? { askDiagnosis: () => askOnStdin(scenario) } : {}),
});

function writePostmortem(scenario: Scenario, record: DrillRecord, options: DrillSessionOptions): DrillSession {
  if (!options.postmortemDir) return { record, postmortemPath: undefined };
  mkdirSync(options.postmortemDir, { recursive: true });
  const postmortemPath = join(options.postmortemDir, postmortemFileName(record));
  writeFileSync(postmortemPath, renderPostmortem(scenario, record));
  return { record, postmortemPath };
}

/**
 * One drill on a fresh local platform: throwaway real Redis and PostgreSQL (when the machine has them), api and
 * gateway under the supervisor, the run, the postmortem draft; everything stopped again afterwards.
 */
export async function runLocalDrillSession(scenario: Scenario, options: DrillSessionOptions): Promise<DrillSession> {
  if (scenario.environment === 'cluster') {
    // The cluster `homelab cluster up` started, or the user's (--kubeconfig, $KUBECONFIG, ~/.kube/config); the
    // drill works in a namespace of its own.
    const { path: kubeconfig, source } = chooseKubeconfig({ flag: options.kubeconfig });
    options.progress(`kubeconfig ${kubeconfig} (${source})`);
    const kube = await Kube.fromFile(kubeconfig);
    const target = await clusterDrillTarget(kube, kubeconfig);
    try {
      options.progress(target.description);
      const slow = target.realNodes > 0 && !options.maxFaultSeconds;
      if (slow) options.progress(`real nodes: the fault may take up to ${realNodeMaxFaultSeconds} s to show`);
      const runOptions = runOptionsFor(
        scenario,
        slow ? { ...options, maxFaultSeconds: realNodeMaxFaultSeconds } : options,
      );
      return writePostmortem(scenario, await runDrill(scenario, target, runOptions), options);
    } finally {
      await target.stop();
      await kube.close();
    }
  }
  if (scenario.environment === 'orchestrator') {
    // Loaded only for these drills; `orchestrator up --platform` starts the whole platform on 3 node namespaces.
    const { startOrchestratorDrillTarget } = await import('../orchestrator/drill-target.ts');
    if (!options.orchestratorBin) throw new Error('orchestrator drills need the orchestrator binary');
    options.progress(`orchestrator up --platform (${options.orchestratorBin}): the platform on 3 nodes, 1-3 min…`);
    const target = await startOrchestratorDrillTarget({ bin: options.orchestratorBin, root: options.root });
    try {
      options.progress(`${target.description}; whole after ${(target.startedInMs / 1000).toFixed(1)} s`);
      return writePostmortem(scenario, await runDrill(scenario, target, runOptionsFor(scenario, options)), options);
    } finally {
      await target.stop();
    }
  }
  if (scenario.inject.kind === 'expire-certificate') {
    // Loaded only for this drill: the certificate library is heavy and nothing else in the CLI needs it.
    const { startTlsDrillTarget } = await import('./tls-drill-target.ts');
    const tls = await startTlsDrillTarget();
    try {
      options.progress(tls.description);
      return writePostmortem(scenario, await runDrill(scenario, tls, runOptionsFor(scenario, options)), options);
    } finally {
      await tls.stop();
    }
  }
  let redis: RedisServer | undefined;
  let postgres: PostgresServer | undefined;
  if (redisAvailable()) redis = await startRedis();
  else options.progress('redis-server not installed: the api and gateway use their in-memory fallbacks');
  if (postgresAvailable()) postgres = await startPostgres();
  else options.progress('PostgreSQL not installed: the api uses PGlite (no memory limit for it)');
  const pg = postgres;
  options.progress(`starting api and gateway${options.prometheus ? ' and Prometheus' : ''}…`);
  const platform = await startLocalDrillPlatform({
    root: options.root,
    dataDir: options.dataDir,
    portOffset: options.portOffset,
    ...(scenario.inject.kind === 'canary' ? { canary: true } : {}),
    ...(options.prometheus ? { prometheus: true } : {}),
    ...(redis ? { redis } : {}),
    ...(pg ? { postgres: { url: pg.url, port: pg.port, stop: () => pg.stop('fast'), start: () => pg.start() } } : {}),
  });
  let record: DrillRecord;
  try {
    options.progress(`${platform.description}`);
    record = await runDrill(scenario, platform, runOptionsFor(scenario, options));
  } finally {
    await platform.stop();
    await redis?.stop();
    await postgres?.destroy();
  }
  return writePostmortem(scenario, record, options);
}

/** The blind game's prompt: the symptom only, then the player's diagnosis from stdin. */
async function askOnStdin(scenario: Scenario): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    process.stderr.write(
      `\nSYMPTOM: ${scenario.symptom}\nDiagnose it (homelab triage <check>, runbooks/), then type what is wrong.\n`,
    );
    return (await rl.question('your diagnosis> ')).trim();
  } finally {
    rl.close();
  }
}
