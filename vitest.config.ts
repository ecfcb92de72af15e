import { defineConfig } from 'vitest/config';

/**
 * One root config collects every package's tests (`x.test.ts` beside `x.ts`). The global setup starts a
 * throwaway PostgreSQL and Redis for the integration tests, or falls back to the embedded ones with a notice.
 */
export default defineConfig({
  test: {
    include: ['{apps,packages,infra,observability,tools}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['packages/test-servers/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
