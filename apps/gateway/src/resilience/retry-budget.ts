export interface RetryBudgetOptions {
  /** Retries allowed as a share of requests in the window. Default 0.2 (Finagle's and Linkerd's default). */
  readonly ratio?: number;
  /** Retries always allowed per second, so a quiet service can still retry. Default 2. */
  readonly minRetriesPerSecond?: number;
  /** Sliding window length. Default 10 s. */
  readonly windowSeconds?: number;
  readonly now?: () => number;
}

export interface RetryBudget {
  /** Counts a first attempt (it deposits into the budget). */
  recordRequest(): void;
  /** Spends one retry if the budget allows it. */
  tryRetry(): boolean;
}

/**
 * A retry budget instead of a fixed retry count: when the upstream is struggling, fixed retries multiply its load
 * (each layer x3 retries = a retry storm); a budget caps retries at a share of the real traffic, so retries help
 * with isolated failures and stop by themselves during an outage. Counts live in one-second slots of a ring.
 */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const ratio = options.ratio ?? 0.2;
  const minPerSecond = options.minRetriesPerSecond ?? 2;
  const windowSeconds = options.windowSeconds ?? 10;
  const now = options.now ?? Date.now;
  const requests = new Array<number>(windowSeconds).fill(0);
  const retries = new Array<number>(windowSeconds).fill(0);
  let currentSecond = Math.floor(now() / 1000);
  const advance = () => {
    const second = Math.floor(now() / 1000);
    const steps = Math.min(windowSeconds, second - currentSecond);
    for (let i = 1; i <= steps; i++) {
      const slot = (currentSecond + i) % windowSeconds;
      requests[slot] = 0;
      retries[slot] = 0;
    }
    if (second > currentSecond) currentSecond = second;
    return currentSecond % windowSeconds;
  };
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    recordRequest() {
      const slot = advance();
      requests[slot] = (requests[slot] ?? 0) + 1;
    },
    tryRetry() {
      const slot = advance();
      const allowed = Math.max(minPerSecond * windowSeconds, ratio * sum(requests));
      if (sum(retries) >= allowed) return false;
      retries[slot] = (retries[slot] ?? 0) + 1;
      return true;
    },
  };
}
