import autocannon from 'autocannon';

// The shapes used here, declared locally: the workspace type-checks as one program and apps/api/bench declares
// its own narrower `autocannon` module, which would otherwise hide @types/autocannon's callback form and stop().
interface CannonResult {
  readonly requests: { readonly total: number };
  readonly statusCodeStats?: Record<string, { readonly count: number }>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}
interface CannonInstance {
  stop(): void;
}
type StartCannon = (
  options: Record<string, unknown>,
  callback: (error: Error | null, result: CannonResult) => void,
) => CannonInstance;
const startCannon = autocannon as unknown as StartCannon;

import type { LoadProfile } from './profile.ts';

export interface LoadResult {
  readonly requests: number;
  /** Answers other than 2xx/3xx, by status. */
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly non2xx: number;
  /** Connection errors and timeouts: requests the client never got an answer to. */
  readonly errors: number;
  readonly timeouts: number;
}

export interface RunningLoad {
  readonly done: Promise<LoadResult>;
  stop(): void;
}

/**
 * The profile with autocannon (a Node load generator), where k6 cannot run: a constant overall rate over a
 * fixed number of connections, as k6's constant-arrival-rate does.
 */
export function startLoad(
  profile: LoadProfile,
  options: { baseUrl: string; headers?: Record<string, string>; durationSeconds?: number },
): RunningLoad {
  let settle: { resolve: (r: LoadResult) => void; reject: (e: Error) => void } | undefined;
  const done = new Promise<LoadResult>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const instance = startCannon(
    {
      url: new URL(profile.path, options.baseUrl).toString(),
      connections: profile.connections,
      overallRate: profile.rps,
      duration: options.durationSeconds ?? profile.durationSeconds,
      headers: options.headers ?? {},
      timeout: 10,
    },
    (error, result) => {
      if (error) return settle?.reject(error);
      const statusCodes: Record<string, number> = {};
      const stats = result.statusCodeStats ?? {};
      for (const [key, value] of Object.entries(stats)) statusCodes[key] = value.count;
      settle?.resolve({
        requests: result.requests.total,
        statusCodes,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      });
    },
  );
  return { done, stop: () => instance.stop() };
}
