import { type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from 'hono';

const presetSlot = Symbol('homelab.presetResponseHeaders');

type Preset = Record<string, string>;
type HeadersArgument = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

interface PresettableResponse extends ServerResponse {
  [presetSlot]: Preset | undefined;
}

const isPresettable = (response: unknown): response is PresettableResponse =>
  typeof response === 'object' && response !== null && presetSlot in response;

/**
 * The node:http ServerResponse class `serve()` runs apps with. Two things happen in its `writeHead`, the one call
 * every answer passes through (@hono/node-server's, the gateway's streamed proxy answers, Node's implicit head):
 *
 * - Headers preset before the handler ran (`presetResponseHeaders`: security headers, the request id) go out in
 *   the same call, under whatever the handler answered. Setting them one by one with `setHeader()` validated and
 *   stored each in Node's per-response header map, which cost more than the rest of a cache hit's headers.
 * - Once the server drains, every answer not yet started gets `Connection: close`, so no client reuses a socket
 *   that is about to close. This replaces a per-request listener and set of in-flight responses.
 */
export function presettableResponseClass(closeConnections: () => boolean): typeof ServerResponse {
  // The cast: ServerResponse is generic over its request type, which node:http's option type fixes.
  return class PresettableServerResponse extends ServerResponse implements PresettableResponse {
    [presetSlot]: Preset | undefined = undefined;

    override writeHead(
      statusCode: number,
      reasonOrHeaders?: string | HeadersArgument,
      maybeHeaders?: HeadersArgument,
    ): this {
      if (closeConnections()) this.shouldKeepAlive = false;
      const preset = this[presetSlot];
      if (preset === undefined) return super.writeHead(statusCode, reasonOrHeaders as string, maybeHeaders);
      this[presetSlot] = undefined;
      if (typeof reasonOrHeaders === 'string') {
        return super.writeHead(statusCode, reasonOrHeaders, this.#merge(preset, maybeHeaders));
      }
      return super.writeHead(statusCode, this.#merge(preset, reasonOrHeaders));
    }

    /** The handler's headers win; the preset object is this response's own, so it is the merge target. */
    #merge(preset: Preset, headers: HeadersArgument): HeadersArgument {
      if (headers === undefined) return preset;
      if (Array.isArray(headers)) {
        // Raw pairs: let Node merge them over headers set the progressive way (it drops conflicts first).
        for (const name in preset) if (!this.hasHeader(name)) this.setHeader(name, preset[name] as string);
        return headers;
      }
      let merged: OutgoingHttpHeaders = preset;
      for (const name in headers) {
        // A handler's `X-Frame-Options` must replace the preset `x-frame-options`, not be sent beside it.
        const lower = name.toLowerCase();
        if (lower !== name && lower in merged) merged = withoutHeader(merged, lower);
        merged[name] = headers[name];
      }
      return merged;
    }
  } as typeof ServerResponse;
}

const withoutHeader = (headers: OutgoingHttpHeaders, name: string): OutgoingHttpHeaders => {
  const copy: OutgoingHttpHeaders = {};
  for (const key in headers) if (key !== name) copy[key] = headers[key];
  return copy;
};

/**
 * Response headers for this request, decided before the handler runs; a handler's own headers of the same name
 * win. The record is taken over (not copied). Under `serve()` they are sent with the handler's answer in one
 * `writeHead`. On another node:http server they are set on its ServerResponse; without one (`app.request()` in
 * tests, other runtimes) they go through `c.header()`, which turns Hono's plain response headers into a Headers
 * object (correct, but the slow way).
 */
export function presetResponseHeaders(c: Context, headers: Preset): void {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  if (isPresettable(outgoing)) {
    const existing = outgoing[presetSlot];
    outgoing[presetSlot] = existing === undefined ? headers : Object.assign(existing, headers);
  } else if (outgoing instanceof ServerResponse) {
    for (const name in headers) outgoing.setHeader(name, headers[name] as string);
  } else {
    for (const name in headers) c.header(name, headers[name]);
  }
}
