import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { http, versions } from '@homelab/platform';
import { createIdentitySigner } from '@homelab/service-kit';
import {
  realServersRequired,
  type ServiceProcess,
  startServiceProcess,
  testIdentitySecret,
} from '@homelab/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from './auth/api-keys.ts';

/**
 * The running services tested against their own published contracts by schemathesis (PyPI, pinned in
 * versions.json, installed by scripts/go-tools.sh): generated valid and invalid requests for every operation, and
 * each answer checked for a 5xx, an undocumented status, content type or header, and a body off its schema. Both
 * doors: the gateway's /openapi.json (API key) and the API's own (the gateway's signed identity token).
 */
const repositoryRoot = resolve(import.meta.dirname, '../../..');
const binary = join(repositoryRoot, '.tools/py', `schemathesis-${versions.tools.schemathesis}`, 'bin/schemathesis');
const config = join(import.meta.dirname, '..', 'schemathesis.toml');
const available = existsSync(binary);
if (!available && realServersRequired()) {
  throw new Error(`schemathesis is required in CI: run \`bash scripts/go-tools.sh schemathesis\` (${binary})`);
}
if (!available)
  console.warn('[notice] schemathesis not installed (bash scripts/go-tools.sh schemathesis): contract run skipped');

/** Runs schemathesis; resolves with its exit code and output. */
const schemathesis = (args: string[]) =>
  new Promise<{ code: number | null; output: string }>((done) => {
    let output = '';
    // Run from a scratch directory: schemathesis keeps a cache (.schemathesis/) in its working directory.
    const child = spawn(binary, ['--config-file', config, 'run', ...args], {
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

// utf-8: a lone surrogate cannot travel in a UTF-8 body at all (the API refuses the JSON escape; hostile-input.test).
const scratch = mkdtempSync(join(tmpdir(), 'schemathesis-cwd-'));
const common = [
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

describe.skipIf(!available)('the running services conform to their published contracts (schemathesis)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'schemathesis-api-'));
  const apiKey = 'schemathesis-key-0123456789abcdef0123456789';
  let api: ServiceProcess;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    api = await startServiceProcess('api', { PGLITE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    gateway = await startServiceProcess('gateway', {
      API_URL: api.url,
      API_KEYS: `contract:${hashApiKey(apiKey)}`,
      RATE_LIMIT_BURST: '100000',
      RATE_LIMIT_PER_SECOND: '100000',
      LOG_LEVEL: 'silent',
    });
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the gateway, the public door', async () => {
    const run = await schemathesis([`${gateway.url}${http.paths.openapi}`, '-H', `x-api-key: ${apiKey}`, ...common]);
    expect(run.code, run.output).toBe(0);
  }, 600_000);

  it('the API behind it', async () => {
    // A token the gateway would sign, valid for the whole run.
    const token = await createIdentitySigner({ secret: testIdentitySecret, lifetimeSeconds: 3_600 })('contract');
    const run = await schemathesis([
      `${api.url}${http.paths.openapi}`,
      '-H',
      `${http.identityHeader}: ${token}`,
      ...common,
    ]);
    expect(run.code, run.output).toBe(0);
  }, 600_000);
});
