import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shutdown } from '@homelab/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { userHeaders } from './testing/identity.ts';
import { spawnApi } from './testing/spawn-api.ts';

interface Outcome {
  status: number;
  connection: string | undefined;
}

/** Signed once: the test is shorter than a token's lifetime. */
const loadtest = await userHeaders('loadtest');

function send(agent: Agent, url: string, method: string, body?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method,
        headers: { ...loadtest, ...(body ? { 'content-type': 'application/json' } : {}) },
      },
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
 * The real process under constant keep-alive load gets SIGTERM. Each client behaves like the proxy in front of
 * the pod: it keeps sending on its connection until a response says `Connection: close` (then the endpoint is
 * draining and the proxy sends elsewhere). Every request sent must be answered with a 2xx: no resets, no 5xx.
 * (A client that kept opening new connections to a closing listener would be reset by the kernel's accept queue;
 * in the cluster the preStop sleep and endpoint removal keep new connections away, see workload-checklist.)
 */
describe('graceful shutdown of the real API process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'api-shutdown-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('drains under load: zero failed requests, exit code 0, within the drain budget', async () => {
    const api = await spawnApi({ PGLITE_DATA_DIR: dataDir });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const created = await send(agent, `${api.url}/v1/notes`, 'POST', JSON.stringify({ title: 'drain' }));
    expect(created.status).toBe(201);
    const list = await new Promise<string>((resolve, reject) => {
      request(`${api.url}/v1/notes?limit=1`, { agent, headers: loadtest }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    const noteId = (JSON.parse(list) as { notes: { id: string }[] }).notes[0]?.id;
    expect(noteId).toBeDefined();

    const ok: Outcome[] = [];
    const failures: string[] = [];
    let toldToGo = 0;
    let stop = false;
    const loop = async (i: number) => {
      while (!stop) {
        try {
          const write = i % 4 === 0;
          const outcome = write
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
    api.child.kill('SIGTERM');
    const code = await api.exited;
    const tookMs = Date.now() - signalled;
    stop = true;
    await Promise.all(loops);
    agent.destroy();

    expect(failures, api.output()).toEqual([]);
    expect(code, api.output()).toBe(0);
    expect(beforeSignal).toBeGreaterThan(20);
    expect(ok.length).toBeGreaterThan(beforeSignal); // kept serving after the signal
    expect(toldToGo).toBe(loops.length); // every keep-alive client was told to go, none was cut off
    expect(tookMs).toBeLessThan(shutdown.drainSeconds * 1000);
  });
});
