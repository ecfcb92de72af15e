/**
 * What global-setup.ts provides to every suite (`inject('postgresServerUrl')`). In a file of its own that index.ts
 * re-exports, so a package importing @homelab/test-servers sees these types also when type-checked on its own
 * (global-setup.ts is loaded by the root vitest config, not by any package).
 */
import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser connection string of the shared throwaway PostgreSQL, or '' when only PGlite is available. */
    postgresServerUrl: string;
    /** URL of the shared throwaway Redis, or '' when only the in-memory cache is available. */
    redisUrl: string;
  }
}
