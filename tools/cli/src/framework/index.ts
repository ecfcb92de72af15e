// What a command file imports. Commands import this, never `../index.ts`, which imports every command back.
export type { Command } from './command.ts';
export { type ExitCode, exitCodes, UsageError } from './exit-codes.ts';
export { integerFlag, jsonFlag, type NumberRange, numberFlag, parseFlags } from './flags.ts';
export { type Output, printData, processOutput, renderTable } from './output.ts';
