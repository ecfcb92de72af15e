import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repositoryRoot = resolve(import.meta.dirname, '../../../..');

/** pid -> parent pid of every process, from /proc/<pid>/stat (the field after the parenthesised command). */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  return parents;
}

/** Every live descendant of `root` (children, their children, ...). */
function descendants(root: number): number[] {
  const parents = parentsByPid();
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined; // gone
  }
};
/** A zombie has exited; only its parent has yet to reap it. */
const running = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

interface Started {
  readonly top: ChildProcess;
  readonly output: string[];
}

/** `npm start` as a user runs it, in its own process group so that only the signal under test reaches it. */
async function npmStart(dataDir: string, portOffset: number): Promise<Started> {
  const top = spawn('npm', ['start', '--', '--data-dir', dataDir, '--port-offset', String(portOffset), '--no-color'], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  const onData = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  top.stdout?.on('data', onData);
  top.stderr?.on('data', onData);
  // Generous: PGlite's first start takes minutes on a loaded 2-core machine; this waits, it asserts nothing.
  const deadline = Date.now() + 300_000;
  while (!output.some((line) => /\| ready$/.test(line))) {
    if (top.exitCode !== null) throw new Error(`npm start exited early:\n${output.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready:\n${output.slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { top, output };
}

/** The `homelab up` process under npm -> (sh ->) bash -> node. */
const upProcess = (top: number) =>
  descendants(top).find((pid) => / tools\/cli\/src\/main\.ts up /.test(commandOf(pid) ?? '')) as number;

// How the top of the tree goes away. Each must take every service (and the orphan guard) with it. (SIGINT takes
// npm's forwarding path, as SIGTERM does; a terminal's Ctrl-C reaches the whole foreground group anyway.)
const cases: { name: string; kill: (started: Started) => void }[] = [
  { name: 'SIGTERM to npm', kill: ({ top }) => process.kill(top.pid as number, 'SIGTERM') },
  { name: 'SIGHUP to npm', kill: ({ top }) => process.kill(top.pid as number, 'SIGHUP') },
  { name: 'SIGKILL to npm (the parent dies)', kill: ({ top }) => process.kill(top.pid as number, 'SIGKILL') },
  { name: 'SIGKILL to homelab up itself', kill: ({ top }) => process.kill(upProcess(top.pid as number), 'SIGKILL') },
];

describe('npm start stops its whole process tree', () => {
  const dataDirs: string[] = [];
  const leftovers: number[] = [];
  afterAll(() => {
    for (const pid of leftovers) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases)(
    '$name: no process of the tree survives',
    async ({ kill }) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'homelab-tree-'));
      dataDirs.push(dataDir);
      const portOffset = 21_000 + Math.floor(Math.random() * 400) * 20;
      const started = await npmStart(dataDir, portOffset);
      const tree = descendants(started.top.pid as number);
      leftovers.push(started.top.pid as number, ...tree);
      const commands = tree.map(commandOf).join('\n');
      // The tree really holds the services, or the test would prove nothing.
      for (const service of ['apps/api/src/main.ts', 'apps/gateway/src/main.ts', 'apps/web/src/main.ts']) {
        expect(commands).toContain(service);
      }
      kill(started);
      // Waiting is not the assertion: the drain takes seconds; what must hold is that nothing is left after it.
      const deadline = Date.now() + 60_000;
      while (tree.some(running) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      const survivors = tree.filter(running).map((pid) => `${pid} ${commandOf(pid)}`);
      expect(survivors, started.output.slice(-20).join('\n')).toEqual([]);
    },
    200_000,
  );
});
