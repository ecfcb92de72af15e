import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BreakerState, type CircuitBreaker, createCircuitBreaker, type Verdict } from './circuit-breaker.ts';
import { createRetryBudget } from './retry-budget.ts';

/** One attempt through the breaker with the given upstream answer; `undefined` when the breaker refused it. */
const send = async (breaker: CircuitBreaker, identity: string, status: number, verdictOf?: Verdict) => {
  let reached = false;
  const result = await breaker.run(
    identity,
    async () => {
      reached = true;
      return status;
    },
    (s) => verdictOf ?? (s >= 500 ? 'failure' : 'success'),
  );
  return typeof result === 'number' ? { reached, status: result } : { reached, open: result };
};
const sendMany = async (breaker: CircuitBreaker, identity: string, status: number, n: number) => {
  for (let i = 0; i < n; i++) await send(breaker, identity, status);
};

describe('circuit breaker (cockatiel, rolling window, per-identity share)', () => {
  let states: BreakerState[];
  let breaker: CircuitBreaker;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    states = [];
    breaker = createCircuitBreaker({ openMs: 500, onStateChange: (s) => states.push(s) });
  });
  afterEach(() => vi.useRealTimers());

  it('does not open on a handful of consecutive failures below the minimum volume (issue 9: five 500s opened it)', async () => {
    for (const identity of ['a', 'b', 'c', 'd', 'e']) await sendMany(breaker, identity, 500, 3);
    expect(breaker.state).toBe('closed');
  });

  it('opens on a 5xx ratio over the minimum volume from several identities, then refuses without a call', async () => {
    for (const identity of ['a', 'b', 'c', 'd', 'e', 'f']) await sendMany(breaker, identity, 200, 1);
    for (const identity of ['a', 'b', 'c', 'd', 'e', 'f']) await sendMany(breaker, identity, 502, 3);
    expect(breaker.state).toBe('open');
    const refused = await send(breaker, 'g', 200);
    expect(refused.reached).toBe(false);
    expect(refused.open?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('cannot be opened by one identity, however many of its requests fail', async () => {
    await sendMany(breaker, 'attacker', 500, 500);
    expect(breaker.state).toBe('closed');
    await sendMany(breaker, 'victim', 200, 20);
    await sendMany(breaker, 'attacker', 500, 500);
    expect(breaker.state).toBe('closed');
    expect((await send(breaker, 'victim', 200)).reached).toBe(true);
  });

  it("opens for an unreachable upstream whoever the caller is: connection failures are no identity's doing", async () => {
    for (let i = 0; i < 20; i++) await send(breaker, 'only-user', 502, 'unreachable');
    expect(breaker.state).toBe('open');
  });

  it("never counts a client's own 4xx, nor attempts without a verdict (client gone, client's body)", async () => {
    for (const identity of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      await sendMany(breaker, identity, 429, 5);
      for (let i = 0; i < 5; i++) await send(breaker, identity, 502, 'none');
    }
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through after the open time: a failure reopens it, a success closes it at once', async () => {
    for (const identity of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) await sendMany(breaker, identity, 503, 3);
    expect(breaker.state).toBe('open');
    expect((await send(breaker, 'x', 200)).reached).toBe(false);
    vi.setSystemTime(Date.now() + 500);
    const failedProbe = await send(breaker, 'x', 503);
    expect(failedProbe.reached).toBe(true);
    expect(breaker.state).toBe('open');
    vi.setSystemTime(Date.now() + 500);
    const probe = await send(breaker, 'y', 200);
    expect(probe).toEqual({ reached: true, status: 200 });
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('retry budget', () => {
  it('allows the floor when quiet, a share of traffic when busy, and recovers as the window slides', () => {
    let now = 0;
    const budget = createRetryBudget({ ratio: 0.2, minRetriesPerSecond: 1, windowSeconds: 10, now: () => now });
    let allowed = 0;
    while (budget.tryRetry()) allowed++;
    expect(allowed).toBe(10);
    for (let i = 0; i < 100; i++) budget.recordRequest();
    expect(budget.tryRetry()).toBe(true);
    let more = 1;
    while (budget.tryRetry()) more++;
    expect(allowed + more).toBe(20);
    now += 11_000;
    expect(budget.tryRetry()).toBe(true);
  });
});
