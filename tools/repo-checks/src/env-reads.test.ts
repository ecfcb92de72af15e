import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envReads, mayReadEnv } from './env-reads.ts';
import { repoRoot } from './repo-root.ts';

const sources = execFileSync('git', ['ls-files', '*.ts', '*.tsx'], { cwd: repoRoot })
  .toString()
  .split('\n')
  .filter(Boolean);

describe('only env modules read process.env (ADR 0153)', () => {
  it('no other source file reads the environment', () => {
    const offending = sources
      .filter((f) => !mayReadEnv(f))
      .flatMap((f) => envReads(readFileSync(join(repoRoot, f), 'utf8')).map((read) => `${f}: ${read}`));
    expect(offending).toEqual([]);
  });

  it('allows env modules, tests and their helpers, bench/scripts entry points and root files; nothing else', () => {
    for (const file of [
      'apps/api/src/env.ts',
      'packages/local-platform/src/shared-database-env.ts',
      'apps/api/src/notes.test.ts',
      'apps/web/src/page.test.tsx',
      'packages/cluster/test/test-cluster.ts',
      'apps/api/src/testing/spawn-api.ts',
      'apps/gateway/bench/proxy.ts',
      'packages/canary-gate/scripts/live-low-traffic.ts',
      'packages/canary-gate/k6/synthetic.ts',
      'observability/scripts/mutate-rules.ts',
      'vitest.config.ts',
    ]) {
      expect(mayReadEnv(file), file).toBe(true);
    }
    for (const file of [
      'packages/cluster/src/cluster.ts',
      'packages/images/src/environment.ts',
      'packages/images/src/envelope.ts',
      'apps/api/src/bench.ts',
      'tools/cli/src/commands/deploy.ts',
      'packages/local-platform/src/test-env-helper.ts',
    ]) {
      expect(mayReadEnv(file), file).toBe(false);
    }
  });

  it('sees every way to reach the environment, and not a mention in a comment', () => {
    expect(envReads("const a = process.env.PATH;\nconst b = process?.env['X'];")).toEqual([
      'process.env',
      'process?.env',
    ]);
    expect(envReads("const c = process['env'];")).toEqual(["process['env']"]);
    expect(envReads('const { env, argv } = process;')).toEqual(['{ env, argv } = process']);
    expect(envReads("import {\n  argv,\n  env,\n} from 'node:process';")).toEqual([
      "import { argv, env, } from 'node:process'",
    ]);
    expect(
      envReads('/** Default: `process.env.KUBECONFIG`. */\n// process.env is read in env.ts\nconst u = "http://x";'),
    ).toEqual([]);
    expect(envReads('spawn(cmd, { env: { ...env, PATH } });')).toEqual([]);
  });
});
