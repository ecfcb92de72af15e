import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApiKeyVerifier, hashApiKey, parseApiKeys } from './api-keys.ts';
import { createJwtVerifier } from './jwt-verifier.ts';

const secret = randomBytes(32);
const verify = createJwtVerifier({ secret, issuer: 'homelab', audience: 'homelab-api' });
const sign = (claims: { sub?: string; aud?: string; iss?: string; exp?: string | number } = {}) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? 'alice')
    .setIssuer(claims.iss ?? 'homelab')
    .setAudience(claims.aud ?? 'homelab-api')
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? '5m')
    .sign(secret);

describe('API keys', () => {
  it('stores only hashes and finds the identity of a presented key', () => {
    const key = randomBytes(32).toString('base64url');
    const keys = parseApiKeys(JSON.stringify([{ identity: 'alice', sha256: hashApiKey(key) }]));
    expect(JSON.stringify(keys)).not.toContain(key);
    const verifyKey = createApiKeyVerifier(keys);
    expect(verifyKey(key)).toBe('alice');
    expect(verifyKey(`${key}x`)).toBeUndefined();
    expect(verifyKey('')).toBeUndefined();
  });

  it('hashes a verified key once, and an unknown key every time without remembering it', () => {
    const key = randomBytes(32).toString('base64url');
    let hashes = 0;
    const verifyKey = createApiKeyVerifier([{ identity: 'alice', sha256: hashApiKey(key) }], (k) => {
      hashes += 1;
      return hashApiKey(k);
    });
    for (let i = 0; i < 3; i++) expect(verifyKey(key)).toBe('alice');
    expect(hashes).toBe(1);
    for (let i = 0; i < 3; i++) expect(verifyKey('not-a-key')).toBeUndefined();
    expect(hashes).toBe(4);
    expect(verifyKey(`${key}x`)).toBeUndefined();
  });

  it('reads the compact env form and names a bad entry', () => {
    const hash = hashApiKey('k');
    expect(parseApiKeys(`alice:${hash}, bob:${hash}`).map((k) => k.identity)).toEqual(['alice', 'bob']);
    expect(() => parseApiKeys('alice:nothex')).toThrow(/entry 0 \(alice\)/);
    expect(() => parseApiKeys(`bad name:${hash}`)).toThrow(/entry 0/);
  });
});

describe('JWT verification', () => {
  it('accepts a valid HS256 token and returns its subject', async () => {
    expect(await verify(await sign())).toBe('alice');
  });

  it('refuses alg none, other algorithms, expiry, audience, issuer and forged signatures', async () => {
    const unsecured = new UnsecuredJWT({ sub: 'alice' })
      .setIssuer('homelab')
      .setAudience('homelab-api')
      .setExpirationTime('5m')
      .encode();
    await expect(verify(unsecured)).rejects.toThrow(/not allowed|invalid/);
    const hs512 = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuer('homelab')
      .setAudience('homelab-api')
      .setExpirationTime('5m')
      .sign(randomBytes(64));
    await expect(verify(hs512)).rejects.toThrow('token algorithm not allowed');
    await expect(verify(await sign({ exp: Math.floor(Date.now() / 1000) - 60 }))).rejects.toThrow('token expired');
    await expect(verify(await sign({ aud: 'other' }))).rejects.toThrow(/aud/);
    await expect(verify(await sign({ iss: 'other' }))).rejects.toThrow(/iss/);
    const forged = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('homelab')
      .setAudience('homelab-api')
      .setExpirationTime('5m')
      .sign(randomBytes(32));
    await expect(verify(forged)).rejects.toThrow('token invalid');
    await expect(verify(await sign({ sub: 'bad\r\nx-homelab-user: bob' }))).rejects.toThrow(/subject/);
  });

  it('refuses a secret too short for HS256', () => {
    expect(() => createJwtVerifier({ secret: randomBytes(16), issuer: 'i', audience: 'a' })).toThrow(/32 bytes/);
  });
});
