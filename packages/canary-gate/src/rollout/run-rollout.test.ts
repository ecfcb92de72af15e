import { markdownSummary } from '@homelab/deploy-report';
import { describe, expect, it } from 'vitest';
import { CanaryNotReadyError, type RolloutRecord, type TrafficDriver } from '../drivers/traffic-driver.ts';
import { gateConfigFor } from '../engine/config.ts';
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
    expect(calls).toEqual(['start', 'setWeight 10', 'rollback at 10']);
    expect(result).toMatchObject({ outcome: 'rolled-back', reason: 'canary not ready' });
    // Two evaluations held on no data; the third found the canary down before reading any metrics.
    expect(result.timeline.map((p) => p.decision.kind)).toEqual(['hold', 'hold']);
    expect(result.detail).toBe('deployment api-canary: 0 of 1 replicas available');
  });
});
