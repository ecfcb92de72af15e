import { createLogger, createMetrics } from '@homelab/service-kit';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.tsx';
import type { GatewayClient, GatewayResult } from '../gateway-client.ts';
import { createSessions } from '../session.ts';
import { createUserDirectory, hashPassword } from '../users.ts';

const origin = 'http://web.test';
type Answer = GatewayResult<unknown>;
const password = 'a test password';
const usersText = `alice:${await hashPassword(password)}`;

/** The web app with a gateway that answers whatever the test says, to render each error state. */
async function webWith(answer: () => Answer) {
  const reply = async () => answer() as never;
  const gateway: GatewayClient = { list: reply, get: reply, create: reply, update: reply, remove: reply };
  const sessions = createSessions({ secret: 's'.repeat(32), secure: false });
  const { app } = createApp({
    logger: createLogger({ service: 'web', version: 'test', level: 'silent' }),
    metrics: createMetrics({ service: 'web', version: 'test', commit: 'test' }),
    gateway,
    sessions,
    users: await createUserDirectory(usersText),
    readStatus: async () => ({ source: 'service metrics', window: 'test', services: [], canary: undefined }),
  });
  const signIn = async () => {
    const res = await app.request(`${origin}/signin`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password }).toString(),
    });
    return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  };
  return { app, signIn };
}

describe('web error states', () => {
  it('shows a gateway outage as 503 with a message, and a rate limit as 429 with Retry-After', async () => {
    let answer: Answer = {
      ok: false,
      kind: 'unavailable',
      detail: 'the gateway cannot be reached',
      outcome: 'not-applied',
    };
    const { app, signIn } = await webWith(() => answer);
    const cookie = await signIn();
    const down = await app.request(`${origin}/notes`, { headers: { cookie } });
    expect(down.status).toBe(503);
    expect(await down.text()).toContain('The notes service is unreachable right now.');

    answer = { ok: false, kind: 'rate-limited', retryAfterSeconds: 7 };
    const limited = await app.request(`${origin}/notes`, {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=t&body=b',
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.text()).toContain('Wait 7 s and try again.');
  });

  it('keeps the input and lists the API validation errors', async () => {
    const { app, signIn } = await webWith(() => ({
      ok: false,
      kind: 'problem',
      status: 400,
      title: 'Bad Request',
      errors: [{ path: 'title', message: 'Too big' }],
    }));
    const cookie = await signIn();
    const res = await app.request(`${origin}/notes`, {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=kept%20title&body=kept%20body',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('title: Too big');
    expect(html).toContain('value="kept title"');
    expect(html).toContain('kept body</textarea>');
  });

  it('refuses cross-site form posts and redirects anonymous visitors to sign in', async () => {
    const { app, signIn } = await webWith(() => ({ ok: true, value: { notes: [], nextCursor: null } }));
    const cookie = await signIn();
    const forged = await app.request(`${origin}/notes`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=x',
    });
    expect(forged.status).toBe(403);
    const anonymous = await app.request(`${origin}/notes`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/signin');
    const page = await app.request(`${origin}/notes`, { headers: { cookie } });
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('No notes yet.');
  });

  it('escapes note content', async () => {
    const note = {
      id: 'n1',
      title: '<script>alert(1)</script>',
      body: 'b',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
      version: 1,
    };
    const { app, signIn } = await webWith(() => ({ ok: true, value: { notes: [note], nextCursor: null } }));
    const html = await (await app.request(`${origin}/notes`, { headers: { cookie: await signIn() } })).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
