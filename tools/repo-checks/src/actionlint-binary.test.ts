import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions } from '@homelab/platform';
import { realServersRequired } from '@homelab/test-servers';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.ts';

/**
 * actionlint as the real Go binary at the pinned version (built by scripts/go-tools.sh, cached per version), on
 * every workflow with the repository's .github/actionlint.yaml. Also a step of ci.yml.
 */
const binary = join(repoRoot, '.tools/go', `actionlint-${versions.tools.actionlint}`, 'actionlint');
const missing = !existsSync(binary);
if (missing) {
  if (realServersRequired()) throw new Error(`CI=true requires ${binary}: bash scripts/go-tools.sh actionlint`);
  console.warn(
    `\n[notice] ${binary} not built (bash scripts/go-tools.sh actionlint): the real-binary workflow lint skips`,
  );
}
const workflows = readdirSync(join(repoRoot, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f));

describe.skipIf(missing)('actionlint (the pinned Go binary)', () => {
  it('is the pinned version', () => {
    expect(execFileSync(binary, ['-version'], { encoding: 'utf8' }).split('\n')[0]).toBe(versions.tools.actionlint);
  });

  it.each(workflows)('%s has no findings', (file) => {
    const run = spawnSync(binary, ['-no-color', join('.github/workflows', file)], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('reports an unknown runner label and a bad expression (the check is live)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
    try {
      const file = join(dir, 'broken.yml');
      // A GitHub expression, not a JS template: built from parts so it stays a plain string.
      const expression = ['$', '{{ github.nope }}'].join('');
      const workflow = ['on: push', 'jobs:', '  t:', '    runs-on: [self-hosted, nowhere]', '    steps:'];
      writeFileSync(file, [...workflow, `      - run: echo ${expression}`, ''].join('\n'));
      const run = spawnSync(binary, ['-no-color', file], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/label "nowhere" is unknown/);
      expect(run.stdout).toMatch(/property "nope" is not defined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
