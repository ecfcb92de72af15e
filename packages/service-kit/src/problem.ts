import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** RFC 9457 problem details, plus the request id so a user's report can be matched to the logs. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const problemContentType = 'application/problem+json';

/**
 * Throw from a handler to answer with a problem. It is an HTTPException, so Hono middleware that understands
 * those (timeout, body limit) composes with it; the service app's error handler renders it as problem+json.
 */
export class ProblemError extends HTTPException {
  readonly title: string;
  readonly detail: string | undefined;
  readonly extra: Record<string, unknown> | undefined;
  constructor(status: ContentfulStatusCode, title: string, detail?: string, extra?: Record<string, unknown>) {
    super(status, { message: detail ?? title });
    this.name = 'ProblemError';
    this.title = title;
    this.detail = detail;
    this.extra = extra;
  }
}

/** Builds the body; `type` is about:blank (RFC 9457 §4.2.1) unless `extra` names a more specific one. */
export function problemBody(
  c: Context,
  status: number,
  title: string,
  detail?: string,
  extra?: Record<string, unknown>,
): ProblemBody {
  const body: ProblemBody = { type: 'about:blank', title, status, instance: c.req.path };
  if (detail !== undefined) body.detail = detail;
  const requestId = c.get('requestId');
  if (requestId !== undefined) body.requestId = requestId;
  if (extra) Object.assign(body, extra);
  return body;
}

/** Answers with an RFC 9457 `application/problem+json` response. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  detail?: string,
  extra?: Record<string, unknown>,
): Response {
  return c.body(JSON.stringify(problemBody(c, status, title, detail, extra)), status, {
    'content-type': problemContentType,
  });
}
