import { http } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.ts';

const forward = { identityToken: 'alice', requestId: 'r1', traceparent: '00-a-b-01', clientAddress: '10.0.0.1' };

describe('proxy headers', () => {
  it('drops hop-by-hop headers, those named in Connection, credentials and the client identity', () => {
    const raw = [
      'Host',
      'gateway',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      'secret',
      'Keep-Alive',
      'timeout=5',
      'Authorization',
      'Bearer t',
      'X-Api-Key',
      'k',
      http.identityHeader.toUpperCase(),
      'mallory',
      'Content-Type',
      'application/json',
      'Accept',
      'a',
      'Accept',
      'b',
      'x-request-id',
      'client-id',
    ];
    const out = upstreamRequestHeaders(raw, forward);
    const pairs: [string, string][] = [];
    for (let i = 0; i < out.length; i += 2) pairs.push([out[i] as string, out[i + 1] as string]);
    expect(pairs).toEqual([
      ['content-type', 'application/json'],
      ['accept', 'a'],
      ['accept', 'b'],
      [http.identityHeader, 'alice'],
      [http.requestIdHeader, 'r1'],
      ['traceparent', '00-a-b-01'],
      ['x-forwarded-for', '10.0.0.1'],
      ['x-forwarded-proto', 'http'],
    ]);
  });

  it("keeps the upstream's headers over the gateway's and drops hop-by-hop ones", () => {
    const limits = { 'ratelimit-limit': '10', 'x-frame-options': 'DENY' };
    const cors = { 'access-control-allow-origin': 'http://localhost:3000', vary: 'origin' };
    const out = downstreamResponseHeaders(
      {
        'content-type': 'application/json',
        connection: 'keep-alive, x-hop',
        'keep-alive': 'timeout=65',
        'x-hop': 'secret',
        'x-frame-options': 'SAMEORIGIN',
        vary: 'accept',
        'set-cookie': ['a=1', 'b=2'],
      },
      limits,
      cors,
      new Headers({ 'x-from-middleware': '1', 'content-type': 'text/plain' }),
    );
    expect(out).toEqual({
      'content-type': 'application/json',
      'x-frame-options': 'SAMEORIGIN',
      vary: 'accept',
      'set-cookie': ['a=1', 'b=2'],
      'ratelimit-limit': '10',
      'access-control-allow-origin': 'http://localhost:3000',
      'x-from-middleware': '1',
    });
  });
});
