import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

/** One line of `orchestrator up`'s output: the run's own lines and every workload's, prefixed `node/instance | `. */
export interface UpLine {
  readonly at: number;
  readonly line: string;
}

/** A cluster started by `orchestrator up --platform`: where its API is, its bridge, the gateway's API key. */
export interface OrchestratorUp {
  readonly url: string;
  readonly bridge: string;
  /** The first three octets of the run's /24 (the bridge's subnet). */
  readonly subnetPrefix: string;
  readonly apiKey: string;
  readonly lines: readonly UpLine[];
  /** SIGTERM: `up` tears every namespace, link, cgroup and process of its run down; waits for it. */
  stop(): Promise<void>;
}

// `up: API at http://127.0.0.1:PORT, bridge obXXXXXX (10.214.Y.0/24), 3 nodes` (orchestrator/cli/cli.go).
const apiLine = /^up: API at (http:\/\/127\.0\.0\.1:\d+), bridge (\S+) \((\d+\.\d+\.\d+)\.0\/24\)/;
const keyLine = /^up: platform applied; API key for the gateway: (\S+)/;
/** Lines kept for the evidence, at most. */
const keptLines = 20_000;

/**
 * Starts `orchestrator up --platform root` (three nodes, the platform applied) with its API on a free loopback
 * port, as the operator would. Needs root; the orchestrator checks every address it creates is on its own bridge.
 */
export async function orchestratorUp(options: {
  readonly bin: string;
  readonly root: string;
  readonly log?: (line: string) => void;
  readonly timeoutMs?: number;
}): Promise<OrchestratorUp> {
  const child = spawn(options.bin, ['up', '--platform', options.root, '--listen', '127.0.0.1:0'], {
    cwd: options.root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: UpLine[] = [];
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `orchestrator up exited (${signal ?? `code ${code}`})`;
      resolve();
    }),
  );
  child.once('error', (error) => {
    exited = `orchestrator up: ${error.message}`;
  });
  const found: { url?: string; bridge?: string; subnetPrefix?: string; apiKey?: string } = {};
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push({ at: Date.now(), line });
      if (lines.length > keptLines) lines.splice(0, lines.length - keptLines);
      options.log?.(line);
      const a = apiLine.exec(line);
      if (a) [, found.url, found.bridge, found.subnetPrefix] = a;
      const k = keyLine.exec(line);
      if (k) found.apiKey = k[1];
    });
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 90_000);
    await exit;
    clearTimeout(killed);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (!(found.url && found.bridge && found.subnetPrefix && found.apiKey)) {
    if (exited || Date.now() > deadline) {
      await stop();
      const tail = lines.slice(-15).map((l) => l.line);
      throw new Error(`${exited ?? 'orchestrator up did not report its API and key in time'}:\n${tail.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: found.url,
    bridge: found.bridge,
    subnetPrefix: found.subnetPrefix,
    apiKey: found.apiKey,
    lines,
    stop,
  };
}

/** `orchestrator sweep`: undoes the host changes of runs whose owner died (after a killed `up`). */
export async function sweep(bin: string): Promise<void> {
  await promisify(execFile)(bin, ['sweep']);
}

/** The host's filesystems a leftover check reads; tests point them at a fake tree. */
export interface HostPaths {
  readonly sys: string;
  readonly run: string;
  readonly proc: string;
}

const hostPaths: HostPaths = { sys: '/sys', run: '/run', proc: '/proc' };

const list = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/**
 * What a run of `orchestrator up` (its bridge `ob<run>`) left on the host after it stopped: the bridge, its
 * `orch-<run>-*` network namespaces, its `orchestrator/<run>` cgroups in any hierarchy, its `/run/orchestrator/<run>`
 * directory, and processes whose shim tag (ORCHESTRATOR_OWNER) is the run or one of its nodes. Empty when clean.
 */
export function runLeftovers(bridge: string, paths: HostPaths = hostPaths): string[] {
  if (!/^ob[0-9a-f]{6}$/.test(bridge)) throw new Error(`not an orchestrator bridge name: ${bridge}`);
  const run = bridge.slice(2);
  const out: string[] = [];
  if (existsSync(join(paths.sys, 'class/net', bridge))) out.push(`link ${bridge}`);
  for (const ns of list(join(paths.run, 'netns'))) if (ns.startsWith(`orch-${run}-`)) out.push(`netns ${ns}`);
  for (const hierarchy of list(join(paths.sys, 'fs/cgroup'))) {
    const dir = join(paths.sys, 'fs/cgroup', hierarchy, 'orchestrator', run);
    if (existsSync(dir)) out.push(`cgroup ${dir}`);
  }
  if (existsSync(join(paths.sys, 'fs/cgroup/orchestrator', run)))
    out.push(`cgroup ${join(paths.sys, 'fs/cgroup/orchestrator', run)}`);
  if (existsSync(join(paths.run, 'orchestrator', run))) out.push(`directory ${join(paths.run, 'orchestrator', run)}`);
  const owner = `ORCHESTRATOR_OWNER=orchestrator/${run}`;
  for (const pid of list(paths.proc)) {
    if (!/^\d+$/.test(pid)) continue;
    let env: string;
    try {
      env = readFileSync(join(paths.proc, pid, 'environ'), 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    if (env.split('\0').some((kv) => kv === owner || kv.startsWith(`${owner}/`))) out.push(`process ${pid}`);
  }
  return out;
}
