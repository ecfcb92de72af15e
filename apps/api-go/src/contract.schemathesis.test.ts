import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { http, versions } from '@homelab/platform';
import { createIdentitySigner } from '@homelab/service-kit';
import { createDatabase, realServersRequired, testIdentitySecret } from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiProcess, startApi } from './testing/api-process.ts';

/**
 * schemathesis (pinned in versions.json, installed by scripts/go-tools.sh) against the Go API's /openapi.json,
 * with the settings the TypeScript API is checked with (apps/gateway/schemathesis.toml): generated valid and
 * invalid requests for every operation, each answer checked for a 5xx, an undocumented status, content type or
 * header, and a body off its schema.
 */
const repositoryRoot = resolve(import.meta.dirname, '../../..');
const binary = join(repositoryRoot, '.tools/py', `schemathesis-${versions.tools.schemathesis}`, 'bin/schemathesis');
const config = join(repositoryRoot, 'apps/gateway/schemathesis.toml');
const postgresServerUrl = inject('postgresServerUrl');
const available = existsSync(binary) && postgresServerUrl !== '';
if (!available && realServersRequired()) {
  throw new Error(`schemathesis and PostgreSQL are required in CI: bash scripts/go-tools.sh schemathesis (${binary})`);
}
if (!available) console.warn('[notice] schemathesis or PostgreSQL missing: the Go API contract run is skipped');

describe.skipIf(!available)('the Go API conforms to the published contract (schemathesis)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'schemathesis-go-'));
  let api: ApiProcess;

  beforeAll(async () => {
    api = await startApi('go', {
      DATABASE_URL: await createDatabase(postgresServerUrl, 'schemathesis_go'),
      MIGRATE_ON_START: 'true',
      LOG_LEVEL: 'silent',
    });
  }, 600_000);
  afterAll(async () => {
    await api?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('every operation, valid and invalid requests', async () => {
    const token = await createIdentitySigner({ secret: testIdentitySecret, lifetimeSeconds: 3_600 })('contract');
    const args = [
      '--config-file',
      config,
      'run',
      `${api.url}${http.paths.openapi}`,
      '-H',
      `${http.identityHeader}: ${token}`,
      '--checks',
      'all',
      '--max-examples',
      '25',
      '--seed',
      '9',
      '--request-timeout',
      '10',
      '--generation-codec',
      'utf-8',
      '--no-color',
    ];
    const run = await new Promise<{ code: number | null; output: string }>((done) => {
      let output = '';
      const child = spawn(binary, args, {
        cwd: scratch,
        env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
      });
      child.stdout.on('data', (d) => {
        output += d;
      });
      child.stderr.on('data', (d) => {
        output += d;
      });
      child.on('close', (code) => done({ code, output }));
    });
    expect(run.code, run.output).toBe(0);
  }, 600_000);
});
