/// <reference types="k6" />
// Shared by the k6 scripts: the profile and SLO thresholds generated from packages/platform (profile.json),
// the base URL and API key from the environment (never in git).
import { check } from 'k6';
import http from 'k6/http';

interface Profiles {
  thresholds: Record<string, string[]>;
  profiles: Record<string, { scenario: Record<string, unknown>; path: string; headers: Record<string, string> }>;
}

const profile = JSON.parse(open('./profile.json')) as Profiles;

type ProfileName = 'smoke' | 'canary' | 'soak' | 'synthetic';

export function optionsFor(name: ProfileName, rate?: number) {
  const p = profile.profiles[name];
  if (!p) throw new Error(`no profile ${name}`);
  const scenario = rate && rate > 0 ? { ...p.scenario, rate } : p.scenario;
  return { scenarios: { [name]: scenario }, thresholds: profile.thresholds };
}

export function request(name: ProfileName) {
  const p = profile.profiles[name];
  const base = __ENV.BASE_URL ?? 'http://localhost:3001';
  const res = http.get(`${base}${p?.path ?? '/v1/notes'}`, {
    headers: { ...(p?.headers ?? {}), 'x-api-key': __ENV.API_KEY ?? '' },
  });
  check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
}
