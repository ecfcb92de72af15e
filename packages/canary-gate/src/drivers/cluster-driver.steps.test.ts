import { WaitTimeoutError } from '@homelab/cluster';
import { type AppName, apps, canary } from '@homelab/platform';
import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { canaryDriver } from './cluster-driver.ts';
import type { Router } from './router.ts';
import { CanaryNotReadyError, type RolloutRecord } from './traffic-driver.ts';
import type { Workloads } from './workloads.ts';

const app: AppName = 'api';
const canaryName = `${app}${canary.suffix}`;
const digest = (n: number) => `registry.example/homelab/api@sha256:${String(n).repeat(64).slice(0, 64)}`;

/**
 * The driver's steps over in-memory `Workloads` and `Router`: cluster-driver.test.ts runs them against the real
 * API server (as the deployer); this one checks what the server cannot show afterwards, the ORDER of the writes
 * (stable rolled out before the weights return, weights at 0 before the canary scales down), and how each step
 * stops. In-memory on purpose, not instead of the real server.
 */
describe('the cluster driver steps over the Workloads and Router interfaces', () => {
  type Rollout = 'rolls-out' | 'stuck' | 'never';
  const container = apps[app].name;
  const deadline = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' };
  const fake = (behaviour: Partial<Record<string, Rollout>> = {}, failReadsAfterApply?: string) => {
    const writes: string[] = [];
    const applied = new Set<string>();
    const specs = new Map<string, { image: string; replicas: number | undefined }>([
      [app, { image: digest(0), replicas: undefined }],
      [canaryName, { image: digest(0), replicas: 0 }],
    ]);
    let record: RolloutRecord | undefined;
    const workloads: Workloads = {
      async read(name) {
        if (name === failReadsAfterApply && applied.has(name)) throw new Error(`deployments "${name}" is forbidden`);
        const spec = specs.get(name);
        if (!spec) throw new Error(`no deployment ${name}`);
        const want = spec.replicas ?? 1;
        const how = behaviour[name] ?? 'rolls-out';
        return {
          metadata: { name, generation: 1 },
          spec: {
            ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
            selector: {},
            template: { spec: { containers: [{ name: container, image: spec.image }] } },
          },
          status:
            how === 'rolls-out'
              ? { observedGeneration: 1, updatedReplicas: want, availableReplicas: want }
              : { observedGeneration: 1, availableReplicas: 0, ...(how === 'stuck' ? { conditions: [deadline] } : {}) },
        } satisfies V1Deployment;
      },
      async apply(name, fields) {
        expect(fields.container).toBe(container);
        applied.add(name);
        specs.set(name, { image: fields.image, replicas: fields.replicas ?? specs.get(name)?.replicas });
        writes.push(`${name}: ${fields.image}${fields.replicas !== undefined ? ` x${fields.replicas}` : ''}`);
      },
    };
    const router: Router = {
      recorded: async () => record,
      async setRoutes(r, weight) {
        record = { ...r, weight };
        writes.push(`route: ${r.phase} canary ${weight}`);
      },
    };
    const driver = canaryDriver({ description: 'in memory', workloads, router, rolloutTimeoutMs: 200, pollMs: 10 });
    return { driver, writes, recorded: () => record };
  };
  const r = (overrides: Partial<RolloutRecord> = {}): RolloutRecord => ({
    id: 's1',
    app,
    image: digest(1),
    previousImage: undefined,
    startedAt: '2026-12-06T05:00:00.000Z',
    phase: 'running',
    weight: 0,
    ...overrides,
  });

  it("start records stable's image at weight 0, then starts the canary on the new image", async () => {
    const { driver, writes, recorded } = fake();
    await driver.start(r());
    expect(writes).toEqual(['route: running canary 0', `${canaryName}: ${digest(1)} x${apps[app].replicas.min - 1}`]);
    expect(recorded()).toMatchObject({ previousImage: digest(0), weight: 0 });
  });

  it('start gives up with CanaryNotReadyError once the controller declares the canary stuck', async () => {
    const { driver } = fake({ [canaryName]: 'stuck' });
    const error = await driver.start(r()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanaryNotReadyError);
    expect((error as Error).message).toMatch(
      /never became ready: 0 of 1 available, .*ProgressDeadlineExceeded: timed out/,
    );
  });

  it('start gives up after rolloutTimeoutMs when the canary only never progresses', async () => {
    const { driver } = fake({ [canaryName]: 'never' });
    await expect(driver.start(r())).rejects.toThrow(/never became ready: 0 of 1 available after 200 ms/);
  });

  it('a read refused while waiting ends the wait at once with that error (not retried into a timeout)', async () => {
    const { driver } = fake({ [canaryName]: 'never' }, canaryName);
    const error = await driver.start(r()).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe(`deployments "${canaryName}" is forbidden`);
  });

  it('promote: stable rolls out the new image while the canary keeps its weight; then weights, then scale-down', async () => {
    const { driver, writes, recorded } = fake();
    await driver.start(r());
    writes.length = 0;
    await driver.promote(r({ weight: 100 }));
    expect(writes).toEqual([
      'route: promoting canary 100',
      `${app}: ${digest(1)}`,
      'route: promoting canary 0',
      `${canaryName}: ${digest(1)} x0`,
      'route: promoted canary 0',
    ]);
    expect(recorded()).toMatchObject({ phase: 'promoted', weight: 0 });
  });

  it('promote leaves the record in promoting, weight kept, when stable does not roll out', async () => {
    const { driver, writes, recorded } = fake({ [app]: 'stuck' });
    await expect(driver.promote(r({ weight: 100 }))).rejects.toThrow(
      new RegExp(`deployment ${app} did not roll out .*ProgressDeadlineExceeded`),
    );
    expect(writes).toEqual(['route: promoting canary 100', `${app}: ${digest(1)}`]);
    expect(recorded()).toMatchObject({ phase: 'promoting', weight: 100 });
  });

  it('rollback: weights to stable before the canary scales to zero', async () => {
    const { driver, writes } = fake();
    await driver.start(r());
    writes.length = 0;
    await driver.rollback(r({ weight: 10 }));
    expect(writes).toEqual([
      'route: rolling-back canary 0',
      `${canaryName}: ${digest(1)} x0`,
      'route: rolled-back canary 0',
    ]);
  });
});
