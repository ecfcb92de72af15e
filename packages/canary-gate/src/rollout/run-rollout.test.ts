import { markdownSummary } from '@homelab/deploy-report';
import { describe, expect, it } from 'vitest';
import { CanaryNotReadyError, type RolloutRecord, type TrafficDriver } from '../drivers/traffic-driver.ts';
import { gateConfigFor } from '../engine/config.ts';
import type { Counts } from '../engine/counts.ts';
import type { MetricSource } from '../sources/metric-source.ts';
import { runRollout } from './run-rollout.ts';

/** A driver whose canary never becomes ready (or fails otherwise), recording what the gate asked of it. */
function driverFailingStart(error: Error) {
  const calls: string[] = [];
  const driver: TrafficDriver = {
    description: 'fake',
    recorded: async () => undefined,
    start: async () => {
      calls.push('start');
      throw error;
    },
    setWeight: async (_r: RolloutRecord, weight: number) => {
      calls.push(`setWeight ${weight}`);
    },
    promote: async () => {
      calls.push('promote');
    },
    rollback: async (r: RolloutRecord) => {
      calls.push(`rollback at ${r.weight}`);
    },
  };
  return { driver, calls };
}

describe('runRollout when the canary never becomes ready', () => {
  let reads = 0;
  const source: MetricSource = {
    description: 'no metrics',
    read: async () => {
      reads++;
      return { canary: undefined, stable: undefined };
    },
  };
  const options = { app: 'api' as const, image: 'bad', config: gateConfigFor('api'), source, evaluationSeconds: 1 };

  it('rolls back at once, before any weight or evidence: reason "canary not ready"', async () => {
    const { driver, calls } = driverFailingStart(new CanaryNotReadyError('api-canary: 0 of 1 available'));
    // The wait for the canary took 7 s of the clock before the driver gave up.
    let t = 0;
    const waiting: TrafficDriver = {
      ...driver,
      start: async (r) => {
        t += 7000;
        return driver.start(r);
      },
    };
    const result = await runRollout({ ...options, driver: waiting, now: () => t });
    expect(calls).toEqual(['start', 'rollback at 0']);
    expect(reads).toBe(0);
    expect(result).toMatchObject({ outcome: 'rolled-back', reason: 'canary not ready', timeline: [] });
    expect(result.detail).toMatch(/0 of 1 available/);
    // No evaluation ran: the summary tells the wall time to the rollback, not "after 0 s".
    expect(markdownSummary(result)).toMatch(/\*\*rolled back\*\* \(canary not ready\) after 7 s/);
  });

  it('leaves any other start failure to a re-run (the record on the objects), as before', async () => {
    const { driver, calls } = driverFailingStart(new Error('HTTP 403'));
    await expect(runRollout({ ...options, driver })).rejects.toThrow(/403/);
    expect(calls).toEqual(['start']);
  });

  it('rolls back a canary that stops serving after it got weight, at the next evaluation', async () => {
    const calls: string[] = [];
    let checks = 0;
    const driver: TrafficDriver = {
      description: 'fake',
      recorded: async () => undefined,
      start: async () => {
        calls.push('start');
      },
      setWeight: async (_r, weight) => {
        calls.push(`setWeight ${weight}`);
      },
      canaryNotReady: async () => (++checks >= 3 ? 'deployment api-canary: 0 of 1 replicas available' : undefined),
      promote: async () => {
        calls.push('promote');
      },
      rollback: async (r) => {
        calls.push(`rollback at ${r.weight}`);
      },
    };
    let t = 0;
    const result = await runRollout({
      ...options,
      driver,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    expect(calls).toEqual(['start', 'setWeight 20', 'rollback at 20']);
    expect(result).toMatchObject({ outcome: 'rolled-back', reason: 'canary not ready' });
    // Two evaluations held on no data; the third found the canary down before reading any metrics.
    expect(result.timeline.map((p) => p.decision.kind)).toEqual(['hold', 'hold']);
    expect(result.detail).toBe('deployment api-canary: 0 of 1 replicas available');
  });
});

describe('runRollout on a low-traffic app', () => {
  /** Cumulative counters in virtual time: stable at `rps` x (1 - weight), the canary (two processes) at the rest. */
  function world(rps: number) {
    let t = 0;
    let weight = 0;
    let last = 0;
    const canary = { a: 0, b: 0 };
    let stable = 0;
    let reads = 0;
    const advance = () => {
      const dt = (t - last) / 1000;
      last = t;
      stable += rps * dt * (1 - weight / 100);
      canary.a += (rps * dt * weight) / 200;
      canary.b += (rps * dt * weight) / 200;
    };
    const calls: string[] = [];
    const driver: TrafficDriver = {
      description: 'fake',
      recorded: async () => undefined,
      start: async () => {},
      setWeight: async (_r, w) => {
        advance();
        weight = w;
        calls.push(`setWeight ${w}`);
      },
      promote: async () => {
        calls.push('promote');
      },
      rollback: async () => {
        calls.push('rollback');
      },
    };
    const source: MetricSource = {
      description: 'fake counters',
      read: async () => {
        advance();
        reads++;
        const c = (n: number) => ({ requests: Math.floor(n), errors: 0, slow: 0 });
        // Process b misses every third scrape: its history must not be counted again when it is back.
        const canaryReading: Record<string, Counts> =
          reads % 3 === 0 ? { a: c(canary.a) } : { a: c(canary.a), b: c(canary.b) };
        return { canary: canaryReading, stable: { s: c(stable) } };
      },
    };
    return {
      driver,
      source,
      calls,
      canaryServed: () => Math.floor(canary.a) + Math.floor(canary.b),
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
      },
    };
  }

  it('says the expected decision time up front, starts synthetic traffic when real traffic is too low, and counts each request once', async () => {
    const w = world(2);
    const events: string[] = [];
    const started: number[] = [];
    let stopped = 0;
    const result = await runRollout({
      app: 'api',
      image: 'new',
      config: gateConfigFor('api', { stages: [{ weight: 20, deadlineSeconds: 60 }], maxRolloutSeconds: 60 }),
      source: w.source,
      driver: w.driver,
      evaluationSeconds: 5,
      now: w.now,
      sleep: w.sleep,
      onEvent: (m) => events.push(m),
      startSynthetic: (rps) => {
        started.push(rps);
        return {
          stop: () => {
            stopped++;
          },
        };
      },
    });
    expect(events.find((e) => e.startsWith('plan:'))).toMatch(/at 2\.0 req\/s the decision is expected in \d+ s/);
    expect(started).toHaveLength(1);
    expect(started[0]).toBeGreaterThan(0);
    expect(stopped).toBe(1);
    // The fake world has no synthetic load, so 2 req/s cannot decide within 60 s: held, traffic back, no rollback.
    expect(result.outcome).toBe('held');
    expect(w.calls).toEqual(['setWeight 20', 'setWeight 0']);
    expect(result.plan).toMatch(/synthetic/);
    const summary = markdownSummary(result);
    expect(summary).toMatch(/\*\*held for the operator, not rolled back\*\* \(insufficient evidence\)/);
    expect(summary).toMatch(/Power plan: plan: /);
    // Every canary request counted once although process b missed every third scrape.
    const counted = result.timeline.at(-1)?.canary.requests ?? 0;
    expect(counted).toBeLessThanOrEqual(w.canaryServed());
    expect(counted).toBeGreaterThanOrEqual(w.canaryServed() - 2);
  });
});
