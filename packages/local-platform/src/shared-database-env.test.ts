import { describe, expect, it } from 'vitest';
import { loadSharedDatabaseEnv } from './shared-database-env.ts';

describe('the shared database process configuration', () => {
  it('reads the data directory, port and connection limit (default 32)', () => {
    expect(loadSharedDatabaseEnv({ PGLITE_DATA_DIR: '/tmp/db', PORT: '5433' })).toEqual({
      dataDir: '/tmp/db',
      port: 5433,
      maxConnections: 32,
    });
    expect(
      loadSharedDatabaseEnv({ PGLITE_DATA_DIR: '/tmp/db', PORT: '5433', MAX_CONNECTIONS: '8' }).maxConnections,
    ).toBe(8);
  });

  it('stops start-up naming the missing or malformed variable', () => {
    expect(() => loadSharedDatabaseEnv({ PORT: '5433' })).toThrow('PGLITE_DATA_DIR is required');
    expect(() => loadSharedDatabaseEnv({ PGLITE_DATA_DIR: '/tmp/db', PORT: 'x' })).toThrow(
      'PORT must be a port number, got "x"',
    );
  });
});
