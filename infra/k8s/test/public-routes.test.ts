import { readFileSync } from 'node:fs';
import { notesOpenApiDocument } from '@homelab/notes-contract';
import { edge, http, operationalPathPrefixes } from '@homelab/platform';
import { createLogger, createMetrics } from '@homelab/service-kit';
import { createApp, createSessions, createUserDirectory, type GatewayClient } from '@homelab/web';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * What the internet can reach. The public listener must route every page and API operation the apps really serve
 * (taken from the apps themselves: the web app's route table, the gateway's published OpenAPI document) and none of
 * their operational endpoints (metrics, probes, admin), which every app serves unauthenticated or for operators.
 */
// biome-ignore lint/suspicious/noExplicitAny: manifests are plain parsed YAML
type Obj = any;

const objects: Obj[] = parseAllDocuments(readFileSync(new URL('../dist/apps.k8s.yaml', import.meta.url), 'utf8')).map(
  (d) => d.toJSON(),
);
const publicRoutes = objects.filter(
  (o) => o.kind === 'HTTPRoute' && o.spec.parentRefs.some((p: Obj) => p.name === edge.public.name),
);
const routeOf = (app: string) => publicRoutes.find((r) => r.metadata.name === app);

/** Gateway API path matching: Exact is equality; PathPrefix matches whole segments ("/v1" matches "/v1/x", not "/v1x"). */
function routes(route: Obj, path: string): boolean {
  return route.spec.rules.some((rule: Obj) =>
    (rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]).some(({ path: m }: Obj) => {
      if (m.type === 'Exact') return path === m.value;
      const prefix = m.value.replace(/\/$/, '');
      return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
    }),
  );
}

const operational = [
  ...operationalPathPrefixes,
  `${http.paths.metrics}/`,
  '/admin/faults',
  '/admin/upstreams',
  '/admin/upstreams/notes',
];

/** The web app's own GET pages, from its route table (parameters filled in). */
async function webPages(): Promise<string[]> {
  const reply = async () => ({ ok: true, value: { notes: [], nextCursor: null } }) as never;
  const gateway: GatewayClient = { list: reply, get: reply, create: reply, update: reply, remove: reply };
  const { app } = createApp({
    logger: createLogger({ service: 'web', version: 'test', level: 'silent' }),
    metrics: createMetrics({ service: 'web', version: 'test', commit: 'test' }),
    gateway,
    sessions: createSessions({ secret: 's'.repeat(32), secure: true }),
    users: await createUserDirectory(undefined),
    readStatus: async () => ({ source: 'service metrics', window: 'test', services: [], canary: undefined }),
  });
  return [
    ...new Set(
      app.routes
        .filter((r) => r.method === 'GET' || r.method === 'POST')
        .map((r) => r.path.replace(/:[^/]+/g, 'x').replace(/\/\*$/, ''))
        .filter((p) => p !== '*' && p !== '/*'),
    ),
  ];
}

describe('the public listener', () => {
  it('carries only the web and gateway routes (the API is reached through the gateway)', () => {
    expect(publicRoutes.map((r) => r.metadata.name).sort()).toEqual(['gateway', 'web']);
  });

  it.each(['web', 'gateway'])('routes no operational path of %s', (app) => {
    const route = routeOf(app);
    for (const path of operational) expect(routes(route, path), `${app} ${path}`).toBe(false);
  });

  it('routes every page the web app serves, except its operational ones', async () => {
    const pages = await webPages();
    expect(pages.length, 'the web app registers pages').toBeGreaterThan(5);
    const route = routeOf('web');
    for (const page of pages) {
      const isOperational = operationalPathPrefixes.some((p) => page === p || page.startsWith(`${p}/`));
      expect(routes(route, page), page).toBe(!isOperational);
    }
  });

  it('routes every operation of the gateway contract and the contract itself', () => {
    const doc = notesOpenApiDocument('gateway');
    const paths = Object.keys(doc.paths ?? {}).map((p) => p.replace(/\{[^}]+\}/g, 'x'));
    expect(paths.length).toBeGreaterThan(1);
    const route = routeOf('gateway');
    for (const path of [...paths, http.paths.openapi]) expect(routes(route, path), path).toBe(true);
  });

  it('would catch the catch-all route it replaced', () => {
    const catchAll = { spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] } };
    expect(routes(catchAll, http.paths.metrics)).toBe(true);
  });
});
