import { describe, expect, it } from 'vitest';
import { UsageError } from './exit-codes.ts';
import { integerFlag, numberFlag, parseFlags } from './flags.ts';

describe('integerFlag', () => {
  it('takes the fallback when absent and rejects what is not a whole number in range', () => {
    expect(integerFlag(undefined, 'n', 7)).toBe(7);
    expect(integerFlag(undefined, 'n', undefined)).toBeUndefined();
    expect(integerFlag('12', 'n', 7, 0, 100)).toBe(12);
    expect(() => integerFlag('1.5', 'n', 7)).toThrow('--n must be a whole number >= 0, not "1.5"');
    expect(() => integerFlag('101', 'n', 7, 0, 100)).toThrow('from 0 to 100');
    expect(() => integerFlag('0', 'nodes', undefined, 1)).toThrow('--nodes must be a whole number >= 1, not "0"');
  });

  it('treats an empty, padded or non-decimal value as a typo, not as 0 or a number', () => {
    for (const value of ['', ' 7', 'seven', 'Infinity', 'NaN']) {
      expect(() => integerFlag(value, 'n', 7)).toThrow(UsageError);
    }
  });
});

describe('numberFlag', () => {
  it('accepts fractions when asked, with a strict lower bound for durations', () => {
    expect(numberFlag('0.5', 'stage-deadline', undefined, { whole: false, above: 0 })).toBe(0.5);
    expect(() => numberFlag('0', 'stage-deadline', undefined, { whole: false, above: 0 })).toThrow(
      '--stage-deadline must be a number > 0, not "0"',
    );
    expect(numberFlag('0', 'baseline', undefined, { whole: false })).toBe(0);
    expect(() => numberFlag('-1', 'baseline', undefined, { whole: false })).toThrow(
      '--baseline must be a number >= 0, not "-1"',
    );
  });
});

describe('parseFlags', () => {
  it('turns an unknown flag or a missing value into a UsageError naming the flag', () => {
    expect(() => parseFlags(['--nope'], { n: { type: 'string' } })).toThrow(/Unknown option '--nope'/);
    expect(() => parseFlags(['--n'], { n: { type: 'string' } })).toThrow(UsageError);
    expect(() => parseFlags(['extra'], { n: { type: 'string' } })).toThrow(UsageError);
    expect(parseFlags(['extra'], {}, { positionals: true }).positionals).toEqual(['extra']);
  });
});
