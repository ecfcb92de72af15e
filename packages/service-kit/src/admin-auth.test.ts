import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { adminBearer } from './admin-auth.ts';

describe('adminBearer: the one admin token check', () => {
  const token = 'admin-token-0123456789abcdef';
  const app = new Hono();
  const requireAdmin = adminBearer(token);
  app.get('/', (c) => requireAdmin(c) ?? c.text('ok'));
  const status = async (authorization?: string) =>
    (await app.request('/', authorization === undefined ? {} : { headers: { authorization } })).status;

  it('accepts the token under the Bearer scheme, in any case, with any spacing', async () => {
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token}`])
      expect(await status(header)).toBe(200);
  });

  it('refuses everything else with 401 and a challenge, including the bare token without a scheme', async () => {
    // The gateway's own copy accepted a bare token (it only stripped an optional "Bearer ").
    for (const header of [undefined, '', token, `Basic ${token}`, `Bearer${token}`, 'Bearer ', `Bearer ${token}x`]) {
      const res = await app.request('/', header === undefined ? {} : { headers: { authorization: header } });
      expect(res.status, String(header)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
    }
  });
});
