import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a host command; throws with its stderr. */
export const sh = (cmd: string, args: readonly string[], input?: string): string => {
  try {
    return execFileSync(cmd, [...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
};

/** Exit status of a host command, for probes. */
export const ok = (cmd: string, args: readonly string[]): boolean =>
  spawnSync(cmd, [...args], { stdio: 'ignore' }).status === 0;

/** Bash single-quoting, for the undo journal. */
export const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Every host change the run makes is written here FIRST, as the shell line that undoes it, then made. Teardown runs
 * the lines newest first (`undo.sh`), and so does the guardian process when the run dies without a teardown (killed,
 * crashed): links, iptables chains and rules, mounts, sysctls, routes and processes come back to what they were.
 */
export class UndoJournal {
  readonly file: string;
  constructor(dir: string) {
    this.file = join(dir, 'undo.journal');
    if (!existsSync(this.file)) writeFileSync(this.file, '');
  }

  /** Records how to undo the change about to be made. */
  record(line: string): void {
    appendFileSync(this.file, `${line}\n`);
  }

  lines(): string[] {
    return readFileSync(this.file, 'utf8').split('\n').filter(Boolean);
  }
}

/**
 * Network safety: an address may be bound or dialed only when this machine delivers it locally or to one of the
 * run's own links (`ip route get` says `local` or `dev <ours>`). Anything else would be routed off the machine.
 */
export const routeOf = (address: string): string => sh('ip', ['route', 'get', address]).trim();

export const assertLocal = (address: string, ownLinks: readonly string[]): void => {
  const route = routeOf(address);
  const local = route.startsWith('local ');
  const dev = / dev (\S+)/.exec(route)?.[1];
  if (!local && !(dev && ownLinks.includes(dev))) {
    throw new Error(`refusing ${address}: it is not local to this machine (ip route get: ${route})`);
  }
};

/** Before taking a range: nothing on this machine may route it yet (only the default route may match). */
export const assertUnused = (address: string): void => {
  const routes = sh('ip', ['-o', 'route', 'show', 'match', address]).trim().split('\n').filter(Boolean);
  const local = sh('ip', ['-o', 'route', 'show', 'table', 'local', 'match', address]).trim();
  const taken = routes.filter((r) => !r.startsWith('default '));
  if (taken.length || local.includes(` ${address} `)) {
    throw new Error(
      `refusing ${address}: already routed on this machine (${[...taken, local].filter(Boolean).join('; ')})`,
    );
  }
};
