/**
 * Settles like `work`, or rejects with `timeoutError` after `ms`. One promise and one
 * timer per call (Hono's timeout middleware races two promises through an array). A prebuilt error on hot paths
 * captures no stack per timeout.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, timeoutError: Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError), ms);
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
