import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { portHolders, takenPorts } from './port-holders.ts';

/** A real process listening on a free loopback port; resolves to the port once it listens. */
async function holdPort(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => console.log(s.address().port))',
      'port-holder-marker',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(Number(d))));
  return { child, port };
}

describe('ports taken before start', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('names the port, the service and the pid and command line of the process holding it', async () => {
    const { child, port } = await holdPort();
    children.push(child);
    expect(portHolders(port)).toEqual([{ pid: child.pid, command: expect.stringContaining('port-holder-marker') }]);
    const problems = await takenPorts([{ name: 'gateway', port }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^port ${port} \\(gateway\\) is taken by pid ${child.pid} \\(.*node`));
  });

  it('reports nothing once the holder is gone', async () => {
    const { child, port } = await holdPort();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await takenPorts([{ name: 'web', port }])).toEqual([]);
  });
});
