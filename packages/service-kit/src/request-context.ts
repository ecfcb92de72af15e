import { randomFillSync } from 'node:crypto';
import { http } from '@homelab/platform';
import type { Context, MiddlewareHandler } from 'hono';
import './context.ts';
import { setResponseHeader } from './guards.ts';

/** Request ids from callers are echoed only when short and made of safe characters (they end up in logs). */
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
/** W3C Trace Context: version-traceid-parentid-flags. Unknown future versions are parsed by the same prefix. */
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zeroTrace = '0'.repeat(32);
const requestIdHeader = http.requestIdHeader;
const zeroSpan = '0'.repeat(16);

// Random ids from a pooled buffer: one syscall per 4 KiB of ids instead of one per request.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
const randomHex = (bytes: number): string => {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
};

export interface ParsedTraceparent {
  readonly traceId: string;
  readonly parentId: string;
  readonly flags: string;
}

/** Parses a `traceparent` header; undefined when absent or invalid (the spec says: then start a new trace). */
export function parseTraceparent(header: string | undefined): ParsedTraceparent | undefined {
  if (header === undefined) return undefined;
  const match = traceparentPattern.exec(header.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === zeroTrace || parentId === zeroSpan) return undefined;
  return { traceId, parentId, flags };
}

/**
 * Sets `requestId`, `traceId`, `spanId` and the outgoing `traceparent` on the context and returns the request id,
 * which the caller echoes on the response. The span id is new for every request: this service's hop is a child
 * of the caller's span.
 */
export function assignRequestContext(c: Context): string {
  const parent = parseTraceparent(c.req.header('traceparent'));
  const traceId = parent?.traceId ?? randomHex(16);
  const spanId = randomHex(8);
  // Without a caller's id the trace id is the request id: as unique as a UUID, one random draw fewer, and a log
  // search for either finds the same lines.
  const incomingId = c.req.header(requestIdHeader);
  const requestId = incomingId !== undefined && requestIdPattern.test(incomingId) ? incomingId : traceId;
  c.set('requestId', requestId);
  c.set('traceId', traceId);
  c.set('spanId', spanId);
  c.set('traceparent', `00-${traceId}-${spanId}-${parent?.flags ?? '01'}`);
  return requestId;
}

export const requestContext = (): MiddlewareHandler =>
  async function requestContext(c, next) {
    setResponseHeader(c, requestIdHeader, assignRequestContext(c));
    await next();
  };
