import { cluster } from './commands/cluster.ts';
import { credentialsCommand } from './commands/credentials.ts';
import { deploy } from './commands/deploy.ts';
import { drill } from './commands/drill.ts';
import { hashPassword } from './commands/hash-password.ts';
import { triage } from './commands/triage.ts';
import { up } from './commands/up.ts';
import type { Command } from './framework/command.ts';
import { dispatch } from './framework/dispatch.ts';

export type { Command } from './framework/command.ts';

/** One line per subcommand; each lives in `commands/<name>.ts`. */
export const commands: Record<string, Command> = {
  up,
  deploy,
  cluster,
  triage,
  credentials: credentialsCommand,
  'hash-password': hashPassword,
  drill,
};

/** Dispatches `argv` (without node and the script) to a subcommand; resolves to the exit code. */
export function runCli(argv: readonly string[]): Promise<number> {
  return dispatch('homelab', 'Operate the homelab platform.', commands, argv);
}
