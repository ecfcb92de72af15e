/** A dependency the service needs to be useful; `/readyz` answers 503 while any check rejects. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface Lifecycle {
  /** True from the first shutdown signal on: readiness answers 503 and responses carry `Connection: close`. */
  readonly draining: boolean;
  beginDrain(): void;
  /** Registers a hook run after the last request finished (close pools, flush). Hooks run in reverse order. */
  onShutdown(fn: () => Promise<void>): void;
  /** Runs the hooks once; errors are collected, not thrown, so one failing hook does not skip the others. */
  runShutdownHooks(): Promise<unknown[]>;
}

export function createLifecycle(): Lifecycle {
  let draining = false;
  const hooks: (() => Promise<void>)[] = [];
  let ran: Promise<unknown[]> | undefined;
  return {
    get draining() {
      return draining;
    },
    beginDrain() {
      draining = true;
    },
    onShutdown(fn) {
      hooks.push(fn);
    },
    runShutdownHooks() {
      ran ??= (async () => {
        const errors: unknown[] = [];
        for (const hook of [...hooks].reverse()) {
          try {
            await hook();
          } catch (error) {
            errors.push(error);
          }
        }
        return errors;
      })();
      return ran;
    },
  };
}
