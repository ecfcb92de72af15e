// The API's own response schemas, for their types only (erased at run time: the web app loads nothing of the API).
// A field renamed or retyped in the API's contract fails to compile here and in every page that shows it.
import type { NotePageSchema, NoteSchema } from '@homelab/notes-contract';
import { auth, http } from '@homelab/platform';
import { SignJWT } from 'jose';
import type { z } from 'zod';

export type Note = Readonly<z.output<typeof NoteSchema>>;
export type NotePage = Readonly<{ notes: Note[]; nextCursor: z.output<typeof NotePageSchema>['nextCursor'] }>;

/** What a page needs to show when the call did not succeed. */
export type GatewayFailure =
  | {
      readonly kind: 'unavailable';
      readonly detail: string;
      /**
       * Whether the request may have been applied (ADR 0120): `not-applied` (never reached the API, or a read),
       * `unknown` (a write sent without an answer: it may have been saved).
       */
      readonly outcome: Outcome;
    }
  | { readonly kind: 'rate-limited'; readonly retryAfterSeconds: number }
  | {
      readonly kind: 'problem';
      readonly status: number;
      readonly title: string;
      readonly detail?: string;
      readonly errors?: { path: string; message: string }[];
    };

export type Outcome = (typeof http.upstreamOutcome)[keyof typeof http.upstreamOutcome];

export type GatewayResult<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & GatewayFailure);

export interface GatewayClientOptions {
  readonly baseUrl: string;
  readonly jwtSecret: Uint8Array;
  readonly timeoutMs: number;
}

/** Connection errors that happen before a request is sent (undici's `cause.code`). */
const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Reads change nothing, whatever became of them. */
const write = (method: string) => method !== 'GET' && method !== 'HEAD';

/** Tokens live five minutes; one is reused for four, so a page load never waits for a signature. */
const tokenLifetimeSeconds = 300;
const tokenReuseMs = 240_000;

/**
 * The notes API as the web app sees it, through the gateway. Each call carries a short-lived HS256 token for the
 * signed-in identity, plus the request id and traceparent of the page request, so one trace spans web, gateway
 * and API. Failures become values the views render (gateway down, 429, validation), never exceptions.
 */
export function createGatewayClient(options: GatewayClientOptions) {
  const tokens = new Map<string, { token: string; until: number }>();
  const tokenFor = async (identity: string) => {
    const cached = tokens.get(identity);
    if (cached && cached.until > Date.now()) return cached.token;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: auth.jwtAlgorithm })
      .setSubject(identity)
      .setIssuer(auth.jwtIssuer)
      .setAudience(auth.jwtAudience)
      .setIssuedAt()
      .setExpirationTime(`${tokenLifetimeSeconds}s`)
      .sign(options.jwtSecret);
    tokens.set(identity, { token, until: Date.now() + tokenReuseMs });
    return token;
  };

  const call = async <T>(
    identity: string,
    trace: { requestId: string; traceparent: string },
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<GatewayResult<T>> => {
    let res: Response;
    try {
      res = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await tokenFor(identity)}`,
          [http.requestIdHeader]: trace.requestId,
          traceparent: trace.traceparent,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...extraHeaders,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      // fetch fails before a connection exists (refused, unresolvable) or after the request went out (timeout,
      // reset): only the first is certainly not applied.
      const code = ((error as { cause?: { code?: string } }).cause?.code ?? '') as string;
      const neverSent = !timedOut && notSentCodes.has(code);
      return {
        ok: false,
        kind: 'unavailable',
        detail: timedOut ? `no answer within ${options.timeoutMs} ms` : 'the gateway cannot be reached',
        outcome: write(method) && !neverSent ? http.upstreamOutcome.unknown : http.upstreamOutcome.notApplied,
      };
    }
    if (res.ok) {
      const value = (res.status === 204 ? undefined : await res.json()) as T;
      return { ok: true, value };
    }
    const problem = (await res.json().catch(() => ({}))) as {
      title?: string;
      detail?: string;
      errors?: { path: string; message: string }[];
      outcome?: string;
    };
    if (res.status === 429) {
      return { ok: false, kind: 'rate-limited', retryAfterSeconds: Number(res.headers.get('retry-after') ?? 1) };
    }
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      // The gateway says whether the API got the request; without that (a cut-off answer), a write is unknown.
      const outcome =
        !write(method) || problem.outcome === http.upstreamOutcome.notApplied
          ? http.upstreamOutcome.notApplied
          : http.upstreamOutcome.unknown;
      return {
        ok: false,
        kind: 'unavailable',
        detail: problem.detail ?? `the gateway answered ${res.status}`,
        outcome,
      };
    }
    return {
      ok: false,
      kind: 'problem',
      status: res.status,
      title: problem.title ?? res.statusText,
      ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
      ...(problem.errors ? { errors: problem.errors } : {}),
    };
  };

  return {
    list: (identity: string, trace: Trace, cursor?: string) =>
      call<NotePage>(
        identity,
        trace,
        'GET',
        `/v1/notes?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    get: (identity: string, trace: Trace, id: string) =>
      call<Note>(identity, trace, 'GET', `/v1/notes/${encodeURIComponent(id)}`),
    create: (identity: string, trace: Trace, note: { title: string; body: string }) =>
      call<Note>(identity, trace, 'POST', '/v1/notes', note),
    update: (identity: string, trace: Trace, id: string, version: string, note: { title: string; body: string }) =>
      call<Note>(identity, trace, 'PATCH', `/v1/notes/${encodeURIComponent(id)}`, note, { 'if-match': `"${version}"` }),
    remove: (identity: string, trace: Trace, id: string) =>
      call<undefined>(identity, trace, 'DELETE', `/v1/notes/${encodeURIComponent(id)}`),
  };
}

export interface Trace {
  readonly requestId: string;
  readonly traceparent: string;
}

export type GatewayClient = ReturnType<typeof createGatewayClient>;
