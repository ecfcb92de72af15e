import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createSessions } from './session.ts';

/**
 * Issue 17's audit: without Redis, sign-outs live only in web's memory, so a restart brought signed-out cookies
 * back for the rest of their 12 h. In that mode a restarted process refuses every cookie issued before it started.
 */
describe('sessions kept in memory only', () => {
  const app = (issuedNotBefore?: number) => {
    const sessions = createSessions({
      secret: 's'.repeat(32),
      secure: false,
      ...(issuedNotBefore !== undefined ? { issuedNotBefore } : {}),
    });
    return new Hono()
      .post('/in', async (c) => {
        await sessions.signIn(c, 'demo');
        return c.text('ok');
      })
      .post('/out', async (c) => {
        await sessions.signOut(c);
        return c.text('ok');
      })
      .get('/me', async (c) => c.text((await sessions.identity(c)) ?? 'nobody'));
  };
  const me = async (a: Hono, cookie: string) => (await a.request('/me', { headers: { cookie } })).text();

  it('a restarted process refuses a cookie signed out before the restart, and one issued before it', async () => {
    const before = app();
    const cookie =
      ((await before.request('/in', { method: 'POST' })).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(await me(before, cookie)).toBe('demo');
    await before.request('/out', { method: 'POST', headers: { cookie } });
    expect(await me(before, cookie)).toBe('nobody');
    // Restarted without the process-start floor (the old behaviour), the signed-out cookie works again.
    expect(await me(app(), cookie)).toBe('demo');
    // Restarted with it: refused.
    const restarted = app(Math.floor(Date.now() / 1000) + 1);
    expect(await me(restarted, cookie)).toBe('nobody');
  });
});
