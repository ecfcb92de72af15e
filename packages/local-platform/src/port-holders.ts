import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port the local platform wants, with the service that wants it. */
export interface WantedPort {
  readonly name: string;
  readonly port: number;
}

/** Who holds a port, as far as /proc tells this user. */
export interface PortHolder {
  readonly pid: number;
  readonly command: string;
}

/** True when nothing can bind `host:port` because something else already does (EADDRINUSE). */
export function portTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(true);
      else reject(error);
    });
    // exclusive: a cluster primary's shared handle must not make a taken port look free.
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Inodes of the sockets listening on `port` (any address, IPv4 and IPv6), from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // `sl local_address rem_address st ... inode`: local_address is HEXIP:HEXPORT, st 0A is LISTEN.
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const local = columns[1];
      if (!local || columns[3] !== '0A') continue;
      if (Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && columns[9]) inodes.add(columns[9]);
    }
  }
  return inodes;
}

/**
 * The processes holding a listening socket on `port`: the socket inodes from /proc/net, then every /proc/<pid>/fd
 * that links to one of them. Processes of other users cannot be inspected without privileges and are missing.
 */
export function portHolders(port: number): PortHolder[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  const holders: PortHolder[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        return target.startsWith('socket:[') && inodes.has(target.slice(8, -1));
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = '?';
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      // exited meanwhile
    }
    holders.push({ pid: Number(entry), command });
  }
  return holders;
}

/**
 * One message per wanted port that is already taken, naming the port, the service that wanted it and the
 * process(es) holding it, so `homelab up` can refuse to start instead of announcing "ready" while its children
 * crash-loop on EADDRINUSE. Empty when every port is free.
 */
export async function takenPorts(wanted: readonly WantedPort[], host = '127.0.0.1'): Promise<string[]> {
  const problems: string[] = [];
  for (const { name, port } of wanted) {
    if (!(await portTaken(port, host))) continue;
    const holders = portHolders(port);
    const who =
      holders.length > 0
        ? holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ')
        : 'a process this user cannot inspect';
    problems.push(`port ${port} (${name}) is taken by ${who}`);
  }
  return problems;
}
