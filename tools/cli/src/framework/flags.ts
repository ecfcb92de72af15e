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

/** The values a number flag accepts; `min` and `max` are inclusive unless `above` (a strict lower bound) is set. */
export interface NumberRange {
  /** Default 0. */
  readonly min?: number;
  /** Default none. */
  readonly max?: number;
  /** A strict lower bound instead of `min`, for "any positive number" (a duration). Default none. */
  readonly above?: number;
  /** Whole numbers only. Default true. */
  readonly whole?: boolean;
}

/**
 * The CLI's one parser of a number flag: `fallback` when the flag is absent (undefined: optional), else a number in
 * `range` or a `UsageError` (exit 2) that names the flag, the accepted range and the value given.
 */
export function numberFlag<F extends number | undefined>(
  value: string | undefined,
  flag: string,
  fallback: F,
  { min = 0, max = Number.MAX_SAFE_INTEGER, above, whole = true }: NumberRange = {},
): number | F {
  if (value === undefined) return fallback;
  // Number('') is 0 and Number(' 7') is 7: an empty or padded value is a typo, not a number.
  const n = value.trim() === value && value !== '' ? Number(value) : Number.NaN;
  const inRange = above === undefined ? n >= min : n > above;
  if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || !inRange || n > max) {
    const lower = above === undefined ? `>= ${min}` : `> ${above}`;
    const range = max === Number.MAX_SAFE_INTEGER ? lower : `from ${min} to ${max}`;
    throw new UsageError(`--${flag} must be a ${whole ? 'whole number' : 'number'} ${range}, not "${value}"`);
  }
  return n;
}

/** A flag that must be a whole number in [min, max]; `fallback` when the flag is absent (undefined: optional). */
export function integerFlag<F extends number | undefined>(
  value: string | undefined,
  flag: string,
  fallback: F,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | F {
  return numberFlag(value, flag, fallback, { min, max });
}
