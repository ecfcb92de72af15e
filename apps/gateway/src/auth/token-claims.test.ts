import { auth } from '@homelab/platform';
import fc from 'fast-check';
import { type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtSecret, type StubUpstream, startGateway, startStub } from '../testing/test-gateway.ts';
import { createJwtVerifier, JwtRejected } from './jwt-verifier.ts';

const now = () => Math.floor(Date.now() / 1000);
/** A token with the right key, issuer and audience and whatever else the test puts in it (no helper's defaults). */
const signClaims = (claims: JWTPayload) =>
  new SignJWT({ iss: auth.jwtIssuer, aud: auth.jwtAudience, iat: now(), exp: now() + 300, sub: 'alice', ...claims })
    .setProtectedHeader({ alg: auth.jwtAlgorithm })
    .sign(jwtSecret);

/** Any JSON value but a string: what a buggy or hostile token issuer may put in `sub`. */
const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

/**
 * Issue 17: a JWT whose `sub` was a number, a boolean or an array passed the identity pattern (it tested the
 * value's string form) and the pipeline took the non-string identity for a Response: a plain-text 500 naming an
 * internal TypeError. And a token issued an hour in the future with a ten-year expiry was accepted.
 */
describe('bearer token claims', () => {
  let stub: StubUpstream;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const call = (token: string) => fetch(`${gw.server.url}/v1/notes`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    stub = await startStub('stable');
    gw = await startGateway([{ name: 'stable', url: stub.url, version: '1', weight: 100 }]);
  });
  afterAll(async () => {
    await gw?.server.close();
    await stub?.close();
  });

  it('answers 401 problem+json for a subject of any type but a string, and never reaches the API', async () => {
    const before = stub.hits;
    await fc.assert(
      fc.asyncProperty(notAString, async (sub) => {
        const res = await call(await signClaims({ sub: sub as never }));
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(((await res.json()) as { detail: string }).detail).toBe('token subject is not a valid identity');
      }),
      { numRuns: 60, examples: [[123], [true], [['alice']], [{ a: 'b' }], [null]] },
    );
    expect(stub.hits).toBe(before);
    expect((await call(await signClaims({}))).status).toBe(200);
  });

  it('refuses a token issued in the future beyond the clock skew, or older than the maximum age, whatever its expiry', async () => {
    const tenYears = now() + 10 * 365 * 86_400;
    const cases: [string, JWTPayload, string][] = [
      ['issued an hour ahead', { iat: now() + 3600, exp: tenYears }, 'token claim invalid: iat'],
      ['issued past the skew', { iat: now() + auth.jwtClockSkewSeconds + 30 }, 'token claim invalid: iat'],
      ['older than the maximum age', { iat: now() - auth.jwtMaxAgeSeconds - 60, exp: tenYears }, 'token too old'],
      ['without iat', { iat: undefined as never }, 'token claim invalid: iat'],
    ];
    for (const [name, claims, detail] of cases) {
      const res = await call(await signClaims(claims));
      expect(res.status, name).toBe(401);
      expect(res.headers.get('content-type'), name).toBe('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail, name).toBe(detail);
    }
    // Within the skew either way, and young enough: accepted.
    expect((await call(await signClaims({ iat: now() + 2 }))).status).toBe(200);
    expect((await call(await signClaims({ iat: now() - auth.jwtMaxAgeSeconds + 60, exp: tenYears }))).status).toBe(200);
  });

  it('takes the skew and the maximum age from its options', async () => {
    const strict = createJwtVerifier({
      secret: jwtSecret,
      issuer: auth.jwtIssuer,
      audience: auth.jwtAudience,
      clockToleranceSeconds: 0,
      maxAgeSeconds: 10,
    });
    await expect(strict(await signClaims({ iat: now() - 30 }))).rejects.toThrow(JwtRejected);
    await expect(strict(await signClaims({ iat: now() + 5 }))).rejects.toThrow('token claim invalid: iat');
    expect(await strict(await signClaims({}))).toBe('alice');
  });
});
