import { CommanderError, Command as Program } from 'commander';
import type { Command } from './command.ts';
import { exitCodes, UsageError } from './exit-codes.ts';
import { type Output, processOutput } from './output.ts';

/** `--help`/`-h` anywhere asks for the command's usage (Commander has already consumed a `--`). */
const wantsHelp = (argv: readonly string[]) => argv.some((a) => a === '--help' || a === '-h');

/**
 * Dispatches `argv` (without node and the script) to one of `commands`. Commander owns the top level: the command
 * list in `--help`, "did you mean" for a typo, exit 2 for an unknown command. Each command parses its own flags
 * (`parseFlags`), so a command file depends on nothing but `Command`. Exit codes: see `exitCodes`.
 */
export async function dispatch(
  name: string,
  description: string,
  commands: Readonly<Record<string, Command>>,
  argv: readonly string[],
  output: Output = processOutput,
): Promise<number> {
  let code: number = exitCodes.ok;
  const program = new Program(name)
    .description(description)
    .usage('<command> [options]')
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError()
    .helpCommand(false)
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .addHelpText(
      'after',
      `\nRun ${name} <command> --help for a command's options.\nExit codes: 0 ok, 1 findings or failure, 2 usage, 3 not running (status).`,
    );
  for (const [commandName, command] of Object.entries(commands)) {
    program
      .command(commandName)
      .summary(command.summary)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .action(async (_options: unknown, self: Program) => {
        code = await runCommand(name, commandName, command, self.args, output);
      });
  }
  if (argv.length === 0) {
    output.err(program.helpInformation());
    return exitCodes.usage;
  }
  // `homelab help <command>` is `homelab <command> --help`: the command's own usage, not one Commander generates.
  const args = argv[0] === 'help' ? (argv[1] ? [argv[1], '--help'] : ['--help']) : argv;
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    throw error;
  }
}

async function runCommand(cli: string, name: string, command: Command, args: readonly string[], output: Output) {
  if (wantsHelp(args)) {
    output.out(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return exitCodes.ok;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`${cli} ${name}: ${error.message}\n\n${command.usage}`);
      return exitCodes.usage;
    }
    output.err(`${cli} ${name}: ${(error as Error).message}\n`);
    return exitCodes.findings;
  }
}
