import { ProblemError } from './problem.ts';

/**
 * Settles like `work`, or rejects with `timeoutError` (default: a 504 problem) after `ms`. One promise and one
 * timer per call (Hono's timeout middleware races two promises through an array). Pass a prebuilt error on hot
 * paths so no stack is captured per timeout.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, timeoutError?: Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          timeoutError ?? new ProblemError(504, 'Gateway Timeout', `the request did not complete within ${ms} ms`),
        ),
      ms,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
