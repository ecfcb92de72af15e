import autocannon, { type Result } from 'autocannon';
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
  const instance = autocannon(
    {
      url: new URL(profile.path, options.baseUrl).toString(),
      connections: profile.connections,
      overallRate: profile.rps,
      duration: options.durationSeconds ?? profile.durationSeconds,
      headers: options.headers ?? {},
      timeout: 10,
    },
    (error: Error | null, result: Result) => {
      if (error) return settle?.reject(error);
      const statusCodes: Record<string, number> = {};
      const stats = (result.statusCodeStats ?? {}) as Record<string, { count: number }>;
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
