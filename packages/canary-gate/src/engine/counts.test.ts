import { describe, expect, it } from 'vitest';
import { counterIncrement, counterTracker, increments, versionIncrement } from './counts.ts';

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
    expect(increments({ canary: before, stable: undefined }, { canary: after, stable: undefined }).canary).toEqual({
      requests: 14,
      errors: 1,
      slow: 0,
    });
    // A process that appeared since the last reading (a new pod): everything it counted is new.
    const withNew = { ...after, c: { requests: 7, errors: 0, slow: 1 } };
    expect(
      increments({ canary: before, stable: undefined }, { canary: withNew, stable: undefined }).canary.requests,
    ).toBe(21);
  });

  it('does not count the history of a process that was missing from one scrape again (issue 18)', () => {
    const tracker = counterTracker();
    const reading = (a: number, b: number | undefined) => ({
      canary: {
        a: { requests: a, errors: 0, slow: 0 },
        ...(b === undefined ? {} : { b: { requests: b, errors: 1, slow: 0 } }),
      },
      stable: { s: { requests: 10 * a, errors: 0, slow: 0 } },
    });
    tracker.next(reading(100, 100)); // baseline
    expect(tracker.next(reading(110, 110)).canary.requests).toBe(20);
    // b is missing from this scrape: only a's 10 count, and b's 110 are not forgotten ...
    expect(tracker.next(reading(120, undefined)).canary.requests).toBe(10);
    // ... so when b is back, only what it counted since its last seen value (110 -> 130) is new, not all 130.
    expect(tracker.next(reading(130, 130)).canary).toEqual({ requests: 30, errors: 0, slow: 0 });
    // A failed read adds nothing and loses nothing.
    expect(tracker.next(undefined).canary.requests).toBe(0);
    expect(tracker.next(reading(140, 140)).canary.requests).toBe(20);
    // b restarted while it was missing: its counter went down, so its new value is all new.
    tracker.next(reading(150, undefined));
    expect(tracker.next(reading(160, 5)).canary.requests).toBe(10 + 5);
  });

  it('takes the first reading as the baseline, whatever the processes had counted before the rollout', () => {
    const tracker = counterTracker();
    expect(
      tracker.next({ canary: { a: { requests: 50, errors: 2, slow: 1 } }, stable: undefined }).canary.requests,
    ).toBe(0);
    // A canary process first seen after the baseline started during the rollout: all of it is new.
    expect(
      tracker.next({
        canary: { a: { requests: 50, errors: 2, slow: 1 }, b: { requests: 8, errors: 0, slow: 0 } },
        stable: undefined,
      }).canary.requests,
    ).toBe(8);
  });
});
