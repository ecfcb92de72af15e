/**
 * A subcommand: one file under `src/commands/` exports one of these and `cli.ts` registers it with one line.
 * `run` receives the arguments after the command's name and resolves to an exit code (see `exitCodes`).
 * The dispatcher answers `--help`/`-h` with `usage` before `run` is called, so every command has help.
 */
export interface Command {
  /** One line for `homelab --help`. */
  readonly summary: string;
  /** The full text for `homelab <name> --help`: synopsis, what it does, every option. */
  readonly usage: string;
  run(argv: readonly string[]): Promise<number>;
}
