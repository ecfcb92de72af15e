import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseEnvSchema, ConfigError, envPort, parseEnv } from './env.ts';

const token = 'an-admin-token-long-enough';

describe('parseEnv', () => {
  it('applies the defaults around a valid port', () => {
    const config = parseEnv(baseEnvSchema, { PORT: '3002' });
    expect(config).toMatchObject({ PORT: 3002, HOST: '0.0.0.0', FAULTS_ENABLED: false, SERVICE_VERSION: '0.0.0-dev' });
  });

  it('names every bad or missing variable in one error', () => {
    const schema = baseEnvSchema.extend({ DATABASE_URL: z.url() });
    let error: unknown;
    try {
      parseEnv(schema, { PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: undefined });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.variables).toEqual(expect.arrayContaining(['PORT', 'LOG_LEVEL', 'DATABASE_URL']));
    expect(configError.message).toMatch(/PORT/);
    expect(configError.message).toMatch(/LOG_LEVEL/);
    expect(configError.message).toMatch(/DATABASE_URL: missing/);
  });

  it('treats empty strings as unset and lets apps default the port from the platform', () => {
    const schema = baseEnvSchema.extend({ PORT: envPort(4321) });
    expect(parseEnv(schema, { PORT: '', HOST: '' })).toMatchObject({ PORT: 4321, HOST: '0.0.0.0' });
  });

  it('reads booleans literally: "false" is false', () => {
    expect(parseEnv(baseEnvSchema, { PORT: '1', FAULTS_ENABLED: 'false' }).FAULTS_ENABLED).toBe(false);
    expect(() => parseEnv(baseEnvSchema, { PORT: '1', FAULTS_ENABLED: 'maybe' })).toThrow(/FAULTS_ENABLED/);
  });

  it('refuses faults without an admin token, and reads the token from a file', () => {
    expect(() => parseEnv(baseEnvSchema, { PORT: '1', FAULTS_ENABLED: 'true' })).toThrow(/ADMIN_TOKEN/);
    const file = join(mkdtempSync(join(tmpdir(), 'env-')), 'token');
    writeFileSync(file, `${token}\n`);
    const config = parseEnv(baseEnvSchema, { PORT: '1', FAULTS_ENABLED: 'true', ADMIN_TOKEN_FILE: file });
    expect(config.ADMIN_TOKEN).toBe(token);
    expect(() => parseEnv(baseEnvSchema, { PORT: '1', ADMIN_TOKEN_FILE: `${file}.missing` })).toThrow(
      /ADMIN_TOKEN_FILE/,
    );
  });

  it('reads any variable X from the file X_FILE names, and blames X_FILE for a bad value', () => {
    const schema = baseEnvSchema.extend({ SESSION_SECRET: z.string().min(32) });
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    const good = join(dir, 'good');
    const short = join(dir, 'short');
    writeFileSync(good, `${'s'.repeat(40)}\n`);
    writeFileSync(short, 'too-short');
    expect(parseEnv(schema, { PORT: '1', SESSION_SECRET_FILE: good }).SESSION_SECRET).toBe('s'.repeat(40));
    expect(
      parseEnv(schema, { PORT: '1', SESSION_SECRET: 'x'.repeat(32), SESSION_SECRET_FILE: good }).SESSION_SECRET,
    ).toBe('x'.repeat(32));
    expect(() => parseEnv(schema, { PORT: '1', SESSION_SECRET_FILE: short })).toThrow(/SESSION_SECRET_FILE: /);
    expect(() => parseEnv(schema, { PORT: '1', SESSION_SECRET_FILE: join(dir, 'absent') })).toThrow(
      /SESSION_SECRET_FILE: cannot read/,
    );
  });
});
