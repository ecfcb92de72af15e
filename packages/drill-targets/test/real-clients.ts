import { apps, auth, http } from '@homelab/platform';

/**
 * Scripts the test clients run inside pods of the api image (`node --input-type=module -e`): they sign identity
 * tokens the way the gateway does (the service kit in the image), talk to the api through its Service by name,
 * and write their result to the termination log, where the test reads it from the pod's status.
 */
const prelude = (base: string) => `
import { writeFileSync } from 'node:fs';
import { createIdentitySigner } from '/app/packages/service-kit/src/index.ts';
const sign = createIdentitySigner({ secret: process.env.IDENTITY_KEY });
const headers = async () => ({ ${JSON.stringify(http.identityHeader)}: await sign('real-nodes'), 'content-type': 'application/json' });
const base = ${JSON.stringify(base)};
const call = async (method, path, body, extra = {}) => {
  const res = await fetch(base + path, { method, headers: { ...(await headers()), ...extra }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
const done = (result) => { writeFileSync('/dev/termination-log', JSON.stringify(result).slice(0, 4000)); process.exit(0); };
const fail = (e) => { writeFileSync('/dev/termination-log', String(e?.stack ?? e).slice(0, 4000)); process.exit(1); };
`;

export const apiBase = (namespace: string, clusterDomain: string) =>
  `http://${apps.api.name}.${namespace}.svc.${clusterDomain}:${apps.api.port}`;

/** Creates `count` notes, reads one back, updates and deletes another; reports every acknowledged id. */
export const crudScript = (base: string, count: number) => `${prelude(base)}
try {
  const created = [];
  for (let i = 0; i < ${count}; i++) {
    const r = await call('POST', '/v1/notes', { title: 'note ' + i, body: 'written on a real node ' + i });
    if (r.status !== 201) throw new Error('create ' + i + ': ' + r.status + ' ' + JSON.stringify(r.body));
    created.push(r.body.id);
  }
  const one = await call('GET', '/v1/notes/' + created[0]);
  // PATCH requires If-Match with the note's version (ADR 0072): read it, then send it back.
  const current = await call('GET', '/v1/notes/' + created[1]);
  const patched = await call('PATCH', '/v1/notes/' + created[1], { title: 'patched' }, { 'if-match': '"' + current.body.version + '"' });
  const removed = await call('DELETE', '/v1/notes/' + created[2]);
  const gone = await call('GET', '/v1/notes/' + created[2]);
  done({ created, get: one.status, title: one.body?.title, patch: patched.status, patchedTitle: patched.body?.title, delete: removed.status, afterDelete: gone.status });
} catch (e) { fail(e); }
`;

/** Lists every note of the test identity (all pages). */
export const listScript = (base: string) => `${prelude(base)}
try {
  const ids = [];
  let cursor;
  do {
    const r = await call('GET', '/v1/notes?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    if (r.status !== 200) throw new Error('list: ' + r.status + ' ' + JSON.stringify(r.body));
    ids.push(...r.body.notes.map((n) => n.id));
    cursor = r.body.nextCursor;
  } while (cursor);
  done({ ids });
} catch (e) { fail(e); }
`;

/** `concurrency` loops of create + list + get for `seconds`; reports the request count and the statuses seen. */
export const loadScript = (base: string, seconds: number, concurrency: number) => `${prelude(base)}
try {
  const until = Date.now() + ${seconds * 1000};
  const statuses = {};
  let requests = 0;
  const loop = async () => {
    while (Date.now() < until) {
      for (const r of [await call('POST', '/v1/notes', { title: 'load', body: 'x'.repeat(2000) }), await call('GET', '/v1/notes?limit=50')]) {
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        requests++;
      }
    }
  };
  await Promise.all(Array.from({ length: ${concurrency} }, loop));
  done({ requests, statuses });
} catch (e) { fail(e); }
`;

export const serviceBase = (app: 'gateway' | 'web', namespace: string, clusterDomain: string) =>
  `http://${apps[app].name}.${namespace}.svc.${clusterDomain}:${apps[app].port}`;

/**
 * The paths a user's request takes: notes CRUD through the gateway Service with an API key (gateway -> api ->
 * PostgreSQL and Redis), each note read back through the gateway; then web: its sign-in page (server-rendered JSX),
 * a sign-in and a note created with web's forms (web -> gateway -> api) and found on the notes page. The API key and
 * the web password come from the pod's API_KEY and WEB_PASSWORD.
 */
export const edgeScript = (gateway: string, web: string, user: string, count: number) => `
import { writeFileSync } from 'node:fs';
const done = (result) => { writeFileSync('/dev/termination-log', JSON.stringify(result).slice(0, 4000)); process.exit(0); };
const fail = (e) => { writeFileSync('/dev/termination-log', String(e?.stack ?? e).slice(0, 4000)); process.exit(1); };
const headers = { ${JSON.stringify(auth.apiKeyHeader)}: process.env.API_KEY, 'content-type': 'application/json' };
const call = async (method, path, body) => {
  const res = await fetch(${JSON.stringify(gateway)} + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
try {
  const created = [];
  for (let i = 0; i < ${count}; i++) {
    const r = await call('POST', '/v1/notes', { title: 'edge ' + i });
    if (r.status !== 201) throw new Error('create ' + i + ' through the gateway: ' + r.status + ' ' + JSON.stringify(r.body));
    created.push(r.body.id);
  }
  const read = await Promise.all(created.map((id) => call('GET', '/v1/notes/' + id)));
  const anonymous = await fetch(${JSON.stringify(gateway)} + '/v1/notes').then((r) => r.status);
  const signin = await fetch(${JSON.stringify(web)} + '/signin');
  const page = await signin.text();
  const webReady = await fetch(${JSON.stringify(web)} + '/readyz').then((r) => r.status);
  // A user through web: sign in with the form (same-origin, as a browser posts it), create a note with the form
  // (web -> gateway -> api -> PostgreSQL), and find it on the notes page.
  const formHeaders = (cookie = '') => ({ 'content-type': 'application/x-www-form-urlencoded', origin: ${JSON.stringify(web)}, cookie });
  const signedIn = await fetch(${JSON.stringify(web)} + '/signin', { method: 'POST', redirect: 'manual', headers: formHeaders(), body: new URLSearchParams({ username: ${JSON.stringify(user)}, password: process.env.WEB_PASSWORD }) });
  const cookie = (signedIn.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const title = 'through web ' + Date.now();
  const posted = await fetch(${JSON.stringify(web)} + '/notes', { method: 'POST', redirect: 'manual', headers: formHeaders(cookie), body: new URLSearchParams({ title, body: 'web -> gateway -> api' }) });
  const notesPage = await fetch(${JSON.stringify(web)} + '/notes', { headers: { cookie } }).then((r) => r.text());
  done({ created, readTitles: read.map((r) => r.status + ' ' + r.body?.title), anonymous, signin: signin.status, signinForm: page.includes('<form'), webReady, webSignIn: signedIn.status, webCreate: posted.status + ' ' + posted.headers.get('location'), webListsIt: notesPage.includes(title) });
} catch (e) { fail(e); }
`;
