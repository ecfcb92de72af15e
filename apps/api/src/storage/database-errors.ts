import { ProblemError } from '@homelab/service-kit';

/**
 * Errors that mean "the database is not reachable right now", not "this request is wrong": connection refused or
 * reset, pool connect timeouts, the server shutting down (SQLSTATE class 08 and 57P0x). They answer 503 with
 * Retry-After so clients and the gateway retry, instead of a 500 that pages someone for a dependency outage.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
    if (
      [
        'ECONNREFUSED',
        'ECONNRESET',
        'ETIMEDOUT',
        'EPIPE',
        'ENOTFOUND',
        'EAI_AGAIN',
        'EHOSTUNREACH',
        'ENETUNREACH',
      ].includes(code)
    )
      return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|Query read timeout/i.test(
    error.message,
  );
}

/** Runs a database call, turning unavailability into a 503 problem; other errors pass through (500). */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      throw new ProblemError(503, 'Service Unavailable', 'the notes database is unavailable; retry shortly', {
        retryAfterSeconds: 2,
      });
    }
    throw error;
  }
}
