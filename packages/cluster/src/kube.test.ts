import { describe, expect, it } from 'vitest';
import { WaitTimeoutError, waitFor } from './kube.ts';

describe('waitFor: the one poll helper', () => {
  it('returns the first value that is not undefined, retrying errors on the way', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third call',
      async () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls === 3 ? 'ready' : undefined;
      },
      { intervalMs: 1 },
    );
    expect({ value, calls }).toEqual({ value: 'ready', calls: 3 });
  });

  it('times out with a WaitTimeoutError naming what it waited for and the last error', async () => {
    const error = await waitFor(
      'a pod Ready',
      async () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 20, intervalMs: 1 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe('timed out waiting for a pod Ready: Error: connection refused');
  });

  it('with rethrow, the first error ends the wait as it is', async () => {
    let calls = 0;
    const error = await waitFor(
      'a read',
      async () => {
        calls++;
        throw new Error('forbidden');
      },
      { timeoutMs: 60_000, intervalMs: 1, rethrow: true },
    ).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(WaitTimeoutError);
    expect({ message: (error as Error).message, calls }).toEqual({ message: 'forbidden', calls: 1 });
  });
});
