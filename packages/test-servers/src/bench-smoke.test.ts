import { describe, expect, it } from 'vitest';
import { type RowWork, receivedHeaderProblems, sameWorkProblems, smokeMode } from './bench-smoke.ts';

const answer = (status: number, body: string, contentType = 'application/json') => ({
  status,
  contentType,
  body: Buffer.from(body),
});
const row = (name: string, patch: Partial<RowWork> = {}): RowWork => ({
  name,
  non2xx: 0,
  errors: 0,
  total: 100,
  answer: answer(200, '{"id":1}'),
  ...patch,
});

describe('sameWorkProblems', () => {
  it('accepts rows that answered 2xx throughout with the reference answer', () => {
    const reference = row('api');
    expect(sameWorkProblems([reference, row('ceiling'), row('fastify')], reference)).toEqual([]);
  });

  it('names non-2xx answers, errors and empty runs', () => {
    const reference = row('api');
    expect(
      sameWorkProblems(
        [reference, row('ceiling', { non2xx: 461_717 }), row('nginx', { errors: 3, total: 0 })],
        reference,
      ),
    ).toEqual(['ceiling: 461717 non-2xx answers', 'nginx: completed no requests', 'nginx: 3 errors or timeouts']);
  });

  it('names a row whose answer differs in status, media type or body bytes', () => {
    const reference = row('direct');
    const problems = sameWorkProblems(
      [
        row('bare', { answer: answer(401, '') }),
        row('nginx', { answer: answer(200, '{"id":1}', 'text/plain') }),
        row('gateway', { answer: answer(200, '{"id":2}') }),
      ],
      reference,
    );
    expect(problems).toEqual([
      'bare: answered 401 application/json 0 bytes, direct answered 200 application/json 8 bytes',
      'nginx: answered 200 text/plain 8 bytes, direct answered 200 application/json 8 bytes',
      'gateway: answered 200 application/json 8 bytes, direct answered 200 application/json 8 bytes',
    ]);
  });

  it('names a row that does not refuse what the reference refuses (a ceiling skipping the identity check)', () => {
    const refusals = { 'no identity token': 401, 'an id that is not a UUID': 400 };
    const reference = row('ts api', { refusals });
    expect(
      sameWorkProblems(
        [reference, row('go api', { refusals }), row('ceiling', { refusals: { 'an id that is not a UUID': 400 } })],
        reference,
      ),
    ).toEqual(['ceiling: answered nothing to no identity token, ts api answered 401']);
    expect(
      sameWorkProblems([row('ceiling', { refusals: { ...refusals, 'no identity token': 200 } })], reference),
    ).toEqual(['ceiling: answered 200 to no identity token, ts api answered 401']);
  });

  it('refuses a reference that itself failed', () => {
    const reference = row('api', { answer: answer(500, 'boom') });
    expect(sameWorkProblems([reference], reference)).toEqual([
      'api: the reference answer itself is 500 application/json 4 bytes',
    ]);
  });
});

describe('smokeMode', () => {
  it('is on with --smoke or BENCH_SMOKE=1 only', () => {
    expect(smokeMode(['node', 'x.ts', '--smoke'], {})).toBe(true);
    expect(smokeMode(['node', 'x.ts'], { BENCH_SMOKE: '1' })).toBe(true);
    expect(smokeMode(['node', 'x.ts'], { BENCH_SMOKE: '0' })).toBe(false);
  });
});

describe('receivedHeaderProblems', () => {
  const gateway = { name: 'gateway', headerNames: ['traceparent', 'user-agent', 'x-homelab-identity', 'x-request-id'] };

  it('accepts proxies that sent the upstream the same header names', () => {
    expect(receivedHeaderProblems([gateway, { ...gateway, name: 'nginx' }], gateway)).toEqual([]);
  });

  it('names the headers a proxy left out and the ones it forwarded that the reference drops', () => {
    const nginx = { name: 'nginx', headerNames: ['te', 'user-agent', 'x-homelab-identity', 'x-request-id'] };
    expect(receivedHeaderProblems([gateway, nginx], gateway)).toEqual([
      'nginx: did not send upstream traceparent',
      'nginx: sent upstream te, which gateway drops',
    ]);
  });
});
