import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';

const tracked = execFileSync('git', ['ls-files'], { cwd: repoRoot }).toString().split('\n').filter(Boolean);

describe('repository hygiene', () => {
  it('tracks no dependencies, local data or env files', () => {
    expect(tracked.filter((f) => /(^|\/)(node_modules|\.data|\.tools|\.env(\..*)?)(\/|$)/.test(f))).toEqual([]);
  });

  it('tracks no private keys or obvious credentials', () => {
    const suspicious = tracked.filter((f) => {
      if (/\.(png|jpg|lock|wasm)$|pnpm-lock\.yaml$/.test(f)) return false;
      const text = readFileSync(join(repoRoot, f), 'utf8');
      return /-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}/.test(text);
    });
    expect(suspicious).toEqual([]);
  });

  it('runs in CI exactly the test command the README gives', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8');
    const command = readme.match(/^\s*(npm test)\s*$/m)?.[1];
    expect(command, 'README quick start names `npm test`').toBe('npm test');
    expect(ci).toMatch(/^npm test$/m);
  });
});
