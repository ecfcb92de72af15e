import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { pathDirs } from './env.ts';
import type { HostnameFact } from './preflight-checks.ts';

/** Everything the preflight asks of the machine it runs on; tests replace it. */
export interface HostProbe {
  resolve(hostnames: readonly string[]): Promise<HostnameFact[]>;
  onPath(commands: readonly string[]): Promise<Record<string, boolean>>;
  dockerAnswers(): Promise<boolean>;
  readable(path: string): Promise<boolean>;
  nodeAddress(): string | undefined;
  /** Something accepts TCP connections on this port of the machine. */
  listening(port: number): Promise<boolean>;
  /** `kind get clusters` lists this cluster. */
  kindClusterExists(name: string): Promise<boolean>;
}

/**
 * Interfaces that are never the address a browser on the LAN uses: Docker's and kind's bridges, CNI and
 * overlay devices, VPN tunnels.
 */
const virtualInterface = /^(docker|br-|veth|cni|flannel|cali|vxlan|kube|tun|tap|wg|virbr|lxc|tailscale|zt)/;

/** The first non-internal IPv4 of a physical-looking interface: the address to point hostnames at. */
export function pickNodeAddress(
  interfaces: Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>,
): string | undefined {
  for (const [name, infos] of Object.entries(interfaces)) {
    if (virtualInterface.test(name)) continue;
    const found = (infos ?? []).find((info) => info.family === 'IPv4' && !info.internal);
    if (found) return found.address;
  }
  return undefined;
}

const resolveOne = async (hostname: string): Promise<HostnameFact> => {
  try {
    const results = await lookup(hostname, { all: true });
    return { hostname, addresses: results.map((r) => r.address) };
  } catch (error) {
    return { hostname, addresses: [], error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
};

const executable = async (path: string) => {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The real machine: the system resolver (so /etc/hosts counts, as it will for the browser), PATH, docker. */
export const hostProbe: HostProbe = {
  resolve: (hostnames) => Promise.all(hostnames.map(resolveOne)),
  async onPath(commands) {
    const dirs = pathDirs();
    const entries = await Promise.all(
      commands.map(async (command) => {
        for (const dir of dirs) if (await executable(join(dir, command))) return [command, true] as const;
        return [command, false] as const;
      }),
    );
    return Object.fromEntries(entries);
  },
  dockerAnswers: () =>
    new Promise((resolve) => execFile('docker', ['info'], { timeout: 15_000 }, (error) => resolve(!error))),
  async readable(path) {
    try {
      await access(path, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  },
  nodeAddress: () => pickNodeAddress(networkInterfaces()),
  // A connect, not a bind: binding ports below 1024 needs root, connecting does not.
  listening: (port) =>
    new Promise((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port, timeout: 1_000 });
      const done = (answer: boolean) => {
        socket.destroy();
        resolve(answer);
      };
      socket.once('connect', () => done(true));
      socket.once('timeout', () => done(false));
      socket.once('error', () => done(false));
    }),
  kindClusterExists: (name) =>
    new Promise((resolve) =>
      execFile('kind', ['get', 'clusters'], { timeout: 15_000 }, (error, stdout) =>
        resolve(!error && stdout.split('\n').some((line) => line.trim() === name)),
      ),
    ),
};
