import { randomFillSync } from 'node:crypto';
import { http } from '@homelab/platform';
import type { Context } from 'hono';
import './context.ts';
import { requestHeader } from './request-header.ts';

/** Request ids from callers are echoed only when short and made of safe characters (they end up in logs). */
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
/** W3C Trace Context: version-traceid-parentid-flags. Unknown future versions are parsed by the same prefix. */
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zeroTrace = '0'.repeat(32);
const requestIdHeader = http.requestIdHeader;
const zeroSpan = '0'.repeat(16);

// Random ids from a pooled buffer: one fill per 64 KiB of ids (about 2,700 requests) instead of one per id.
const pool = Buffer.alloc(64 * 1024);
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

/** What a request carries through this service for correlation and tracing. */
export interface RequestTrace {
  /** The caller's `x-request-id` when well-formed, else the trace id. */
  readonly requestId: string;
  readonly traceId: string;
  /** This service's span for the request: new every time, a child of the caller's span. */
  readonly spanId: string;
  /** `traceparent` to send on calls this request makes to other services. */
  readonly traceparent: string;
}

/**
 * The request's trace context from its `traceparent` and `x-request-id` headers (either may be absent or
 * invalid). Framework-free, so a Fastify comparison in the benchmark does exactly the same work.
 */
export function requestTrace(traceparent: string | undefined, incomingRequestId: string | undefined): RequestTrace {
  const parent = parseTraceparent(traceparent);
  const traceId = parent?.traceId ?? randomHex(16);
  const spanId = randomHex(8);
  // Without a caller's id the trace id is the request id: as unique as a UUID, one random draw fewer, and a log
  // search for either finds the same lines.
  const requestId =
    incomingRequestId !== undefined && requestIdPattern.test(incomingRequestId) ? incomingRequestId : traceId;
  return { requestId, traceId, spanId, traceparent: `00-${traceId}-${spanId}-${parent?.flags ?? '01'}` };
}

/**
 * Sets `requestId`, `traceId`, `spanId` and the outgoing `traceparent` on the context and returns the request id,
 * which the caller echoes on the response.
 */
export function assignRequestContext(c: Context): string {
  const trace = requestTrace(requestHeader(c, 'traceparent'), requestHeader(c, requestIdHeader));
  c.set('requestId', trace.requestId);
  c.set('traceId', trace.traceId);
  c.set('spanId', trace.spanId);
  c.set('traceparent', trace.traceparent);
  return trace.requestId;
}
