import { describe, expect, it } from 'vitest';
import { ConfigError } from './env.ts';
import { runService } from './run-service.ts';

class ConfigErrorSeen extends Error {}

describe('runService', () => {
  it('hands a ConfigError to onConfigError (exit 78 by default) and builds nothing', async () => {
    let built = false;
    const error = new ConfigError([{ variable: 'JWT_SECRET', message: 'must be at least 32 characters' }]);
    await expect(
      runService({
        name: 'test',
        loadEnv: () => {
          throw error;
        },
        createApp: () => {
          built = true;
          throw new Error('unreachable');
        },
        onConfigError: (seen) => {
          expect(seen).toBe(error);
          expect(seen.variables).toEqual(['JWT_SECRET']);
          throw new ConfigErrorSeen();
        },
      }),
    ).rejects.toBeInstanceOf(ConfigErrorSeen);
    expect(built).toBe(false);
  });

  it('lets any other start-up error through with its stack, not as a configuration error', async () => {
    const bug = new TypeError('env.ts is broken');
    await expect(
      runService({
        name: 'test',
        loadEnv: () => {
          throw bug;
        },
        createApp: () => {
          throw new Error('unreachable');
        },
        onConfigError: () => {
          throw new Error('a bug is not a configuration error');
        },
      }),
    ).rejects.toBe(bug);
  });
});
