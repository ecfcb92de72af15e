import { Agent, request } from 'node:http';
import { http, shutdown } from '@homelab/platform';
import { createIdentitySigner } from '@homelab/service-kit';
import { createDatabase, realServersRequired, testIdentitySecret } from '@homelab/test-servers';
import { describe, expect, inject, it } from 'vitest';
import { apiImpls, startApi } from './testing/api-process.ts';

interface Outcome {
  status: number;
  connection: string | undefined;
}

const postgresServerUrl = inject('postgresServerUrl');
if (postgresServerUrl === '' && !realServersRequired()) {
  console.warn('[notice] no real PostgreSQL here: the drain comparison is skipped');
}
const identity = { [http.identityHeader]: await createIdentitySigner({ secret: testIdentitySecret })('drain') };

function send(agent: Agent, url: string, method: string, body?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent, method, headers: { ...identity, ...(body ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * SIGTERM under keep-alive load, the same run for both implementations (apps/api/src/shutdown.test.ts is the
 * TypeScript API's own): each client keeps sending on its connection until an answer says Connection: close, as
 * the proxy in front of a pod does. Every request sent gets a 2xx, readiness turns 503 at once, exit code 0.
 */
describe.skipIf(postgresServerUrl === '').each(apiImpls)('graceful shutdown of the %s API', (impl) => {
  it('drains under load: zero failed requests, readiness 503, every client told to go, exit 0', async () => {
    const api = await startApi(impl, {
      DATABASE_URL: await createDatabase(postgresServerUrl, `drain_${impl}`),
      MIGRATE_ON_START: 'true',
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const created = await fetch(`${api.url}/v1/notes`, {
      method: 'POST',
      headers: { ...identity, 'content-type': 'application/json' },
      body: '{"title":"drain"}',
    });
    const noteId = ((await created.json()) as { id: string }).id;
    const ok: Outcome[] = [];
    const failures: string[] = [];
    let toldToGo = 0;
    let stop = false;
    const loop = async (i: number) => {
      while (!stop) {
        try {
          const outcome =
            i % 4 === 0
              ? await send(agent, `${api.url}/v1/notes`, 'POST', JSON.stringify({ title: `w${ok.length}` }))
              : await send(agent, `${api.url}/v1/notes/${noteId}`, 'GET');
          if (outcome.status >= 200 && outcome.status < 300) ok.push(outcome);
          else failures.push(`status ${outcome.status}`);
          if (outcome.connection === 'close') {
            toldToGo++;
            return;
          }
        } catch (error) {
          failures.push(`${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`);
          return;
        }
      }
    };
    const loops = Array.from({ length: 8 }, (_, i) => loop(i));
    await new Promise((r) => setTimeout(r, 1500));
    const beforeSignal = ok.length;
    const signalled = Date.now();
    const exited = api.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const readiness = await fetch(`${api.url}${http.paths.readiness}`).then((r) => r.status);
    const code = await exited;
    const tookMs = Date.now() - signalled;
    stop = true;
    await Promise.all(loops);
    agent.destroy();

    expect(failures, api.output.join('')).toEqual([]);
    expect(code, api.output.join('')).toBe(0);
    expect(readiness).toBe(503);
    expect(beforeSignal).toBeGreaterThan(20);
    expect(ok.length).toBeGreaterThan(beforeSignal);
    expect(toldToGo).toBe(loops.length);
    expect(tookMs).toBeLessThan(shutdown.drainSeconds * 1000);
  }, 600_000);
});
