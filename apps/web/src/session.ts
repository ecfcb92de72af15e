import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { createMemoryRevocations, type SessionRevocations } from './session-revocations.ts';
import { userNamePattern } from './users.ts';

export type { SessionRevocations } from './session-revocations.ts';

export interface SessionOptions {
  readonly secret: string;
  /** HTTPS (the cluster): the cookie gets `Secure` and the `__Host-` prefix (no Domain, Path=/, Secure). */
  readonly secure: boolean;
  /** Lifetime of a session in seconds. Default 12 hours. */
  readonly maxAgeSeconds?: number;
  /** Where sign-outs are kept. Default: this process' memory (one replica; Redis shares them across replicas). */
  readonly revocations?: SessionRevocations;
  /**
   * Unix seconds: cookies issued before this are refused. Set to the process' start when sign-outs live only in
   * its memory (no Redis): a restart forgets them, so it ends every earlier session rather than revive signed-out
   * cookies for the rest of their 12 h (issue 17's audit, ADR 0121).
   */
  readonly issuedNotBefore?: number;
}

/** A session cookie's parts, once its signature is verified. */
interface SessionCookie {
  readonly user: string;
  readonly sessionId: string;
  /** Seconds since it was issued. */
  readonly age: number;
}

/**
 * The signed-in user lives in an HMAC-signed, HttpOnly, SameSite=Lax cookie: `<user>:<session id>:<issued at>`.
 * The browser cannot forge it and other sites cannot send it with a form post. Every sign-in issues a new random
 * session id and ignores any cookie the browser presented (no session fixation); the server refuses a cookie
 * older than `maxAgeSeconds` whatever the browser keeps. Sign-out deletes it and revokes its session id on the
 * server (`revocations`), so a copy of the cookie (another tab's, a stolen one) stops working at once (ADR 0121).
 */
export function createSessions({
  secret,
  secure,
  maxAgeSeconds = 12 * 3600,
  revocations = createMemoryRevocations(),
  issuedNotBefore = 0,
}: SessionOptions) {
  const cookieName = secure ? '__Host-homelab_session' : 'homelab_session';
  /** The signed cookie's parts while it is within its lifetime; revocation is checked by the caller. */
  const read = async (c: Context): Promise<SessionCookie | undefined> => {
    const value = await getSignedCookie(c, secret, cookieName);
    if (typeof value !== 'string') return undefined;
    const [user, sessionId, issuedAt] = value.split(':');
    if (!user || !userNamePattern.test(user) || !sessionId || !issuedAt) return undefined;
    if (Number(issuedAt) < issuedNotBefore) return undefined;
    const age = Date.now() / 1000 - Number(issuedAt);
    return age >= 0 && age < maxAgeSeconds ? { user, sessionId, age } : undefined;
  };
  return {
    cookieName,
    async identity(c: Context): Promise<string | undefined> {
      const session = await read(c);
      if (session === undefined || (await revocations.isRevoked(session.sessionId))) return undefined;
      return session.user;
    },
    async signIn(c: Context, user: string): Promise<void> {
      const value = `${user}:${randomBytes(16).toString('base64url')}:${Math.floor(Date.now() / 1000)}`;
      await setSignedCookie(c, cookieName, value, secret, {
        httpOnly: true,
        sameSite: 'Lax',
        secure,
        path: '/',
        maxAge: maxAgeSeconds,
      });
    },
    /** Revokes the presented session for what is left of its lifetime, and deletes the cookie. */
    async signOut(c: Context): Promise<void> {
      const session = await read(c);
      if (session !== undefined) await revocations.revoke(session.sessionId, maxAgeSeconds - session.age);
      deleteCookie(c, cookieName, { path: '/', secure });
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
