import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The orchestrator's REST shapes the drills read (orchestrator/server/types.go, agent/spec.go). */
export interface OrchNode {
  readonly name: string;
  readonly ip: string;
  readonly agentUrl: string;
  readonly ready: boolean;
}
export interface OrchInstance {
  readonly name: string;
  readonly workload: string;
  readonly node: string;
  readonly ready: boolean;
  readonly state: string;
  readonly created: string;
}
export interface OrchWorkload {
  readonly name: string;
  readonly kind: 'stateless' | 'stateful';
  readonly replicas: number;
}
export interface OrchService {
  readonly name: string;
  readonly address: string;
  readonly endpoints: readonly string[] | null;
}
export interface OrchCondition {
  readonly workload: string;
  readonly message: string;
}
/** One workload as its node's agent reports it (`GET /v1/workloads` on the agent). */
export interface AgentStatus {
  readonly name: string;
  readonly state: string;
  readonly ready: boolean;
  readonly pid?: number;
  readonly restarts: number;
  readonly lastExit?: { readonly code: number; readonly reason: string; readonly oomKilled: boolean };
}

/** One read of the control plane's state, stamped with when it was taken. */
export interface Snapshot {
  readonly at: number;
  readonly nodes: readonly OrchNode[];
  readonly instances: readonly OrchInstance[];
  readonly workloads: readonly OrchWorkload[];
  readonly services: readonly OrchService[];
  readonly conditions: readonly OrchCondition[];
}

const json = async <T>(url: string, init?: RequestInit): Promise<T> => {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${text.trim()}`);
  return (text ? JSON.parse(text) : undefined) as T;
};

/** The control plane's REST API at `url` (loopback, as `orchestrator up` listens). */
export class OrchestratorApi {
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }

  async snapshot(): Promise<Snapshot> {
    const get = <T>(what: string) => json<T[] | null>(`${this.url}/v1/${what}`).then((v) => v ?? []);
    const [nodes, instances, workloads, services, conditions] = await Promise.all([
      get<OrchNode>('nodes'),
      get<OrchInstance>('instances'),
      get<OrchWorkload>('workloads'),
      get<OrchService>('services'),
      get<OrchCondition>('conditions'),
    ]);
    return { at: Date.now(), nodes, instances, workloads, services, conditions };
  }

  /** Fault injection on a cluster started by `orchestrator up` (cluster/faults.go). */
  nodeFault(node: string, action: 'kill-agent' | 'kill' | 'restore'): Promise<void> {
    return json<undefined>(`${this.url}/v1/nodes/${encodeURIComponent(node)}/${action}`, { method: 'POST' });
  }

  /** Every workload's status on one node, from its agent (dial only after `assertOnBridge`). */
  agentStatuses(node: OrchNode): Promise<AgentStatus[]> {
    return json<AgentStatus[] | null>(`${node.agentUrl}/v1/workloads`).then((v) => v ?? []);
  }
}

/**
 * Why the platform is not whole in `s`, or undefined when it is: every workload has its replicas ready on ready
 * nodes and every service as many endpoints (what the orchestrator e2e test waits for).
 */
export function notWhole(s: Snapshot): string | undefined {
  if (s.workloads.length === 0) return 'no workloads';
  const readyNodes = new Set(s.nodes.filter((n) => n.ready).map((n) => n.name));
  for (const w of s.workloads) {
    const ready = s.instances.filter((i) => i.workload === w.name && i.ready && readyNodes.has(i.node)).length;
    if (ready < w.replicas) return `${w.name}: ${ready}/${w.replicas} ready`;
    const service = s.services.find((v) => v.name === w.name);
    if (service && (service.endpoints?.length ?? 0) < w.replicas) {
      return `${w.name}: ${service.endpoints?.length ?? 0}/${w.replicas} endpoints`;
    }
  }
  return undefined;
}

const run = promisify(execFile);

/**
 * Network safety: an address the drill dials must belong to this run's bridge. `ip route get` must route it over
 * the bridge (a node) or deliver it locally, and it must lie in the run's subnet (the host's bridge address, where
 * the service proxies listen). Throws otherwise, before anything is sent.
 */
export async function assertOnBridge(address: string, bridge: string, subnetPrefix: string): Promise<void> {
  const ip = address.replace(/^https?:\/\//, '').replace(/:\d+(\/.*)?$/, '');
  if (!ip.startsWith(`${subnetPrefix}.`)) {
    throw new Error(`${ip} is not in the run's subnet ${subnetPrefix}.0/24: refusing to dial it`);
  }
  const { stdout } = await run('ip', ['route', 'get', ip]);
  const route = stdout.trim();
  if (!route.startsWith('local ') && !new RegExp(`\\bdev ${bridge}\\b`).test(route)) {
    throw new Error(`ip route get ${ip}: "${route}" is neither local nor via bridge ${bridge}: refusing to dial it`);
  }
}
