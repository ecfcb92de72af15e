import { describe, expect, it } from 'vitest';
import { type BreakerState, createCircuitBreaker } from './circuit-breaker.ts';
import { createRetryBudget } from './retry-budget.ts';

describe('circuit breaker', () => {
  it('opens after consecutive failures, probes once after the open period, and closes on success', () => {
    let now = 0;
    const states: BreakerState[] = [];
    const breaker = createCircuitBreaker({
      failureThreshold: 3,
      openMs: 1000,
      now: () => now,
      onStateChange: (s) => states.push(s),
    });
    for (let i = 0; i < 2; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.record(false);
    }
    breaker.record(true);
    for (let i = 0; i < 3; i++) breaker.record(false);
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    now += 1000;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(false);
    breaker.record(false);
    expect(breaker.state).toBe('open');
    now += 1000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.record(true);
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
