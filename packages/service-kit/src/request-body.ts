import type { Context } from 'hono';
import { ProblemError } from './problem.ts';

/** What became of a request's body; set by `guardRequestBody`, read by whoever must tell a client fault apart. */
export interface RequestBodyState {
  /** The last byte arrived. */
  complete: boolean;
  /** Why the body was refused (413 too large, 408 too slow, 400 cut off); undefined while it is fine. */
  error: ProblemError | undefined;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set for every request with a body (see `guardRequestBody`). */
    requestBody: RequestBodyState;
  }
}

export interface RequestBodyLimits {
  readonly maxBytes: number;
  /** The whole body must have arrived this long after the request head. */
  readonly deadlineMs: number;
}

const noop = () => undefined;

/**
 * Replaces the request's body with a guarded stream that nothing reads until a handler asks for it: the size limit
 * and the deadline apply while it streams. Hono's `bodyLimit` read a chunked body to its end before the next
 * handler ran, so the gateway waited on an unterminated body from an unauthenticated client until the request
 * timeout (a 504). Now authentication and the rate limit answer first, and a body that is too large (413), too
 * slow or endless (408) or cut off (400) fails the read with a client error recorded in `c.var.requestBody`.
 * Returns a function that stops the deadline timer, for when the request ends without reading the body.
 */
export function guardRequestBody(c: Context, limits: RequestBodyLimits): () => void {
  const raw = c.req.raw;
  if (raw.body === null) return noop;
  const state: RequestBodyState = { complete: false, error: undefined };
  c.set('requestBody', state);
  const source = raw.body.getReader();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let size = 0;
  const fail = (error: ProblemError) => {
    if (state.complete || state.error !== undefined) return;
    state.error = error;
    clearTimeout(timer);
    controller?.error(error);
    source.cancel(error).catch(noop);
  };
  const timer = setTimeout(
    () =>
      fail(new ProblemError(408, 'Request Timeout', `the request body did not arrive within ${limits.deadlineMs} ms`)),
    limits.deadlineMs,
  );
  timer.unref();
  const guarded = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(c) {
      let chunk: Awaited<ReturnType<typeof source.read>>;
      try {
        chunk = await source.read();
      } catch {
        fail(new ProblemError(400, 'Bad Request', 'the request body was cut off'));
        return;
      }
      if (state.error !== undefined) return;
      if (chunk.done) {
        state.complete = true;
        clearTimeout(timer);
        c.close();
        return;
      }
      size += chunk.value.byteLength;
      if (size > limits.maxBytes) {
        fail(new ProblemError(413, 'Content Too Large', `request bodies are limited to ${limits.maxBytes} bytes`));
        return;
      }
      c.enqueue(chunk.value);
    },
    cancel(reason) {
      clearTimeout(timer);
      return source.cancel(reason);
    },
  });
  c.req.raw = new Request(raw, { body: guarded, duplex: 'half' } as RequestInit);
  return () => clearTimeout(timer);
}
