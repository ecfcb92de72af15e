import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failureModes, runbookPath } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { isAlertingRule } from './alert-rule.ts';
import { prometheusRules } from './prometheus-rules.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const alerts = prometheusRules().flatMap((set) => set.groups.flatMap((g) => g.rules.filter(isAlertingRule)));
const alertRunbooks = new Set(alerts.map((rule) => runbookPath(rule.labels.component ?? '', rule.alert)));
// Failure modes without an alert (what `homelab triage` finds, what drills break) have runbooks too, indexed in
// packages/platform so triage findings and drills link them through one object.
const modes = Object.values(failureModes).map((mode) => ({ ...mode, path: runbookPath(mode.component, mode.name) }));
const expected = new Set([...alertRunbooks, ...modes.map((mode) => mode.path)]);
const sections = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'];

/** Every `runbooks/<component>/<AlertName>.md` on disk (a README.md is an index, not a runbook). */
function runbooksOnDisk(): string[] {
  const root = join(repoRoot, 'runbooks');
  return readdirSync(root)
    .filter((component) => statSync(join(root, component)).isDirectory())
    .flatMap((component) =>
      readdirSync(join(root, component))
        .filter((file) => file.endsWith('.md') && file !== 'README.md')
        .map((file) => `runbooks/${component}/${file}`),
    );
}

describe('runbooks', () => {
  it('exist for every alert and failure mode, at the path its runbook_url names', () => {
    const missing = [...expected].filter((path) => !existsSync(join(repoRoot, path)));
    expect(missing).toEqual([]);
  });

  it('each belong to an alert or a failure mode', () => {
    expect(runbooksOnDisk().filter((path) => !expected.has(path))).toEqual([]);
  });

  it('of failure modes say truly whether an alert owns them', () => {
    const wrong = modes.filter((mode) => alertRunbooks.has(mode.path) !== mode.alert).map((mode) => mode.path);
    expect(wrong).toEqual([]);
  });

  it('of failure modes name the triage check that confirms them', () => {
    const silent = modes.filter(
      (mode) =>
        existsSync(join(repoRoot, mode.path)) &&
        !new RegExp(`homelab triage ${mode.check}\\b`).test(readFileSync(join(repoRoot, mode.path), 'utf8')),
    );
    expect(silent.map((mode) => `${mode.path} (homelab triage ${mode.check})`)).toEqual([]);
  });

  it('have Meaning, Impact, Diagnosis and Mitigation in that order, with commands to run', () => {
    for (const path of expected) {
      if (!existsSync(join(repoRoot, path))) continue;
      const text = readFileSync(join(repoRoot, path), 'utf8');
      const name = path.split('/').at(-1)?.replace(/\.md$/, '');
      expect(text.startsWith(`# ${name}\n`), path).toBe(true);
      const positions = sections.map((section) => text.indexOf(`\n## ${section}\n`));
      expect(
        positions.every((p) => p > 0),
        `${path} lacks a section`,
      ).toBe(true);
      expect(
        [...positions].sort((a, b) => a - b),
        path,
      ).toEqual(positions);
      const diagnosis = text.slice(positions[2], positions[3]);
      expect(diagnosis, `${path}: Diagnosis without a command block`).toMatch(/```(sh|promql)\n/);
    }
  });
});
