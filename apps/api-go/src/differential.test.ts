import { createHmac } from 'node:crypto';
import { auth, canaryGate, identityToken } from '@homelab/platform';
import { createIdentitySigner } from '@homelab/service-kit';
import { createDatabase, realServersRequired, testIdentitySecret } from '@homelab/test-servers';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { type ApiImpl, type ApiProcess, apiImpls, startApi } from './testing/api-process.ts';
import { newSession, requestCounts, type Session, type Step, send } from './testing/differential.ts';

/**
 * One contract, two implementations: the same request sequences go to the TypeScript API and the Go API (each on
 * its own database of the run's real PostgreSQL, one real Redis) and every answer must be the same: status, the
 * headers a client sees, and the body (ids, timestamps and cursors compared by position, not value). At the end
 * their http_requests_total series must match too, so the SLO rules and the gate read both alike.
 */
const postgresServerUrl = inject('postgresServerUrl');
const redisUrl = inject('redisUrl');
const available = postgresServerUrl !== '' && redisUrl !== '';
if (!available && !realServersRequired()) {
  console.warn('[notice] no real PostgreSQL/Redis here: the differential contract suite is skipped');
}

const adminToken = 'differential-admin-token-0123';
// The real lifetime: both APIs refuse a token older than it (plus the skew), so alice's and bob's are renewed
// before each test (the signer re-signs after half the lifetime) rather than minted once before a slow build.
const sign = createIdentitySigner({ secret: testIdentitySecret });
/** A token minted as if the clock read `now + shiftSeconds`, lasting `lifetimeSeconds` from that iat. */
const signShifted = (shiftSeconds: number, lifetimeSeconds: number = identityToken.lifetimeSeconds) =>
  createIdentitySigner({ secret: testIdentitySecret, lifetimeSeconds, now: () => Date.now() + shiftSeconds * 1000 })(
    'alice',
  );
/** An HS256 token with exactly these claims (what the signer would never write: a numeric sub, no iat). */
const signClaims = (claims: Record<string, unknown>) => {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: identityToken.algorithm, typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${createHmac('sha256', testIdentitySecret).update(body).digest('base64url')}`;
};

describe.skipIf(!available)('the Go API answers exactly as the TypeScript API', () => {
  const apis = {} as Record<ApiImpl, ApiProcess>;
  const sessions = {} as Record<ApiImpl, Session>;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let counter = 0;

  beforeEach(async () => {
    alice = { 'x-homelab-identity': await sign('alice') };
    bob = { 'x-homelab-identity': await sign('bob') };
  });
  beforeAll(async () => {
    await Promise.all(
      apiImpls.map(async (impl) => {
        apis[impl] = await startApi(impl, {
          DATABASE_URL: await createDatabase(postgresServerUrl, `diff_${impl}`),
          REDIS_URL: redisUrl,
          MIGRATE_ON_START: 'true',
          FAULTS_ENABLED: 'true',
          ADMIN_TOKEN: adminToken,
          MAX_NOTES_PER_USER: '8',
          LOG_LEVEL: 'silent',
        });
        sessions[impl] = newSession();
      }),
    );
    // A cold `go build` of the module and its dependencies takes minutes on a loaded 2-core machine.
  }, 600_000);
  afterAll(async () => {
    await Promise.all(Object.values(apis).map((api) => api.stop()));
  });

  /** Sends one step to both (same request id) and compares; returns the TypeScript answer. */
  const both = async (step: Step) => {
    const requestId = `diff-${++counter}`;
    const withId = { ...step, headers: { 'x-request-id': requestId, ...step.headers } };
    const [ts, go] = await Promise.all(apiImpls.map((impl) => send(apis[impl].url, withId, sessions[impl])));
    expect(go, `${step.method} ${step.path} ${step.body ?? ''}`).toEqual(ts);
    return ts;
  };
  const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });
  const note = '{note0}';
  const missing = '00000000-0000-4000-8000-000000000000';

  it('notes: create, read, list with cursors, patch with If-Match, delete, quota', async () => {
    await both({ method: 'POST', path: '/v1/notes', headers: json(alice), body: '{"title":" first ","body":"x"}' });
    for (let i = 1; i < 5; i++) {
      await both({
        method: 'POST',
        path: '/v1/notes',
        headers: json(alice),
        body: `{"title":"n${i}","body":"<&>\\u2028é😀"}`,
      });
    }
    await both({ method: 'GET', path: `/v1/notes/${note}`, headers: alice });
    await both({ method: 'GET', path: `/v1/notes/${note}`, headers: alice }); // now from the cache
    await both({ method: 'HEAD', path: `/v1/notes/${note}`, headers: alice });
    await both({ method: 'GET', path: `/v1/notes/${note}`, headers: bob });
    await both({ method: 'GET', path: '/v1/notes?limit=2', headers: alice });
    await both({ method: 'GET', path: '/v1/notes?limit=2&cursor={cursor}', headers: alice });
    await both({ method: 'GET', path: '/v1/notes?limit=2&cursor={cursor}', headers: alice });
    await both({ method: 'GET', path: '/v1/notes', headers: bob });
    await both({ method: 'PATCH', path: `/v1/notes/${note}`, headers: json(alice), body: '{"title":"t"}' });
    await both({
      method: 'PATCH',
      path: `/v1/notes/${note}`,
      headers: { ...json(alice), 'if-match': '"1"' },
      body: '{"title":"t2"}',
    });
    await both({
      method: 'PATCH',
      path: `/v1/notes/${note}`,
      headers: { ...json(alice), 'if-match': '"1"' },
      body: '{"title":"t3"}',
    });
    await both({
      method: 'PATCH',
      path: `/v1/notes/${note}`,
      headers: { ...json(alice), 'if-match': ' W/"2" ' },
      body: '{"body":""}',
    });
    await both({
      method: 'PATCH',
      path: `/v1/notes/${note}`,
      headers: { ...json(alice), 'if-match': '*' },
      body: '{"body":"any"}',
    });
    await both({
      method: 'PATCH',
      path: `/v1/notes/${note}`,
      headers: { ...json(alice), 'if-match': 'x' },
      body: '{"body":"b"}',
    });
    await both({
      method: 'PATCH',
      path: `/v1/notes/${note}`,
      headers: { ...json(bob), 'if-match': '*' },
      body: '{"body":"b"}',
    });
    await both({
      method: 'PATCH',
      path: `/v1/notes/${missing}`,
      headers: { ...json(alice), 'if-match': '"3"' },
      body: '{"body":"b"}',
    });
    await both({ method: 'GET', path: `/v1/notes/${note}`, headers: alice });
    for (let i = 0; i < 4; i++) {
      await both({ method: 'POST', path: '/v1/notes', headers: json(alice), body: `{"title":"q${i}"}` });
    }
    await both({ method: 'DELETE', path: '/v1/notes/{note1}', headers: alice });
    await both({ method: 'DELETE', path: '/v1/notes/{note1}', headers: alice });
    await both({ method: 'GET', path: '/v1/notes/{note1}', headers: alice });
    await both({ method: 'POST', path: '/v1/notes', headers: json(alice), body: '{"title":"after delete"}' });
    await both({ method: 'GET', path: '/v1/notes?limit=100', headers: alice });
  });

  it('bad input: the same 4xx problem bodies', async () => {
    const bodies = [
      '{}',
      '{"title":1,"body":null}',
      '{"title":"a","x":1,"y":2}',
      '{"zz":2,"title":1}',
      '{"title":"   "}',
      `{"title":"${'a'.repeat(201)}","body":"${'b'.repeat(20_001)}"}`,
      '{"title":"a\\u0001","body":"\\ud800"}',
      `{"title":"\\u0001${'a'.repeat(300)}"}`,
      '{"title":[],"body":1.5}',
      '{"title":"\\ufeff\\u00a0\\u2028"}',
      '{"title":',
      '[]',
      'null',
      '"x"',
      '',
      '{"10":1,"b":2,"2":3,"title":"t"}',
      '\ufeff{"title":"bom"}',
      '{"title":"a","title":"b"}',
      '{"__proto__":{"x":1},"title":"a"}',
      `{"title":"😀${'😀'.repeat(100)}"}`,
    ];
    for (const body of bodies) {
      await both({ method: 'POST', path: '/v1/notes', headers: json(alice), body });
      await both({ method: 'PATCH', path: `/v1/notes/${note}`, headers: { ...json(alice), 'if-match': '*' }, body });
    }
    for (const contentType of [
      'text/plain',
      'application/json;',
      'application/vnd.x+json',
      'APPLICATION/JSON',
      'application/jsonx',
    ]) {
      await both({
        method: 'POST',
        path: '/v1/notes',
        headers: { ...alice, 'content-type': contentType },
        body: '{"title":"ct"}',
      });
    }
    await both({ method: 'POST', path: '/v1/notes', headers: alice, body: '{"title":"no type"}' });
    await both({ method: 'POST', path: '/v1/notes', headers: alice });
    for (const q of [
      'limit=0',
      'limit=abc',
      'limit=1.5',
      'limit=1000',
      'foo=1',
      'limit=1&limit=2',
      'cursor=abc',
      `cursor=${'a'.repeat(201)}`,
      'limit=Infinity',
      'limit=1e20',
      'limit=0x10',
      'limit=',
      'limit=%20',
      'limit=-1',
      'limit=+5',
      'limit=.5',
      'limit=1_0',
      'cursor=a&cursor=b',
      'cursor=a&limit=x&zz=1',
      '=1',
      'limit',
      'limit=%E2%80%A85',
      'b=1&a=2&3=x',
    ]) {
      await both({ method: 'GET', path: `/v1/notes?${q}`, headers: alice });
    }
    for (const id of ['xyz', '%61bc', '00000000-0000-9000-8000-000000000000', missing.toUpperCase()]) {
      await both({ method: 'GET', path: `/v1/notes/${id}`, headers: alice });
      await both({ method: 'DELETE', path: `/v1/notes/${id}`, headers: alice });
      await both({ method: 'PATCH', path: `/v1/notes/${id}`, headers: json(alice), body: '{}' });
    }
    await both({ method: 'PATCH', path: `/v1/notes/${note}`, headers: json(alice), body: '{"title":"no if-match"}' });
  });

  it('identity, routing, methods and probes', async () => {
    const forged = { 'x-homelab-identity': `${alice['x-homelab-identity']}x` };
    for (const headers of [{}, forged, { 'x-homelab-identity': 'a.b.c' }]) {
      await both({ method: 'GET', path: `/v1/notes/${note}`, headers });
      await both({ method: 'GET', path: '/v1/notes', headers });
      await both({ method: 'POST', path: '/v1/notes', headers: json(headers), body: '{"title":"x"}' });
      await both({ method: 'DELETE', path: `/v1/notes/${note}`, headers });
      await both({ method: 'PUT', path: '/v1/notes', headers });
      await both({ method: 'GET', path: '/v1/nothing', headers });
    }
    for (const [method, path] of [
      ['PUT', '/v1/notes'],
      ['DELETE', '/v1/notes'],
      ['OPTIONS', '/v1/notes'],
      ['PUT', `/v1/notes/${note}`],
      ['POST', `/v1/notes/${note}`],
      ['GET', '/v1/nothing'],
      ['GET', '/v1/notes/'],
      ['GET', '//v1/notes'],
      ['GET', '/foo?x=1'],
      ['POST', '/healthz'],
      ['GET', '/healthz'],
      ['GET', '/openapi.json'],
      ['GET', '/v1/../healthz'],
    ] as const) {
      await both({ method, path, headers: alice });
    }
    await both({ method: 'GET', path: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
  });

  // Issue 17's token rules (ADR 0123 for the gateway; the API's identity tokens alike): a string sub, iat required,
  // at most the skew ahead and at most the lifetime (plus the skew) old, exp with the skew's tolerance. Each case
  // sits well inside or outside its window, so a loaded machine's delay cannot move it across a bound.
  it('identity token bounds: skew, age, claim types', async () => {
    const skew = auth.jwtClockSkewSeconds;
    const lifetime = identityToken.lifetimeSeconds;
    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const cases: [string, () => string | Promise<string>, number][] = [
      ['iat 2 s ahead (inside the skew)', () => signShifted(2), 200],
      ['iat 30 s ahead', () => signShifted(30), 401],
      ['iat 10 s below the age limit, exp far ahead', () => signShifted(-(lifetime - 10), 3_600), 200],
      ['iat 60 s past the age limit, exp far ahead', () => signShifted(-(lifetime + skew + 60), 3_600), 401],
      ['exp just passed (inside the skew)', () => signShifted(-lifetime), 200],
      ['exp 30 s ago', () => signShifted(-(lifetime + 30)), 401],
      [
        'sub a number',
        () => {
          const iat = nowSeconds();
          return signClaims({ iss: identityToken.issuer, aud: identityToken.audience, sub: 12345, iat, exp: iat + 60 });
        },
        401,
      ],
      [
        'no iat',
        () =>
          signClaims({
            iss: identityToken.issuer,
            aud: identityToken.audience,
            sub: 'alice',
            exp: nowSeconds() + 60,
          }),
        401,
      ],
    ];
    for (const [name, token, status] of cases) {
      const headers = { 'x-homelab-identity': await token() };
      const ts = await both({ method: 'GET', path: '/v1/notes', headers });
      expect(ts?.status, name).toBe(status);
    }
  });

  it('the faults admin API and an injected error', async () => {
    const admin = { authorization: `Bearer ${adminToken}` };
    await both({ method: 'GET', path: '/admin/faults' });
    await both({ method: 'GET', path: '/admin/faults', headers: { authorization: 'Bearer wrong-token-000000' } });
    await both({ method: 'GET', path: '/admin/faults', headers: admin });
    await both({ method: 'PUT', path: '/admin/faults', headers: admin, body: 'nope' });
    await both({ method: 'PUT', path: '/admin/faults', headers: admin, body: '{"latencyMs":-1}' });
    await both({ method: 'PUT', path: '/admin/faults', headers: admin, body: '{"errorRatio":1}' });
    await both({ method: 'GET', path: `/v1/notes/${note}`, headers: alice });
    await both({ method: 'GET', path: '/healthz' });
    await both({ method: 'PUT', path: '/admin/faults', headers: admin, body: '{"readinessFailure":true}' });
    await both({ method: 'GET', path: '/admin/faults', headers: admin });
    await both({ method: 'DELETE', path: '/admin/faults', headers: admin });
    await both({ method: 'GET', path: `/v1/notes/${note}`, headers: alice });
  });

  it("the canary gate's tagged synthetic load: the same answers, labelled alike (checked with the series below)", async () => {
    // ADR 0130: the API trusts the tag (only the gateway reaches it, and it strips anyone else's). A Go API that
    // ignored it would count the gate's load in the user-facing SLO; the series comparison below catches that.
    const tag = { [canaryGate.synthetic.header]: canaryGate.synthetic.value };
    await both({ method: 'GET', path: '/v1/notes', headers: { ...alice, ...tag } });
    await both({ method: 'GET', path: `/v1/notes/${missing}`, headers: { ...alice, ...tag } });
    await both({ method: 'GET', path: '/v1/notes', headers: tag });
    await both({ method: 'GET', path: '/v1/notes', headers: { ...alice, [canaryGate.synthetic.header]: '0' } });
  });

  it('random requests (fast-check): the same answer from both', async () => {
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          { title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), body: fc.oneof(fc.string(), fc.boolean()) },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.dictionary(fc.string(), fc.jsonValue()).map((v) => JSON.stringify({ title: 't', ...v })),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('POST', 'PATCH'),
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', ''),
        fc.constantFrom('*', '"1"', '', 'W/"2"', 'x'),
        async (text, method, contentType, ifMatch) => {
          const headers: Record<string, string> = { ...alice };
          if (contentType) headers['content-type'] = contentType;
          if (ifMatch) headers['if-match'] = ifMatch;
          const path = method === 'POST' ? '/v1/notes' : `/v1/notes/${note}`;
          // POSTs that succeed hit the quota quickly; both sides must agree on that too.
          await both({ method, path, headers, body: text });
        },
      ),
      { numRuns: 150, seed: 19 },
    );
    const query = fc.array(
      fc.tuple(fc.constantFrom('limit', 'cursor', 'x', 'limit'), fc.oneof(fc.string(), fc.integer().map(String))),
      { maxLength: 3 },
    );
    await fc.assert(
      fc.asyncProperty(query, async (pairs) => {
        const qs = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        await both({ method: 'GET', path: `/v1/notes?${qs}`, headers: alice });
      }),
      { numRuns: 150, seed: 19 },
    );
  }, 120_000);

  it('the same http_requests_total series (method, route, status, synthetic traffic, count)', async () => {
    const [ts, go] = await Promise.all(
      apiImpls.map(async (impl) => requestCounts(await (await fetch(`${apis[impl].url}/metrics`)).text())),
    );
    // The tagged requests above are there to compare: without them a Go API blind to the tag would match.
    expect(Object.keys(ts ?? {}).filter((k) => k.endsWith(` ${canaryGate.synthetic.labelValue}`))).toHaveLength(3);
    expect(go).toEqual(ts);
  });
});
