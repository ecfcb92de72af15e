import type { IncomingHttpHeaders } from 'node:http';
import { canaryGate, http } from '@homelab/platform';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection and must not be forwarded; `host` is set by the
 * client pool from the upstream origin. Credentials stop here: the API trusts the gateway's signed identity token
 * only. `x-homelab-user` (the unsigned identity header of before ADR 0071) is dropped too, for any API still
 * reading it during a rollout. Exported for the benchmark's bare proxy and nginx reference (apps/gateway/bench), so
 * they drop exactly what the gateway drops.
 */
export const dropOnRequest: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
  'x-api-key',
  'cookie',
  http.identityHeader,
  'x-homelab-user',
  http.requestIdHeader,
  'traceparent',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  // Re-added below only for the load-test identity: anyone else's tag would hide its requests from the SLO.
  canaryGate.synthetic.header,
]);

const dropOnResponse = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** What the gateway adds to every upstream request. */
export interface ForwardContext {
  /** The signed identity token (ADR 0071), not the bare identity. */
  readonly identityToken: string;
  readonly requestId: string;
  readonly traceparent: string;
  readonly clientAddress: string;
  /** The caller is the canary gate's load-test identity and tagged the request: the tag goes on (ADR 0130). */
  readonly synthetic?: boolean;
}

/**
 * Names listed in `Connection` are hop-by-hop too (RFC 9110 §7.6.1). Nearly every message says just
 * `keep-alive` or `close`, which name nothing else: no Set is built for those.
 */
export const connectionListed = (value: string | undefined): Set<string> | undefined => {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return undefined;
  return new Set(lower.split(',').map((v) => v.trim()));
};

/**
 * Builds the upstream request headers as undici's flat `[name, value, ...]` array from Node's raw header list
 * (no Headers object, no lower-casing of values). A client's copy of the identity header is dropped here.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], forward: ForwardContext): string[] {
  const out: string[] = [];
  let listed: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    if (name === 'connection') {
      listed = connectionListed(rawHeaders[i + 1]);
      continue;
    }
    if (dropOnRequest.has(name)) continue;
    out.push(name, rawHeaders[i + 1] as string);
  }
  // Rare: the client named extra hop-by-hop headers; drop them after the fact instead of scanning twice.
  if (listed) {
    const kept: string[] = [];
    for (let i = 0; i < out.length; i += 2)
      if (!listed.has(out[i] as string)) kept.push(out[i] as string, out[i + 1] as string);
    out.length = 0;
    out.push(...kept);
  }
  out.push(
    http.identityHeader,
    forward.identityToken,
    http.requestIdHeader,
    forward.requestId,
    'traceparent',
    forward.traceparent,
    'x-forwarded-for',
    forward.clientAddress,
    'x-forwarded-proto',
    'http',
  );
  if (forward.synthetic) out.push(canaryGate.synthetic.header, canaryGate.synthetic.value);
  return out;
}

/**
 * The upstream's response headers minus hop-by-hop ones, plus the gateway's own where the upstream did not set
 * them: `limits` (RateLimit-*), `cors` (for the web origin), then `gateway` (headers middleware put on the
 * context, only off node-server). Built from plain objects in one pass: no `Headers` instance and no
 * intermediate record on the hot path. The request id and the security headers are not added here: the service
 * kit presets them under every answer of the process, proxied ones included.
 */
export function downstreamResponseHeaders(
  upstream: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  limits: Readonly<Record<string, string>> | undefined,
  cors: Readonly<Record<string, string>> | undefined,
  gateway?: Headers,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(typeof upstream.connection === 'string' ? upstream.connection : undefined);
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || dropOnResponse.has(name) || listed?.has(name)) continue;
    out[name] = value;
  }
  if (limits) for (const name in limits) if (!(name in out)) out[name] = limits[name] as string;
  if (cors) for (const name in cors) if (!(name in out)) out[name] = cors[name] as string;
  if (gateway) for (const [name, value] of gateway) if (!(name in out)) out[name] = value;
  return out;
}
