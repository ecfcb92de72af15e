import { createLogger, createMetrics } from '@homelab/service-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app.tsx';
import { loadWebEnv } from '../env.ts';
import type { GatewayClient } from '../gateway-client.ts';
import { createSessions } from '../session.ts';
import { createUserDirectory, hashPassword } from '../users.ts';

const origin = 'http://web.test';
const password = 'demo password from the secrets file';
const usersText = `demo:${await hashPassword(password)}`;

async function web({ secure = false } = {}) {
  const reply = async () => ({ ok: true, value: { notes: [], nextCursor: null } }) as never;
  const gateway: GatewayClient = { list: reply, get: reply, create: reply, update: reply, remove: reply };
  const { app } = createApp({
    logger: createLogger({ service: 'web', version: 'test', level: 'silent' }),
    metrics: createMetrics({ service: 'web', version: 'test', commit: 'test' }),
    gateway,
    sessions: createSessions({ secret: 's'.repeat(32), secure }),
    users: await createUserDirectory(usersText),
    readStatus: async () => ({ source: 'service metrics', window: 'test', services: [], canary: undefined }),
  });
  const post = (form: Record<string, string>, cookie?: string) =>
    app.request(`${origin}/signin`, {
      method: 'POST',
      headers: {
        origin,
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });
  const notes = (cookie: string) => app.request(`${origin}/notes`, { headers: { cookie } });
  return { post, notes };
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] as string;

describe('web sign-in', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses a name without the password: the demo identity is no longer free for anyone', async () => {
    const { post } = await web();
    const res = await post({ identity: 'demo' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('answers a wrong password and an unknown user with the same generic failure', async () => {
    const { post } = await web();
    const wrong = await post({ username: 'demo', password: 'guess' });
    const unknown = await post({ username: 'mallory', password: 'guess' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    for (const res of [wrong, unknown]) {
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toContain('Wrong user name or password.');
    }
  });

  it('signs in with the password into an HttpOnly, SameSite cookie and shows the notes', async () => {
    const { post, notes } = await web();
    const res = await post({ username: 'Demo ', password });
    expect(res.status).toBe(303);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect((await notes(cookieOf(res))).status).toBe(200);
  });

  it('issues a new session on every sign-in, whatever cookie the browser brought (no fixation)', async () => {
    const { post, notes } = await web();
    const first = cookieOf(await post({ username: 'demo', password }));
    const second = cookieOf(await post({ username: 'demo', password }, first));
    expect(second).not.toBe(first);
    // A cookie an attacker chose (not signed with the secret) is no session at all.
    const planted = 'homelab_session=demo:attacker-chosen:1';
    const planted303 = await notes(planted);
    expect(planted303.status).toBe(303);
    expect(planted303.headers.get('location')).toBe('/signin');
  });

  it('uses a __Host- Secure cookie over HTTPS', async () => {
    const { post } = await web({ secure: true });
    const setCookie = (await post({ username: 'demo', password })).headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^__Host-homelab_session=/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/Path=\//);
  });

  it('locks a user name after 5 failures, even for the right password, with Retry-After', async () => {
    const { post } = await web();
    for (let i = 0; i < 5; i++) expect((await post({ username: 'demo', password: `guess ${i}` })).status).toBe(401);
    const locked = await post({ username: 'demo', password });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.headers.get('set-cookie')).toBeNull();
  });

  it('stops start-up on a malformed WEB_USERS, naming it', () => {
    const base = { JWT_SECRET: 'j'.repeat(32), SESSION_SECRET: 's'.repeat(32) };
    expect(() => loadWebEnv({ ...base, WEB_USERS: 'demo:plaintext-password' })).toThrow(/WEB_USERS/);
    expect(loadWebEnv({ ...base, WEB_USERS: usersText }).WEB_USERS).toBe(usersText);
  });

  it('ends a session after its lifetime, whatever the browser keeps', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { post, notes } = await web();
    const cookie = cookieOf(await post({ username: 'demo', password }));
    expect((await notes(cookie)).status).toBe(200);
    vi.setSystemTime(Date.now() + 13 * 3600 * 1000);
    expect((await notes(cookie)).status).toBe(303);
  });
});
