import { drill, drillUsage } from './commands/drill.ts';
import { up, upUsage } from './commands/up.ts';

/** A subcommand: receives the arguments after its name, resolves to the process exit code. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[]): Promise<number>;
}

/** Later work adds the canary gate, drills and triage here, one entry per subcommand. */
export const commands: Record<string, Command> = {
  up: { summary: 'run the whole platform locally', usage: upUsage, run: up },
  drill: { summary: 'break the platform on purpose, measure, write the postmortem', usage: drillUsage, run: drill },
};

const help = () =>
  `homelab <command> [options]\n\nCommands:\n${Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
    .join('\n')}\n\nRun homelab <command> --help for its options.\n`;

/** Dispatches `argv` (without node and the script) to a subcommand. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    process.stderr.write(`homelab ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}
