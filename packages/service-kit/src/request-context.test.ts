import { http } from '@homelab/platform';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { assignRequestContext, parseTraceparent, requestTrace } from './request-context.ts';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const parentId = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads version 00 and later versions by the same prefix', () => {
    expect(parseTraceparent(`00-${traceId}-${parentId}-01`)).toEqual({ traceId, parentId, flags: '01' });
    expect(parseTraceparent(` 01-${traceId}-${parentId}-00-future `)).toEqual({ traceId, parentId, flags: '00' });
  });

  it('refuses what the spec says to ignore: version ff, extra fields on 00, all-zero ids, wrong case, junk', () => {
    for (const header of [
      undefined,
      '',
      `ff-${traceId}-${parentId}-01`,
      `00-${traceId}-${parentId}-01-extra`,
      `00-${'0'.repeat(32)}-${parentId}-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `00-${traceId.toUpperCase()}-${parentId}-01`,
      `00-${traceId}-${parentId}`,
    ]) {
      expect(parseTraceparent(header), String(header)).toBeUndefined();
    }
  });
});

describe('requestTrace', () => {
  it("continues the caller's trace with a new span of its own and keeps the caller's flags", () => {
    const trace = requestTrace(`00-${traceId}-${parentId}-00`, undefined);
    expect(trace.traceId).toBe(traceId);
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(parentId);
    expect(trace.traceparent).toBe(`00-${traceId}-${trace.spanId}-00`);
  });

  it('starts a new sampled trace without a valid parent, and uses its trace id as the request id', () => {
    const a = requestTrace('garbage', undefined);
    const b = requestTrace(undefined, undefined);
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.requestId).toBe(a.traceId);
    expect(a.traceparent.endsWith('-01')).toBe(true);
  });

  it("echoes a caller's request id only when it is short and made of safe characters", () => {
    expect(requestTrace(undefined, 'req-1.2:3_x').requestId).toBe('req-1.2:3_x');
    for (const unsafe of ['with space', 'line\nbreak', '"quoted"', 'x'.repeat(129), '']) {
      const trace = requestTrace(undefined, unsafe);
      expect(trace.requestId, unsafe).toBe(trace.traceId);
    }
  });
});

describe('assignRequestContext', () => {
  it('puts the ids and the outgoing traceparent on the context, from the request headers', async () => {
    const app = new Hono();
    app.get('/', (c) => {
      const requestId = assignRequestContext(c);
      return c.json({
        requestId,
        fromContext: c.get('requestId'),
        traceId: c.get('traceId'),
        spanId: c.get('spanId'),
        traceparent: c.get('traceparent'),
      });
    });
    const res = await app.request('/', {
      headers: { traceparent: `00-${traceId}-${parentId}-01`, [http.requestIdHeader]: 'abc-123' },
    });
    const body = (await res.json()) as Record<string, string>;
    expect(body.requestId).toBe('abc-123');
    expect(body.fromContext).toBe('abc-123');
    expect(body.traceId).toBe(traceId);
    expect(body.traceparent).toBe(`00-${traceId}-${body.spanId}-01`);
  });
});
