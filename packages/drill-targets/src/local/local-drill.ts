import type { RolloutResult } from '@homelab/canary-gate';
import type { ActiveAlert } from '@homelab/drills';
import type { Cgroups, LocalPorts, LocalSecrets, ProcessSpec, Supervisor, Termination } from '@homelab/local-platform';
import { type AppName, apps } from '@homelab/platform';

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

export interface Logged {
  readonly at: number;
  readonly name: string;
  readonly line: string;
}

/** What the supervisor reported while the drill ran: every line, every start and every exit, timed. */
export interface Recorded {
  readonly supervisor: Supervisor;
  readonly logged: Logged[];
  readonly exits: { at: number; name: string; termination: Termination }[];
  readonly starts: { at: number; name: string }[];
}

/**
 * One running local drill platform: what the target's steps (injections, signals, traffic) share. The specs are
 * the very objects the supervisor starts from, so a bad-config drill's change reaches the next start.
 */
export interface LocalDrill extends Recorded {
  readonly options: LocalDrillOptions;
  readonly secrets: LocalSecrets;
  readonly ports: LocalPorts;
  readonly cgroups: Cgroups;
  /** Names this run's cgroups: triage's memory findings about other processes on the machine do not count. */
  readonly cgroupPrefix: string;
  readonly specs: readonly ProcessSpec[];
  /** Prometheus' base URL when it runs. */
  readonly prometheusUrl: string | undefined;
  /** The gateway's base URL, where the drill's load goes. */
  readonly gateway: string;
  /** The ids of the writes answered 201: each must still be readable afterwards. */
  readonly acknowledged: string[];
  /** The variables a bad-config drill overwrote, with their values before, for its revert. */
  readonly savedEnv: Map<string, string | undefined>;
  /** The canary gate's rollout a bad-canary drill started, and how it ended. */
  rollout: Promise<void> | undefined;
  rolloutResult: RolloutResult | undefined;
}

export const pidOf = (drill: LocalDrill, app: AppName) =>
  drill.supervisor.processes.find((p) => p.spec.name === app)?.pid;

export const envOf = (drill: LocalDrill, app: AppName) =>
  drill.specs.find((s) => s.name === app)?.env as Record<string, string>;

export const dependency = (drill: LocalDrill, name: 'redis' | 'postgres') => {
  const d = name === 'redis' ? drill.options.redis : drill.options.postgres;
  if (!d) throw new Error(`no ${name} to stop: start the drill with a real ${name}`);
  return d;
};

/** The service kit's fault endpoint on one process: PUT sets the fault settings, DELETE clears them. */
export async function adminFaults(
  drill: LocalDrill,
  app: AppName | 'api-canary',
  method: 'PUT' | 'DELETE',
  body?: unknown,
): Promise<void> {
  const { ports } = drill;
  const port = app === 'api-canary' ? ports.canaryApi : app === apps.api.name ? ports.api : ports.gateway;
  const res = await fetch(`http://127.0.0.1:${port}/admin/faults`, {
    method,
    headers: { authorization: `Bearer ${drill.secrets.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(3_000),
  });
  await res.arrayBuffer();
  if (!res.ok && method === 'PUT') throw new Error(`PUT /admin/faults on ${app}: HTTP ${res.status}`);
}

/** Prometheus' pending and firing alerts; none when it does not run. */
export async function activeAlerts(drill: LocalDrill): Promise<ActiveAlert[]> {
  if (!drill.prometheusUrl) return [];
  const res = await fetch(`${drill.prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`Prometheus /api/v1/alerts: HTTP ${res.status}`);
  return ((await res.json()) as { data: { alerts: ActiveAlert[] } }).data.alerts;
}
