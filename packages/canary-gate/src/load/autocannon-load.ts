import autocannon from 'autocannon';
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
  const instance = autocannon({
    url: new URL(profile.path, options.baseUrl).toString(),
    connections: profile.connections,
    overallRate: profile.rps,
    duration: options.durationSeconds ?? profile.durationSeconds,
    headers: options.headers ?? {},
    timeout: 10,
  });
  const done = new Promise<LoadResult>((resolve, reject) => {
    instance.on('done', (result: autocannon.Result) => {
      const statusCodes: Record<string, number> = {};
      for (const [key, value] of Object.entries(result.statusCodeStats ?? {})) statusCodes[key] = value.count;
      resolve({
        requests: result.requests.total,
        statusCodes,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      });
    });
    instance.on('error', reject);
  });
  return { done, stop: () => instance.stop() };
}
