import { randomBytes } from 'node:crypto';
import { auth, identityToken } from '@homelab/platform';
import { type JWTPayload, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createIdentitySigner, createIdentityVerifier } from './identity-token.ts';

const secret = randomBytes(32);
const verify = createIdentityVerifier({ secret });
const now = () => Math.floor(Date.now() / 1000);
const signClaims = (claims: JWTPayload) =>
  new SignJWT({
    iss: identityToken.issuer,
    aud: identityToken.audience,
    sub: 'alice',
    iat: now(),
    exp: now() + identityToken.lifetimeSeconds,
    ...claims,
  })
    .setProtectedHeader({ alg: identityToken.algorithm })
    .sign(secret);

/** Issue 17, the API's half: the identity token holds to the same claim rules as the gateway's bearer tokens. */
describe('identity token claims', () => {
  it("verifies the signer's own token", async () => {
    expect(await verify(await createIdentitySigner({ secret })('alice'))).toBe('alice');
  });

  it('refuses a subject that is not a string, even when its string form is a valid identity', async () => {
    for (const sub of [123, true, ['alice'], { a: 1 }]) {
      expect(await verify(await signClaims({ sub: sub as never }))).toBeUndefined();
    }
  });

  it('refuses a token issued in the future or older than its lifetime, whatever its expiry', async () => {
    const farExp = now() + 10 * 365 * 86_400;
    expect(await verify(await signClaims({ iat: now() + auth.jwtClockSkewSeconds + 60, exp: farExp }))).toBeUndefined();
    expect(
      await verify(await signClaims({ iat: now() - identityToken.lifetimeSeconds - 60, exp: farExp })),
    ).toBeUndefined();
    expect(await verify(await signClaims({ iat: now() - 10 }))).toBe('alice');
  });
});
