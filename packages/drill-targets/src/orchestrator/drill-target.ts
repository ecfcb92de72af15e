import type {
  DrillTarget,
  ExpectedSignal,
  Injection,
  Invariant,
  InvariantResult,
  Sample,
  Scenario,
} from '@homelab/drills';
import { type AgentStatus, assertOnBridge, notWhole, OrchestratorApi, type Snapshot } from './orchestrator-api.ts';
import { orchestratorUp, sweep } from './orchestrator-up.ts';

/** The control plane's words for each condition reason the drills name (orchestrator/server/controller.go). */
const conditionText = { 'waiting-for-node': 'waiting for node' } as const;

/** Injections this target carries out. */
export const orchestratorActions: ReadonlySet<string> = new Set(['kill-workload-process', 'kill-agent', 'kill-node']);

export interface OrchestratorDrillOptions {
  /** The `orchestrator` binary (`go build -o .tools/orchestrator ./orchestrator/cmd/orchestrator`). */
  readonly bin: string;
  /** The checkout whose platform runs (facts from packages/platform, the apps, the bootstrapped Node). */
  readonly root: string;
  /** Every output line of `orchestrator up` (the workloads' logs, prefixed node/instance). */
  readonly log?: (line: string) => void;
  /** How long the platform may take to be whole after `up` (the e2e test measured 60-130 s). Default 300 s. */
  readonly readyTimeoutMs?: number;
}

export type OrchestratorDrillTarget = DrillTarget & {
  /** Waits until every workload is ready again (between drills; after a revert). */
  waitWhole(timeoutMs?: number): Promise<void>;
  /** How long the platform took to be whole after `orchestrator up`. */
  readonly startedInMs: number;
  /** The run's bridge (`ob<run>`): what names everything the run put on the host, for the leftover check. */
  readonly bridge: string;
  stop(): Promise<void>;
};

/** What the current run injected, for its revert, its signals and its invariants. */
interface RunState {
  injectedAt: number;
  /** The node the fault hit (kill-agent, kill-node) or the killed instance's node. */
  node?: string;
  /** kill-workload-process: the instance killed and its restart count before. */
  instance?: { name: string; restartsBefore: number; pid: number };
  /** When the mitigation (automatic or the revert) was first seen; the fault window ends after it. */
  mitigatedAt?: number;
  /** The first time the platform was whole after the mitigation: the end of the fault window. */
  wholeAt?: number;
  restored: boolean;
  notes: string[];
}

/** Good reads in a row through the gateway before a drill may start (see waitWhole). */
const settledReads = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failedSample = (s: Sample) => s.status >= 500 || s.status === 0;

/**
 * The platform on the Go orchestrator as a drill target: `orchestrator up --platform` starts three node
 * namespaces with an agent each and PostgreSQL, Redis, api, gateway and web as workloads; load goes to the
 * gateway's service address on the run's bridge; faults go through the orchestrator's REST API (a node's agent
 * or the whole node) or are a real SIGKILL of an instance's process tree; signals are read from the API and the
 * agents. Needs root.
 */
export async function startOrchestratorDrillTarget(
  options: OrchestratorDrillOptions,
): Promise<OrchestratorDrillTarget> {
  const started = Date.now();
  const up = await orchestratorUp({
    bin: options.bin,
    root: options.root,
    ...(options.log ? { log: options.log } : {}),
  });
  const api = new OrchestratorApi(up.url);
  let latest: Snapshot | undefined;
  let run: RunState | undefined;
  let polling = true;
  const refresh = async () => {
    const s = await api.snapshot();
    latest = s;
    if (run?.mitigatedAt !== undefined && run.wholeAt === undefined && s.at >= run.mitigatedAt && !notWhole(s)) {
      run.wholeAt = s.at;
    }
    return s;
  };
  // The fault window's end is when the control plane shows the platform whole after the mitigation: watched here
  // every 250 ms (the controller's own period), not only when the runner asks.
  const poller = (async () => {
    while (polling) {
      await refresh().catch(() => undefined);
      await sleep(250);
    }
  })();
  const stopAll = async () => {
    polling = false;
    await poller;
    await up.stop();
  };

  /**
   * Until the control plane shows the platform whole and, once the gateway is known, that many reads in a row
   * answer 200 through it: on a loaded machine the first requests after a start are slow, and a drill's baseline
   * must be clean.
   */
  const waitWhole = async (timeoutMs = 180_000) => {
    const deadline = Date.now() + timeoutMs;
    let why: string | undefined = 'no state yet';
    let good = 0;
    while (Date.now() < deadline) {
      why = notWhole(await refresh().catch(() => latest ?? ({ workloads: [] } as unknown as Snapshot)));
      if (!why && gatewayUrl === undefined) return;
      if (!why && gatewayUrl !== undefined) {
        const res = await fetch(`${gatewayUrl}/v1/notes?limit=5`, {
          headers,
          signal: AbortSignal.timeout(5_000),
        }).catch((error: Error) => error);
        if (!(res instanceof Error)) await res.arrayBuffer();
        good = !(res instanceof Error) && res.status === 200 ? good + 1 : 0;
        why = res instanceof Error ? `gateway: ${res.message}` : `gateway: HTTP ${res.status}`;
        if (good >= settledReads) return;
        continue;
      }
      good = 0;
      await sleep(500);
    }
    throw new Error(`the platform on the orchestrator is not whole after ${timeoutMs / 1000} s: ${why}`);
  };

  let gateway: string;
  let gatewayUrl: string | undefined;
  const headers = { 'x-api-key': up.apiKey, 'content-type': 'application/json' };
  try {
    await waitWhole(options.readyTimeoutMs ?? 300_000);
    const s = await refresh();
    const address = s.services.find((v) => v.name === 'gateway')?.address;
    if (!address) throw new Error('the orchestrator has no gateway service');
    await assertOnBridge(address, up.bridge, up.subnetPrefix);
    gateway = `http://${address}`;
    gatewayUrl = gateway;
    await waitWhole(options.readyTimeoutMs ?? 300_000);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const startedInMs = Date.now() - started;
  const acknowledged: string[] = [];

  const agentOf = async (node: string) => {
    const n = (latest ?? (await refresh())).nodes.find((x) => x.name === node);
    if (!n) throw new Error(`node ${node} is not registered`);
    await assertOnBridge(n.agentUrl, up.bridge, up.subnetPrefix);
    return n;
  };
  const statusOf = async (node: string, instance: string): Promise<AgentStatus | undefined> =>
    (await api.agentStatuses(await agentOf(node))).find((w) => w.name === instance);
  const nodeOf = (s: Snapshot, workload: string) => s.instances.find((i) => i.workload === workload)?.node;

  /** A node running `app` and not PostgreSQL; one without any stateful workload when there is one. */
  const victimFor = (s: Snapshot, app: string): string => {
    const stateful = new Set(s.workloads.filter((w) => w.kind === 'stateful').map((w) => w.name));
    const onNode = (node: string) => s.instances.filter((i) => i.node === node).map((i) => i.workload);
    const candidates = [...new Set(s.instances.filter((i) => i.workload === app).map((i) => i.node))].filter(
      (n) => !onNode(n).includes('postgres'),
    );
    const best = candidates.find((n) => !onNode(n).some((w) => stateful.has(w))) ?? candidates[0];
    if (!best) throw new Error(`every ${app} instance shares PostgreSQL's node`);
    return best;
  };

  const observeNow = async (signal: ExpectedSignal): Promise<string | undefined> => {
    const s = latest ?? (await refresh());
    const r = run;
    if (!r) return undefined;
    switch (signal.kind) {
      case 'restarts': {
        if (!r.instance || !r.node) return undefined;
        const status = await statusOf(r.node, r.instance.name).catch(() => undefined);
        if (!status || status.restarts - r.instance.restartsBefore < signal.count) return undefined;
        return `agent on ${r.node} restarted ${r.instance.name} (restarts ${r.instance.restartsBefore} -> ${status.restarts}; last exit ${status.lastExit ? `code ${status.lastExit.code}, ${status.lastExit.reason}` : 'unknown'}; now ${status.state}${status.ready ? ', ready' : ''})`;
      }
      case 'instance-moved': {
        const workload = s.workloads.find((w) => w.name === signal.app);
        const readyNodes = new Set(s.nodes.filter((n) => n.ready).map((n) => n.name));
        const moved = s.instances.filter(
          (i) => i.workload === signal.app && i.ready && i.node !== r.node && readyNodes.has(i.node),
        );
        const fresh = moved.filter((i) => Date.parse(i.created) >= r.injectedAt - 1000);
        if (!workload || fresh.length === 0 || moved.length < workload.replicas) return undefined;
        return `${fresh.map((i) => `${i.name} on ${i.node}`).join(', ')} ready; ${moved.length}/${workload.replicas} ${signal.app} instances ready off ${r.node} (node ready: ${s.nodes.find((n) => n.name === r.node)?.ready})`;
      }
      case 'condition': {
        const c = s.conditions.find((x) => x.workload === signal.workload);
        return c?.message.includes(conditionText[signal.reason]) ? `condition ${c.workload}: ${c.message}` : undefined;
      }
      case 'dependency-down': {
        const service = s.services.find((v) => v.name === signal.dependency);
        return service && (service.endpoints?.length ?? 0) === 0
          ? `service ${signal.dependency} (${service.address}) has no ready endpoint`
          : undefined;
      }
      default:
        return undefined;
    }
  };

  return {
    description: `the Go orchestrator (orchestrator up, API ${up.url}): 3 nodes as network namespaces on bridge ${up.bridge} (${up.subnetPrefix}.0/24), an agent each, the platform as workloads; gateway ${gateway}; no Kubernetes`,
    startedInMs,
    bridge: up.bridge,
    waitWhole,

    async checkPreconditions(scenario: Scenario) {
      const failures: string[] = [];
      if (scenario.environment !== 'orchestrator') failures.push(`${scenario.name} is not an orchestrator drill`);
      if (scenario.inject.kind !== 'orchestrator' || !orchestratorActions.has(scenario.inject.action)) {
        failures.push(`the orchestrator target cannot inject ${JSON.stringify(scenario.inject)}`);
      }
      const why = notWhole(await refresh());
      if (why) failures.push(`the platform is not whole: ${why}`);
      return failures;
    },

    async send(kind: Sample['kind']) {
      const t0 = performance.now();
      try {
        const res =
          kind === 'write'
            ? await fetch(`${gateway}/v1/notes`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ title: `drill ${Date.now()}`, body: 'written under an orchestrator drill' }),
                signal: AbortSignal.timeout(5_000),
              })
            : await fetch(`${gateway}/v1/notes?limit=5`, { headers, signal: AbortSignal.timeout(5_000) });
        const text = await res.text();
        if (kind === 'write' && res.status === 201) acknowledged.push((JSON.parse(text) as { id: string }).id);
        return { status: res.status, ms: performance.now() - t0 };
      } catch (error) {
        return { status: 0, ms: performance.now() - t0, error: (error as Error).message };
      }
    },

    async inject(injection: Injection) {
      if (injection.kind !== 'orchestrator') throw new Error(`the orchestrator target cannot inject ${injection.kind}`);
      const s = await refresh();
      run = { injectedAt: Date.now(), restored: false, notes: [] };
      const current = run;
      switch (injection.action) {
        case 'kill-workload-process': {
          const instance = s.instances.find((i) => i.workload === injection.app && i.ready);
          if (!instance) throw new Error(`no ready ${injection.app} instance`);
          const status = await statusOf(instance.node, instance.name);
          if (!status?.pid) throw new Error(`the agent on ${instance.node} reports no pid for ${instance.name}`);
          current.node = instance.node;
          current.instance = { name: instance.name, restartsBefore: status.restarts, pid: status.pid };
          current.injectedAt = Date.now();
          // The shim is pid 1 of the instance's pid namespace: when it dies the kernel kills the whole tree.
          process.kill(status.pid, 'SIGKILL');
          current.notes.push(`SIGKILL to ${instance.name}'s shim (host pid ${status.pid}) on ${instance.node}`);
          return;
        }
        case 'kill-agent': {
          current.node = victimFor(s, injection.app);
          current.injectedAt = Date.now();
          await api.nodeFault(current.node, 'kill-agent');
          current.notes.push(
            `POST /v1/nodes/${current.node}/kill-agent (runs ${s.instances
              .filter((i) => i.node === current.node)
              .map((i) => i.name)
              .join(', ')})`,
          );
          return;
        }
        case 'kill-node': {
          const node = nodeOf(s, injection.dependency);
          if (!node) throw new Error(`${injection.dependency} has no instance`);
          current.node = node;
          current.injectedAt = Date.now();
          await api.nodeFault(node, 'kill');
          current.notes.push(
            `POST /v1/nodes/${node}/kill: power loss of ${node} (runs ${s.instances
              .filter((i) => i.node === node)
              .map((i) => i.name)
              .join(', ')})`,
          );
          return;
        }
      }
    },

    async revert(injection: Injection) {
      const r = run;
      if (injection.kind !== 'orchestrator' || !r?.node || r.restored) return;
      if (injection.action === 'kill-workload-process') return; // the agent's restart is the whole fix
      r.restored = true;
      await api.nodeFault(r.node, 'restore');
      r.mitigatedAt ??= Date.now();
      r.notes.push(`POST /v1/nodes/${r.node}/restore: link up, agent started again (it adopts what still runs)`);
    },

    cannotObserve: (signal: ExpectedSignal) =>
      ['restarts', 'instance-moved', 'condition', 'dependency-down'].includes(signal.kind)
        ? undefined
        : `the orchestrator target does not observe ${signal.kind} (no Prometheus, no kubelet)`,

    async observe(signal: ExpectedSignal) {
      const detail = await observeNow(signal);
      // The runner asks for the automatic mitigation (restart, move) with these two signals.
      if (detail && run && (signal.kind === 'restarts' || signal.kind === 'instance-moved'))
        run.mitigatedAt ??= Date.now();
      return detail;
    },

    async verify(invariant: Invariant, samples: readonly Sample[]): Promise<InvariantResult> {
      if (invariant.kind === 'no-acknowledged-write-lost') {
        await waitWhole();
        const lost: string[] = [];
        for (const id of acknowledged) {
          let status = 0;
          // A 5xx here says nothing about loss (an instance may still be starting): ask again, a 404 is the loss.
          for (let attempt = 0; attempt < 20; attempt++) {
            const res = await fetch(`${gateway}/v1/notes/${id}`, { headers, signal: AbortSignal.timeout(5_000) }).catch(
              () => undefined,
            );
            status = res?.status ?? 0;
            await res?.arrayBuffer();
            if (status === 200 || status === 404) break;
            await sleep(500);
          }
          if (status !== 200) lost.push(`${id} (HTTP ${status})`);
        }
        return {
          invariant,
          held: lost.length === 0 && acknowledged.length > 0,
          detail: `${acknowledged.length} writes acknowledged, ${lost.length} missing afterwards${lost.length ? `: ${lost.slice(0, 3).join(', ')}` : ''}`,
        };
      }
      if (invariant.kind === 'no-server-errors-beyond-fault') {
        const r = run;
        if (!r) return { invariant, held: false, detail: 'nothing was injected' };
        if (r.wholeAt === undefined) {
          return { invariant, held: false, detail: 'the platform was never seen whole after the mitigation' };
        }
        const end = r.wholeAt;
        // A request in flight when the fault hit belongs to the fault: only one answered before it counts as before.
        const before = (x: Sample) => x.at + x.ms < r.injectedAt;
        const failures = samples.filter(failedSample);
        const outside = failures.filter((x) => before(x) || x.at > end);
        const inside = failures.filter((x) => !before(x) && x.at <= end);
        const kinds = new Map<string, number>();
        for (const x of inside) {
          const kind = x.status === 0 ? (x.error ?? 'no answer') : `HTTP ${x.status}`;
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        }
        const breakdown = [...kinds].map(([k, n]) => `${n} × ${k}`).join(', ');
        const first = outside[0];
        return {
          invariant,
          held: outside.length === 0,
          detail: `fault window ${((end - r.injectedAt) / 1000).toFixed(1)} s (injection to the platform whole after the mitigation): ${inside.length} failed inside${breakdown ? ` (${breakdown})` : ''}, ${outside.length} outside${first ? ` (first: ${first.error ?? `HTTP ${first.status}`} sent at ${((first.at - r.injectedAt) / 1000).toFixed(1)} s)` : ''}`,
        };
      }
      return { invariant, held: false, detail: `${invariant.kind} is not checkable on the orchestrator target` };
    },

    // packages/triage reads Kubernetes and the host; it has no orchestrator check. The orchestrator's own account
    // of what is wrong is its conditions, so those are what this target reports.
    async triage(check) {
      const s = await refresh().catch(() => latest);
      const conditions = (s?.conditions ?? []).map((c) => `${c.workload}: ${c.message}`);
      return `homelab triage ${check} does not run here (it reads Kubernetes and the host, not the orchestrator); the orchestrator's conditions now: ${conditions.length ? conditions.join('; ') : 'none'}`;
    },

    evidence(since: number) {
      const lines = up.lines
        // The orchestrator's own lines (agents' exit reports, the controller, `up`), not the apps' request logs.
        .filter((l) => l.at >= since && /^(up|cluster|controller): |\bagent: /.test(l.line))
        .slice(-40)
        .map((l) => `${new Date(l.at).toISOString().slice(11, 23)} ${l.line}`.slice(0, 300));
      return [...(run?.notes ?? []), ...lines];
    },

    stop: async () => {
      await stopAll();
      // A run whose `up` had to be SIGKILLed leaves its host changes recorded: undo them now.
      await sweep(options.bin).catch(() => undefined);
    },
  };
}
