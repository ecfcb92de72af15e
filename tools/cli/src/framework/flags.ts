import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit-codes.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags every data-printing command shares; spread into a command's options. */
export const jsonFlag = { json: { type: 'boolean' } } as const satisfies Options;

/**
 * `util.parseArgs` in strict mode for a command's own flags. An unknown or malformed flag becomes a `UsageError`
 * (exit 2) rather than a stack trace. `--help` never reaches here: the dispatcher answers it first.
 */
export function parseFlags<const O extends Options>(
  argv: readonly string[],
  options: O,
  { positionals = false }: { readonly positionals?: boolean } = {},
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: positionals, strict: true });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message);
    throw error;
  }
}

/** A flag that must be a whole number in [min, max]; `fallback` when the flag is absent (undefined: optional). */
export function integerFlag<F extends number | undefined>(
  value: string | undefined,
  flag: string,
  fallback: F,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | F {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${flag} must be a whole number ${range}, not "${value}"`);
  }
  return n;
}
