import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { demoIdentity, loadOrCreateSecrets, localPorts } from '@homelab/local-platform';
import { afterAll, describe, expect, it } from 'vitest';

const main = resolve(import.meta.dirname, '../main.ts');
/** Far from the default ports (beside a developer's own `homelab up`) and below the ephemeral range (32768+). */
const portOffset = 20_000 + Math.floor(Math.random() * 400) * 20;
const ports = localPorts(portOffset);
const web = `http://127.0.0.1:${ports.web}`;

interface RunningUp {
  readonly child: ChildProcess;
  readonly output: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

function startUp(dataDir: string): RunningUp {
  const child = spawn(
    process.execPath,
    [main, 'up', '--data-dir', dataDir, '--port-offset', String(portOffset), '--no-color'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const onData = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = async (pattern: RegExp, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of output) {
        const match = line.match(pattern);
        if (match) return match;
      }
      if (child.exitCode !== null) throw new Error(`homelab up exited early:\n${output.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern}:\n${output.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, output, waitFor, exited };
}

/** A browser's form post: same-origin, following nothing, keeping the session cookie. */
async function signIn(dataDir: string): Promise<string> {
  // The demo user's password as `homelab up` generated it into the data directory.
  const { demoPassword } = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
  const res = await fetch(`${web}/signin`, {
    method: 'POST',
    headers: { origin: web, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: demoIdentity, password: demoPassword }),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

describe('homelab up', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'homelab-up-'));
  const runs: RunningUp[] = [];
  afterAll(() => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the platform, serves web -> gateway -> api, restarts a crashed service, stops cleanly and keeps data', async () => {
    const first = startUp(dataDir);
    runs.push(first);
    await first.waitFor(/\| ready$/);
    // The banner follows the ready line, possibly in a later chunk of output: wait for it rather than race it.
    await first.waitFor(new RegExp(`http://localhost:${ports.web}\\b`));

    const cookie = await signIn(dataDir);
    const title = `kept across restarts ${Date.now()}`;
    const created = await fetch(`${web}/notes`, {
      method: 'POST',
      headers: { origin: web, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ title, body: 'written through web, gateway and api' }),
      redirect: 'manual',
    });
    expect(created.status).toBe(303);
    const list = await fetch(`${web}/notes`, { headers: { cookie } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(title);

    // A crash is restarted with back-off, as a kubelet would.
    const apiPid = Number((await first.waitFor(/^api\s+\| started \(pid (\d+)\)/))[1]);
    process.kill(apiPid, 'SIGKILL');
    await first.waitFor(/^api\s+\| exited unexpectedly \(SIGKILL\); restarting in \d+ ms/);
    const deadline = Date.now() + 60_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await fetch(`${web}/notes`, { headers: { cookie } })).status;
      const apiStarts = first.output.filter((l) => /^api\s+\| started \(pid \d+\)/.test(l)).length;
      if (status === 200 && apiStarts >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output).toContain('up         | stopped');
    for (const name of ['api', 'gateway', 'web']) {
      expect(
        first.output.some((l) => new RegExp(`^${name}\\s+\\| exited \\(code 0\\)$`).test(l)),
        name,
      ).toBe(true);
    }
    await expect(fetch(`${web}/readyz`)).rejects.toThrow();

    const second = startUp(dataDir);
    runs.push(second);
    await second.waitFor(/\| ready$/);
    // The local web keeps sign-outs in memory (no Redis), so a restarted web refuses cookies issued before it
    // started rather than reviving signed-out ones: the old cookie is sent to sign in, a new one sees the data.
    const stale = await fetch(`${web}/notes`, { headers: { cookie } });
    expect(await stale.text()).not.toContain(title);
    const again = await fetch(`${web}/notes`, { headers: { cookie: await signIn(dataDir) } });
    expect(await again.text()).toContain(title);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 240_000);
});
