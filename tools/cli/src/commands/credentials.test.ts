import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentialLines, credentialsFileName, localPorts, writeCredentialsFile } from '@homelab/local-platform';
import { auth } from '@homelab/platform';
import { describe, expect, it } from 'vitest';

const secrets = {
  demoApiKey: 'demo-key',
  jwtSecret: 'j'.repeat(48),
  adminToken: 'admin-token',
  sessionSecret: 's'.repeat(32),
  identityTokenSecret: 'i'.repeat(32),
  demoPassword: 'demo-password',
};

describe('homelab credentials: the file `homelab up` writes, printed again', () => {
  it('keeps the URLs incl. the status page, the demo password, the API key with its header and the admin token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homelab-cred-'));
    try {
      const path = join(dir, credentialsFileName);
      // An existing, wider file is narrowed, not trusted.
      writeFileSync(path, 'old', { mode: 0o644 });
      const ports = localPorts(0);
      writeCredentialsFile(path, credentialLines({ ports, secrets, demoIdentity: 'demo', prometheus: false }));
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const main = resolve(import.meta.dirname, '../main.ts');
      const printed = spawnSync(process.execPath, [main, 'credentials', '--data-dir', dir], { encoding: 'utf8' });
      expect(printed.status).toBe(0);
      const text = printed.stdout;
      expect(text).toContain(`http://localhost:${ports.web}/status`);
      expect(text).toContain('user demo, password demo-password');
      expect(text).toContain(`header ${auth.apiKeyHeader}`);
      expect(text).toContain(`-H '${auth.apiKeyHeader}: demo-key'`);
      expect(text).toContain("-H 'authorization: Bearer admin-token'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how to make it when `homelab up` never ran', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homelab-cred-'));
    const main = resolve(import.meta.dirname, '../main.ts');
    const printed = spawnSync(process.execPath, [main, 'credentials', '--data-dir', dir], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(printed.status).toBe(1);
    expect(printed.stderr).toContain('npm start');
  });
});
