import { describe, expect, it } from 'vitest';
import { captureOutput } from '../../test/capture-output.ts';
import { runCli } from '../cli.ts';
import { exitCodes } from '../framework/index.ts';

/** `homelab cluster ...` through the dispatcher, as a shell runs it: exit code and what it prints. */
const run = (...argv: string[]) => captureOutput(() => runCli(['cluster', ...argv]));

describe('homelab cluster', () => {
  it('exits 2 on a missing or unknown action, naming the choices and printing the usage', async () => {
    for (const argv of [[], ['start'], ['status', 'extra']]) {
      const { code, err } = await run(...argv);
      expect(code).toBe(exitCodes.usage);
      expect(err).toMatch(/^homelab cluster: expected one of up, down, status\n\nhomelab cluster <up\|down\|status>/);
    }
  });

  it('exits 2 on a count that is not a whole number >= 1, naming the flag, before starting anything', async () => {
    for (const [flag, value] of [
      ['--nodes', '0'],
      ['--zones', '1.5'],
      ['--real-nodes', 'two'],
    ] as const) {
      const { code, err, out } = await run('up', '--name', `never-${process.pid}`, flag, value);
      expect(code).toBe(exitCodes.usage);
      expect(err).toContain(`homelab cluster: ${flag} must be a whole number >= 1, not "${value}"`);
      expect(out).toBe('');
    }
  });

  it('exits 2 on an unknown flag, naming it', async () => {
    const { code, err } = await run('status', '--node', '3');
    expect(code).toBe(exitCodes.usage);
    expect(err).toMatch(/Unknown option '--node'/);
  });

  it('reports a cluster that does not exist as JSON and exits 3 (not running)', async () => {
    const { code, out } = await run('status', '--name', `absent-${process.pid}`, '--json');
    expect(code).toBe(exitCodes.notRunning);
    expect(code).toBe(3);
    expect(JSON.parse(out)).toMatchObject({ exists: false, ready: false, nodes: [] });
  });

  it('says in its help that the nodes are simulated', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(exitCodes.ok);
    expect(out).toMatch(/SIMULATED by\s+kwok/);
  });
});
