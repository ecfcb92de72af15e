import { http } from '@homelab/platform';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { adminBearer } from './admin-auth.ts';
import type { ReadinessCheck } from './lifecycle.ts';
import { ProblemError, problem } from './problem.ts';

/** Faults a drill can switch on. Everything is off by default. */
export const faultSettingsSchema = z.strictObject({
  /** Extra latency added to a share of requests. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Share of requests (0..1) that get the extra latency. */
  latencyRatio: z.number().min(0).max(1).default(1),
  /** Share of requests (0..1) answered with a 500 problem. */
  errorRatio: z.number().min(0).max(1).default(0),
  /** Memory retained per second, to drive the container into its memory limit. */
  leakMbPerSecond: z.number().min(0).max(512).default(0),
  /** Readiness fails while true (the pod leaves the Service endpoints, liveness stays green). */
  readinessFailure: z.boolean().default(false),
  /** The process exits non-zero right after answering. */
  crash: z.boolean().default(false),
});

export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export interface FaultsOptions {
  /** FAULTS_ENABLED: when false every admin route answers 404 and the middleware is a no-op. */
  readonly enabled: boolean;
  /** ADMIN_TOKEN, compared in constant time. Required when enabled. */
  readonly adminToken?: string | undefined;
  readonly logger?: Logger;
  /** How a crash fault ends the process; default `process.exit(70)`. Tests substitute it. */
  readonly crash?: () => void;
  /** Default Math.random. */
  readonly random?: () => number;
  /** Default: real timers. Tests pass their own clock and step it. */
  readonly timers?: FaultTimers;
}

/** The timers the faults run on. */
export interface FaultTimers {
  /** Resolves after `ms` (the latency fault). */
  sleep(ms: number): Promise<void>;
  /** Runs `fn` every `ms` until the returned function is called (the leak fault); must not keep the process up. */
  every(ms: number, fn: () => void): () => void;
  /** Runs `fn` once after `ms` (the crash fault, after its answer is on the way). */
  later(ms: number, fn: () => void): void;
}

const realTimers: FaultTimers = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
  later: (ms, fn) => {
    setTimeout(fn, ms);
  },
};

export interface Faults {
  readonly enabled: boolean;
  /** The current settings (a copy). */
  settings(): FaultSettings;
  set(settings: FaultSettings): void;
  reset(): void;
  /** Megabytes held by the leak fault right now. */
  leakedMb(): number;
  /** True while a latency or error fault is set: only then does `middleware` do anything. */
  readonly active: boolean;
  /** Latency and error faults for application routes (probes, metrics and admin routes are exempt). */
  readonly middleware: MiddlewareHandler;
  /** Fails while the readiness fault is on. */
  readonly readiness: ReadinessCheck;
  /** `GET|PUT|DELETE /admin/faults`, mounted at the root. */
  readonly routes: Hono;
  /** Stops the leak timer. */
  close(): void;
}

const defaults = (): FaultSettings => faultSettingsSchema.parse({});
const exempt = new Set<string>([http.paths.liveness, http.paths.readiness, http.paths.metrics]);

/** Fault injection for drills: off by default, switched at run time through a token-protected admin endpoint. */
export function createFaults({
  enabled,
  adminToken,
  logger,
  crash = () => process.exit(70),
  random = Math.random,
  timers = realTimers,
}: FaultsOptions): Faults {
  if (enabled && !adminToken) throw new Error('faults enabled without an admin token');
  let current = defaults();
  let active = false;
  let leak: Buffer[] = [];
  let stopLeakTimer: (() => void) | undefined;
  const requireAdmin = adminToken ? adminBearer(adminToken) : undefined;

  const stopLeak = () => {
    stopLeakTimer?.();
    stopLeakTimer = undefined;
    leak = [];
  };
  const set = (settings: FaultSettings) => {
    current = { ...settings };
    active = settings.latencyMs > 0 || settings.errorRatio > 0;
    stopLeak();
    if (settings.leakMbPerSecond > 0) {
      const bytes = Math.round(settings.leakMbPerSecond * 1024 * 1024);
      // fill() touches every page, so the memory is resident and counts against the container's limit.
      stopLeakTimer = timers.every(1000, () => leak.push(Buffer.allocUnsafe(bytes).fill(1)));
    }
    logger?.warn({ faults: current }, 'fault injection settings changed');
  };

  const middleware: MiddlewareHandler = async function faults(c, next) {
    if (!active || exempt.has(c.req.path) || c.req.path.startsWith('/admin/')) return next();
    if (current.latencyMs > 0 && random() < current.latencyRatio) await timers.sleep(current.latencyMs);
    if (current.errorRatio > 0 && random() < current.errorRatio) {
      throw new ProblemError(500, 'Internal Server Error', 'injected fault', { fault: 'error' });
    }
    return next();
  };

  const routes = new Hono();
  routes.use('/admin/faults', async (c, next) => {
    // Refused as if the route did not exist: a deployment that did not opt in exposes nothing.
    if (!enabled || !requireAdmin) return problem(c, 404, 'Not Found');
    const refusal = requireAdmin?.(c);
    if (refusal) return refusal;
    await next();
  });
  routes.get('/admin/faults', (c) => c.json({ ...current, leakedMb: leak.length * current.leakMbPerSecond }));
  routes.put('/admin/faults', async (c) => {
    const body = await c.req.json().catch(() => {
      throw new ProblemError(400, 'Bad Request', 'the body must be JSON');
    });
    const parsed = faultSettingsSchema.safeParse(body);
    if (!parsed.success) {
      throw new ProblemError(400, 'Bad Request', 'invalid fault settings', {
        errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    set(parsed.data);
    if (parsed.data.crash) {
      logger?.fatal('crash fault: exiting');
      // After the answer is on its way, so the drill sees its request acknowledged.
      timers.later(50, crash);
    }
    return c.json(current);
  });
  routes.delete('/admin/faults', (c) => {
    set(defaults());
    return c.body(null, 204);
  });

  return {
    enabled,
    settings: () => ({ ...current }),
    set,
    reset: () => set(defaults()),
    leakedMb: () => leak.length * current.leakMbPerSecond,
    get active() {
      return active;
    },
    middleware,
    readiness: {
      name: 'faults',
      check: async () => {
        if (current.readinessFailure) throw new Error('readiness failure injected');
      },
    },
    routes,
    close: stopLeak,
  };
}
