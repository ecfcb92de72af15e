import { http } from '@homelab/platform';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createFaults, type FaultTimers } from './faults.ts';
import { ProblemError } from './problem.ts';

const adminToken = 'test-admin-token-0123456789';

/** A clock the test steps: sleeps, intervals and one-shots are recorded and run when the test says so. */
function manualTimers() {
  const sleeps: number[] = [];
  const intervals = new Set<() => void>();
  const pending: (() => void)[] = [];
  const timers: FaultTimers = {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    every: (_ms, fn) => {
      intervals.add(fn);
      return () => intervals.delete(fn);
    },
    later: (_ms, fn) => {
      pending.push(fn);
    },
  };
  return {
    timers,
    sleeps,
    tick: () => {
      for (const fn of intervals) fn();
    },
    runPending: () => {
      for (const fn of pending.splice(0)) fn();
    },
    intervalCount: () => intervals.size,
  };
}

/** The fault middleware in front of one route, the admin routes beside it. */
function appWith(faults: ReturnType<typeof createFaults>) {
  const app = new Hono();
  app.route('/', faults.routes);
  app.use('*', faults.middleware);
  app.get('/items', (c) => c.text('ok'));
  app.get(http.paths.readiness, (c) => c.text('ready'));
  app.onError((error, c) =>
    error instanceof ProblemError ? c.json({ status: error.status }, error.status as 500) : c.text('bug', 500),
  );
  return app;
}

const admin = (method: string, body?: unknown) => ({
  method,
  headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('createFaults', () => {
  it('refuses to be enabled without an admin token', () => {
    expect(() => createFaults({ enabled: true })).toThrow(/without an admin token/);
  });

  it('answers 404 on every admin route when not enabled, and 401 without the right bearer token', async () => {
    const off = appWith(createFaults({ enabled: false }));
    expect((await off.request('/admin/faults', admin('GET'))).status).toBe(404);
    const on = appWith(createFaults({ enabled: true, adminToken }));
    const wrong = await on.request('/admin/faults', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
    expect((await on.request('/admin/faults', { headers: { authorization: adminToken } })).status).toBe(401);
    expect((await on.request('/admin/faults', admin('GET'))).status).toBe(200);
  });

  it('delays exactly the rolled share of requests by latencyMs, never the probes', async () => {
    const clock = manualTimers();
    let roll = 0;
    const faults = createFaults({ enabled: true, adminToken, random: () => roll, timers: clock.timers });
    const app = appWith(faults);
    expect(faults.active).toBe(false);
    await app.request('/admin/faults', admin('PUT', { latencyMs: 120, latencyRatio: 0.5 }));
    expect(faults.active).toBe(true);
    roll = 0.9;
    await app.request('/items');
    expect(clock.sleeps).toEqual([]);
    roll = 0.1;
    await app.request('/items');
    await app.request(http.paths.readiness);
    expect(clock.sleeps).toEqual([120]);
  });

  it('turns the rolled share of requests into 500 problems', async () => {
    let roll = 0.2;
    const app = appWith(createFaults({ enabled: true, adminToken, random: () => roll }));
    await app.request('/admin/faults', admin('PUT', { errorRatio: 0.3 }));
    expect((await app.request('/items')).status).toBe(500);
    roll = 0.5;
    expect((await app.request('/items')).status).toBe(200);
  });

  it('crashes only after the answer to the crash request is on its way', async () => {
    const clock = manualTimers();
    let crashed = 0;
    const faults = createFaults({ enabled: true, adminToken, crash: () => crashed++, timers: clock.timers });
    const res = await appWith(faults).request('/admin/faults', admin('PUT', { crash: true }));
    expect(res.status).toBe(200);
    expect(crashed).toBe(0);
    clock.runPending();
    expect(crashed).toBe(1);
  });

  it('leaks leakMbPerSecond each second until reset, and stops its timer', () => {
    const clock = manualTimers();
    const faults = createFaults({ enabled: true, adminToken, timers: clock.timers });
    faults.set({ ...faults.settings(), leakMbPerSecond: 1 });
    clock.tick();
    clock.tick();
    expect(faults.leakedMb()).toBe(2);
    faults.reset();
    expect(faults.leakedMb()).toBe(0);
    expect(clock.intervalCount()).toBe(0);
  });

  it('fails readiness while the readiness fault is set', async () => {
    const faults = createFaults({ enabled: true, adminToken });
    await expect(faults.readiness.check()).resolves.toBeUndefined();
    faults.set({ ...faults.settings(), readinessFailure: true });
    await expect(faults.readiness.check()).rejects.toThrow(/readiness failure injected/);
  });
});
