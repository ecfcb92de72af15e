import { describe, expect, it } from 'vitest';
import { supervise } from './supervisor.ts';

const node = process.execPath;

describe('process supervisor', () => {
  it('restarts a crashing process with a doubling back-off and stops a running one with SIGTERM', async () => {
    const lines: string[] = [];
    const supervisor = supervise(
      [
        {
          name: 'crasher',
          command: node,
          args: ['-e', 'console.log("up"); process.exit(3)'],
          env: {},
          cwd: process.cwd(),
        },
        {
          name: 'steady',
          command: node,
          args: [
            '-e',
            'process.on("SIGTERM", () => { console.log("draining"); process.exit(0) }); setInterval(() => {}, 1000)',
          ],
          env: {},
          cwd: process.cwd(),
        },
      ],
      { log: (name, line) => lines.push(`${name}: ${line}`), initialBackoffMs: 50, maxBackoffMs: 200 },
    );
    const deadline = Date.now() + 10_000;
    const crashes = () => lines.filter((l) => l.startsWith('crasher: exited unexpectedly')).length;
    while (crashes() < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await supervisor.stop();
    const delays = lines
      .filter((l) => l.startsWith('crasher: exited unexpectedly (code 3)'))
      .map((l) => Number(/restarting in (\d+) ms/.exec(l)?.[1]));
    expect(delays.slice(0, 4)).toEqual([50, 100, 200, 200]);
    expect(lines).toContain('steady: draining');
    expect(lines).toContain('steady: exited (code 0)');
    const restartsAfterStop = lines.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(lines.length).toBe(restartsAfterStop);
  });

  it('waits for readiness and names what never became ready', async () => {
    const supervisor = supervise(
      [
        {
          name: 'silent',
          command: node,
          args: ['-e', 'setInterval(() => {}, 1000)'],
          env: {},
          cwd: process.cwd(),
          readyUrl: 'http://127.0.0.1:1/readyz',
        },
      ],
      { log: () => undefined },
    );
    await expect(supervisor.waitUntilReady(300)).rejects.toThrow(/silent/);
    await supervisor.stop();
  });
});
