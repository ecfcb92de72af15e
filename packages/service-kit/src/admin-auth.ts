import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { problem } from './problem.ts';
import { requestHeader } from './request-header.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `Bearer <token>`: the scheme is case-insensitive (RFC 9110 §11.1), one or more spaces before the token. */
const bearerPattern = /^bearer +(\S+) *$/i;

/**
 * The one admin bearer check (the fault endpoints and the gateway's `/admin/upstreams` each had their own, with
 * different parsing). Returns the 401 problem to answer, or undefined when the request carries the token.
 * Digests are compared, so `timingSafeEqual` gets equal lengths and stops at no differing byte.
 */
export function adminBearer(adminToken: string): (c: Context) => Response | undefined {
  return bearerToken(adminToken, 'admin');
}

/** The same check for any realm (`admin`, `metrics`): undefined when the request carries `token`, else the 401. */
export function bearerToken(token: string, realm: string): (c: Context) => Response | undefined {
  const expected = digest(token);
  return (c) => {
    const presented = bearerPattern.exec(requestHeader(c, 'authorization') ?? '')?.[1] ?? '';
    if (presented !== '' && timingSafeEqual(digest(presented), expected)) return undefined;
    c.header('www-authenticate', `Bearer realm="${realm}"`);
    return problem(c, 401, 'Unauthorized', `a valid ${realm} bearer token is required`);
  };
}
