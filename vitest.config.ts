import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * One root config collects every package's tests (`x.test.ts` beside `x.ts`). The global setup starts a
 * throwaway PostgreSQL and Redis for the integration tests, or falls back to the embedded ones with a notice.
 *
 * At least two test files at a time: Vitest's default (cores - 1) is one on the 2-core CI machine, and the slow
 * suites mostly wait (on a control plane, on `pulumi up`, on real processes under a drill's load), so the suite ran
 * strictly one file after another (1,446 s, of which 548 s the real `pulumi up` file alone).
 */
export default defineConfig({
  test: {
    include: ['{apps,packages,infra,observability,tools}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['packages/test-servers/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
