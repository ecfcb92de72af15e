import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresEntrypoint } from './data-images.ts';

/**
 * The PostgreSQL image's entry point under dash (the image's shell), with initdb and postgres replaced by scripts
 * that record what they were given: the password reaches initdb however the file ends.
 */
describe('the PostgreSQL entry point', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const run = (passwordFile: string | undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'homelab-pg-entry-'));
    dirs.push(dir);
    // postgres (the single-user CREATE DATABASE and the server) only has to succeed here.
    writeFileSync(join(dir, 'postgres'), '#!/bin/dash\nexit 0\n');
    chmodSync(join(dir, 'postgres'), 0o755);
    // initdb copies the password file it was handed (the entry point empties it after).
    writeFileSync(
      join(dir, 'initdb'),
      `#!/bin/dash\nmkdir -p "$PGDATA"\nfor a; do case "$a" in --pwfile=*) cat "\${a#--pwfile=}" >> ${dir}/passwords;; esac; done\n`,
    );
    chmodSync(join(dir, 'initdb'), 0o755);
    writeFileSync(join(dir, 'entrypoint'), postgresEntrypoint.replaceAll('/tmp/initdb-password', join(dir, 'pw')));
    const env: Record<string, string> = { PATH: `${dir}:/usr/bin:/bin`, PGDATA: join(dir, 'data') };
    if (passwordFile !== undefined) {
      writeFileSync(join(dir, 'secret'), passwordFile);
      env.POSTGRES_PASSWORD_FILE = join(dir, 'secret');
    }
    try {
      execFileSync('dash', [join(dir, 'entrypoint')], { env, stdio: 'pipe' });
      return { code: 0, passwords: readFileSync(join(dir, 'passwords'), 'utf8'), stderr: '' };
    } catch (e) {
      return {
        code: (e as { status: number }).status,
        passwords: '',
        stderr: String((e as { stderr: Buffer }).stderr),
      };
    }
  };

  it.each([
    ['a Secret value (no trailing newline)', 's3cret'],
    ['a file ending in a newline', 's3cret\n'],
  ])('hands initdb the password from POSTGRES_PASSWORD_FILE: %s', (_, content) => {
    const r = run(content);
    expect(r, r.stderr).toMatchObject({ code: 0, passwords: 's3cret\n' });
  });

  it('refuses to initialise without a password, saying so', () => {
    const r = run(undefined);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE is required');
  });
});
