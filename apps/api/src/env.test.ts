import { describe, expect, it } from 'vitest';
import { loadApiEnv, loadMigrationEnv } from './env.ts';

describe('the migration Job environment', () => {
  it('needs only the database (the Job mounts no identity-token key), while the server still requires the key', () => {
    const env = { DATABASE_URL: 'postgres://u:p@db:5432/notes' };
    expect(loadMigrationEnv(env).DATABASE_URL).toBe(env.DATABASE_URL);
    expect(() => loadApiEnv(env)).toThrow(/IDENTITY_TOKEN_SECRET/);
    expect(() => loadMigrationEnv({ DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
  });
});
