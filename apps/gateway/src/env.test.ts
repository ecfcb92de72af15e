import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps, auth } from '@homelab/platform';
import { ConfigError } from '@homelab/service-kit';
import { describe, expect, it } from 'vitest';
import { hashApiKey, parseApiKeys } from './auth/api-keys.ts';
import { loadGatewayEnv } from './env.ts';

describe('gateway configuration', () => {
  it('defaults to the platform ports and auth facts and reads keys and the secret from mounted files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-env-'));
    try {
      writeFileSync(join(dir, 'keys.json'), JSON.stringify([{ identity: 'ci', sha256: hashApiKey('k') }]));
      writeFileSync(join(dir, 'jwt'), `${'s'.repeat(40)}\n`);
      writeFileSync(join(dir, 'identity'), `${'i'.repeat(40)}\n`);
      const env = loadGatewayEnv({
        API_KEYS_FILE: join(dir, 'keys.json'),
        JWT_SECRET_FILE: join(dir, 'jwt'),
        IDENTITY_TOKEN_SECRET_FILE: join(dir, 'identity'),
      });
      expect(env.IDENTITY_TOKEN_SECRET).toBe('i'.repeat(40));
      expect(env.PORT).toBe(apps.gateway.port);
      expect(env.API_URL).toBe(`http://127.0.0.1:${apps.api.port}`);
      expect(env.JWT_AUDIENCE).toBe(auth.jwtAudience);
      expect(env.jwtSecret).toBe('s'.repeat(40));
      expect(parseApiKeys(env.apiKeysText)).toEqual([{ identity: 'ci', sha256: hashApiKey('k') }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the bad variable, and refuses to start without any credential', () => {
    const identity = { IDENTITY_TOKEN_SECRET: 'i'.repeat(32) };
    expect(() => loadGatewayEnv({ ...identity, API_KEYS: 'a:b', CANARY_WEIGHT: '150' })).toThrow(ConfigError);
    expect(() => loadGatewayEnv({ ...identity, API_KEYS: 'a:b', CANARY_WEIGHT: '150' })).toThrow(/CANARY_WEIGHT/);
    expect(() => loadGatewayEnv({ ...identity, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    // Too close to the kit's request timeout, the kit's 504 would race the proxy's own answer (issue 17).
    expect(() => loadGatewayEnv({ ...identity, API_KEYS: 'a:b', UPSTREAM_TIMEOUT_MS: '4600' })).toThrow(
      /UPSTREAM_TIMEOUT_MS: must be at most 4500 ms/,
    );
    expect(loadGatewayEnv({ ...identity, API_KEYS: 'a:b', UPSTREAM_TIMEOUT_MS: '4500' }).UPSTREAM_TIMEOUT_MS).toBe(
      4500,
    );
    expect(() => loadGatewayEnv(identity)).toThrow(/configure at least one credential/);
    // Typed, so runService exits 78 without matching the message.
    expect(() => loadGatewayEnv(identity)).toThrow(ConfigError);
    expect(() => loadGatewayEnv({ ...identity, API_KEYS_FILE: '/nonexistent/keys' })).toThrow(
      /API_KEYS_FILE: cannot read/,
    );
    // Without the identity key nothing the gateway forwards could be verified by the API.
    expect(() => loadGatewayEnv({ API_KEYS: 'a:b' })).toThrow(/IDENTITY_TOKEN_SECRET: missing/);
    expect(() => loadGatewayEnv({ API_KEYS: 'a:b', IDENTITY_TOKEN_SECRET: 'short' })).toThrow(
      /IDENTITY_TOKEN_SECRET: must be at least 32/,
    );
  });
});
