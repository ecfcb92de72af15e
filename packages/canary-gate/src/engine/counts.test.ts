import { describe, expect, it } from 'vitest';
import { counterIncrement, increments, readingIncrement, versionIncrement } from './counts.ts';

describe('counter increments', () => {
  it('takes differences of cumulative counters', () => {
    expect(versionIncrement({ requests: 10, errors: 1, slow: 2 }, { requests: 25, errors: 3, slow: 2 })).toEqual({
      requests: 15,
      errors: 2,
      slow: 0,
    });
  });

  it('reads a counter that went down as a restart: the new value is what happened since', () => {
    expect(counterIncrement(100, 7)).toBe(7);
    // One counter reset means the process restarted: all three restart, so errors never exceed requests.
    expect(versionIncrement({ requests: 500, errors: 2, slow: 9 }, { requests: 40, errors: 5, slow: 1 })).toEqual({
      requests: 40,
      errors: 5,
      slow: 1,
    });
  });

  it('adds nothing for a missing series instead of failing or counting it as bad', () => {
    expect(increments(undefined, { canary: { a: { requests: 5, errors: 5, slow: 0 } }, stable: undefined })).toEqual({
      canary: { requests: 0, errors: 0, slow: 0 },
      stable: { requests: 0, errors: 0, slow: 0 },
    });
    expect(versionIncrement({ requests: 5, errors: 0, slow: 0 }, undefined).requests).toBe(0);
  });

  it('rounds extrapolated values and never lets bad events exceed requests', () => {
    expect(counterIncrement(10, 12.6)).toBe(3);
    expect(counterIncrement(10, Number.NaN)).toBe(0);
    expect(versionIncrement({ requests: 0, errors: 0, slow: 0 }, { requests: 2, errors: 3, slow: 0 }).errors).toBe(2);
  });

  it('differences each process on its own, so one pod restarting does not recount the others', () => {
    const before = { a: { requests: 1000, errors: 1, slow: 3 }, b: { requests: 900, errors: 0, slow: 2 } };
    const after = { a: { requests: 1010, errors: 1, slow: 3 }, b: { requests: 4, errors: 1, slow: 0 } };
    expect(readingIncrement(before, after)).toEqual({ requests: 14, errors: 1, slow: 0 });
    // A process that appeared since the last reading (a new pod): everything it counted is new.
    expect(readingIncrement(before, { ...after, c: { requests: 7, errors: 0, slow: 1 } }).requests).toBe(21);
  });
});
