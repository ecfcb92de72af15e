import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { userNamePattern } from './users.ts';

export interface SessionOptions {
  readonly secret: string;
  /** HTTPS (the cluster): the cookie gets `Secure` and the `__Host-` prefix (no Domain, Path=/, Secure). */
  readonly secure: boolean;
  /** Lifetime of a session in seconds. Default 12 hours. */
  readonly maxAgeSeconds?: number;
}

/**
 * The signed-in user lives in an HMAC-signed, HttpOnly, SameSite=Lax cookie: `<user>:<session id>:<issued at>`.
 * The browser cannot forge it and other sites cannot send it with a form post. Every sign-in issues a new random
 * session id and ignores any cookie the browser presented (no session fixation); the server refuses a cookie
 * older than `maxAgeSeconds` whatever the browser keeps. Sign-out deletes it. Stateless: a copied cookie stays
 * valid until it expires, which is why the lifetime is hours, not days.
 */
export function createSessions({ secret, secure, maxAgeSeconds = 12 * 3600 }: SessionOptions) {
  const cookieName = secure ? '__Host-homelab_session' : 'homelab_session';
  return {
    cookieName,
    async identity(c: Context): Promise<string | undefined> {
      const value = await getSignedCookie(c, secret, cookieName);
      if (typeof value !== 'string') return undefined;
      const [user, sessionId, issuedAt] = value.split(':');
      if (!user || !userNamePattern.test(user) || !sessionId || !issuedAt) return undefined;
      const age = Date.now() / 1000 - Number(issuedAt);
      return age >= 0 && age < maxAgeSeconds ? user : undefined;
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
    signOut(c: Context): void {
      deleteCookie(c, cookieName, { path: '/', secure });
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
