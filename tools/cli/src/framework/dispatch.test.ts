import { describe, expect, it } from 'vitest';
import type { Command } from './command.ts';
import { dispatch } from './dispatch.ts';
import { exitCodes, UsageError } from './exit-codes.ts';
import { jsonFlag, parseFlags } from './flags.ts';
import type { Output } from './output.ts';

function capture(): Output & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (text: string) => {
      io.stdout += text;
    },
    err: (text: string) => {
      io.stderr += text;
    },
  };
  return io;
}

/** A command that records what it was given and answers with the exit code its flags ask for. */
function probe() {
  const calls: (readonly string[])[] = [];
  const command: Command = {
    summary: 'answer with an exit code',
    usage: 'demo probe [--fail] [--json]\n',
    async run(argv) {
      calls.push(argv);
      const { values } = parseFlags(argv, { fail: { type: 'boolean' }, crash: { type: 'boolean' }, ...jsonFlag });
      if (values.crash) throw new Error('it broke');
      return values.fail ? exitCodes.findings : exitCodes.ok;
    },
  };
  return { command, calls };
}

describe('dispatch', () => {
  it('passes the arguments after the name to the command and returns its exit code', async () => {
    const { command, calls } = probe();
    expect(await dispatch('demo', 'd', { probe: command }, ['probe', '--json'], capture())).toBe(0);
    expect(await dispatch('demo', 'd', { probe: command }, ['probe', '--fail'], capture())).toBe(1);
    expect(calls).toEqual([['--json'], ['--fail']]);
  });

  it('answers --help, -h and `help <name>` with the command usage without running it', async () => {
    const { command, calls } = probe();
    for (const argv of [
      ['probe', '--help'],
      ['probe', '--json', '-h'],
      ['help', 'probe'],
    ]) {
      const io = capture();
      expect(await dispatch('demo', 'd', { probe: command }, argv, io)).toBe(0);
      expect(io.stdout).toBe(command.usage);
    }
    expect(calls).toEqual([]);
  });

  it('lists every command with its summary for --help (exit 0) and for no arguments (exit 2)', async () => {
    const { command } = probe();
    const help = capture();
    expect(await dispatch('demo', 'd', { probe: command }, ['--help'], help)).toBe(0);
    expect(help.stdout).toMatch(/probe\s+answer with an exit code/);
    const bare = capture();
    expect(await dispatch('demo', 'd', { probe: command }, [], bare)).toBe(exitCodes.usage);
    expect(bare.stderr).toMatch(/probe\s+answer with an exit code/);
  });

  it('exits 2 with a suggestion for an unknown command', async () => {
    const io = capture();
    expect(await dispatch('demo', 'd', { probe: probe().command }, ['prob'], io)).toBe(exitCodes.usage);
    expect(io.stderr).toContain("unknown command 'prob'");
    expect(io.stderr).toContain('probe');
  });

  it('exits 2 with the usage for an unknown flag, and 1 with the message when the command throws', async () => {
    const { command } = probe();
    const bad = capture();
    expect(await dispatch('demo', 'd', { probe: command }, ['probe', '--nope'], bad)).toBe(exitCodes.usage);
    expect(bad.stderr).toContain("Unknown option '--nope'");
    expect(bad.stderr).toContain(command.usage);
    const crash = capture();
    expect(await dispatch('demo', 'd', { probe: command }, ['probe', '--crash'], crash)).toBe(exitCodes.findings);
    expect(crash.stderr).toBe('demo probe: it broke\n');
  });

  it('treats a thrown UsageError as exit 2', async () => {
    const command: Command = {
      summary: 's',
      usage: 'u\n',
      run: () => Promise.reject(new UsageError('--n must be positive')),
    };
    const io = capture();
    expect(await dispatch('demo', 'd', { c: command }, ['c'], io)).toBe(2);
    expect(io.stderr).toBe('demo c: --n must be positive\n\nu\n');
  });
});
