import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';

const cookieName = 'homelab_session';
/** Demo identities: the same character set the gateway accepts, lower case. */
export const demoIdentityPattern = /^[a-z0-9._-]{1,64}$/;

export interface SessionOptions {
  readonly secret: string;
  readonly secure: boolean;
}

/**
 * The signed-in identity lives in an HMAC-signed, HttpOnly, SameSite=Lax cookie: the browser cannot forge it
 * and other sites cannot send it with a form post. There is no password: this is a demo identity.
 */
export function createSessions({ secret, secure }: SessionOptions) {
  return {
    async identity(c: Context): Promise<string | undefined> {
      const value = await getSignedCookie(c, secret, cookieName);
      return typeof value === 'string' && demoIdentityPattern.test(value) ? value : undefined;
    },
    async signIn(c: Context, identity: string): Promise<void> {
      await setSignedCookie(c, cookieName, identity, secret, {
        httpOnly: true,
        sameSite: 'Lax',
        secure,
        path: '/',
        maxAge: 7 * 24 * 3600,
      });
    },
    signOut(c: Context): void {
      deleteCookie(c, cookieName, { path: '/' });
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
