/// <reference types="k6" />
// Shared by the k6 scripts: the profile and SLO thresholds generated from packages/platform (profile.json),
// the base URL and API key (or, for web, the load-test identity's password) from the environment (never in git).
import { check, fail } from 'k6';
import http from 'k6/http';

interface Profile {
  scenario: Record<string, unknown>;
  path: string;
  headers: Record<string, string>;
  signIn?: { path: string; username: string };
}

interface Profiles {
  thresholds: Record<string, string[]>;
  profiles: Record<string, Profile>;
}

const profile = JSON.parse(open('./profile.json')) as Profiles;

type ProfileName = 'smoke' | 'canary' | 'soak' | 'synthetic' | 'synthetic-web';

export function optionsFor(name: ProfileName, rate?: number) {
  const p = profile.profiles[name];
  if (!p) throw new Error(`no profile ${name}`);
  const scenario = rate && rate > 0 ? { ...p.scenario, rate } : p.scenario;
  return { scenarios: { [name]: scenario }, thresholds: profile.thresholds };
}

const base = () => __ENV.BASE_URL ?? 'http://localhost:3001';

/**
 * Web's profile signs in once (k6 `setup()`), as the load-test identity with WEB_PASSWORD, and returns the
 * session cookie every request then carries. The form post names this origin, as a browser's does (web's CSRF
 * check). No cookie, no load: the gate must not count redirects to the sign-in page as evidence.
 */
export function signIn(name: ProfileName): { cookie: string } {
  const p = profile.profiles[name];
  if (!p?.signIn) return { cookie: '' };
  const res = http.post(
    `${base()}${p.signIn.path}`,
    { username: __ENV.WEB_USER ?? p.signIn.username, password: __ENV.WEB_PASSWORD ?? '' },
    { redirects: 0, headers: { origin: base(), 'sec-fetch-site': 'same-origin' } },
  );
  const session = Object.entries(res.cookies).find(([cookie]) => cookie.endsWith('homelab_session'));
  if (res.status !== 303 || !session?.[1][0]) fail(`sign-in as ${p.signIn.username} failed: ${res.status}`);
  return { cookie: `${session?.[0]}=${session?.[1][0]?.value}` };
}

export function request(name: ProfileName, session: { cookie: string } = { cookie: '' }) {
  const p = profile.profiles[name];
  const headers: Record<string, string> = { ...(p?.headers ?? {}) };
  if (session.cookie) headers.cookie = session.cookie;
  else headers['x-api-key'] = __ENV.API_KEY ?? '';
  const res = http.get(`${base()}${p?.path ?? '/v1/notes'}`, { headers, redirects: 0 });
  check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
}
