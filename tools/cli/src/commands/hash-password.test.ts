import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { webUsers } from '@homelab/platform';
import { verify } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';

const main = resolve(import.meta.dirname, '../main.ts');
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [main, 'hash-password', ...args], { encoding: 'utf8', input: input ?? '' });

describe('homelab hash-password', () => {
  it('hashes a piped password into the webUsers format the web app and the stack check accept', async () => {
    const done = run(['--user', 'demo'], 'correct horse battery\n');
    expect(done.status).toBe(0);
    const [name, phc] = done.stdout.trim().split(/:(.*)/s);
    expect(name).toBe('demo');
    expect(phc?.startsWith(webUsers.hashPrefix)).toBe(true);
    expect(await verify(phc ?? '', 'correct horse battery')).toBe(true);
    expect(await verify(phc ?? '', 'correct horse batterx')).toBe(false);
    // The password itself never reaches standard output.
    expect(done.stdout).not.toContain('correct horse');
  });

  it('generates a password when none is piped, shows it once on stderr and prints only its hash', async () => {
    const done = run([]);
    expect(done.status).toBe(0);
    const generated = /generated password[^:]*: (\S+)/.exec(done.stderr)?.[1];
    expect(generated).toBeDefined();
    expect(await verify(done.stdout.trim(), generated ?? '')).toBe(true);
  });

  it('refuses a short password (exit 1) and a user name the web app would not accept (exit 2)', () => {
    expect(run([], 'short\n').status).toBe(1);
    const bad = run(['--user', 'Demo User'], 'correct horse battery\n');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--user');
  });
});
