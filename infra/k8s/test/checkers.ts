import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions } from '@homelab/platform';
import { stringify } from 'yaml';
import { cloneObjects, find, type K8sObject } from '../src/manifests.ts';
import { repoRoot } from './cross-references.ts';

/** A static checker run on manifest files; returns its findings (empty: it found nothing). */
export interface Checker {
  readonly name: string;
  readonly binary: string;
  /** How to get the binary when it is missing. */
  readonly install: string;
  readonly run: (files: readonly string[]) => string[];
}

const goTool = (tool: string, version: string) => join(repoRoot, '.tools/go', `${tool}-${version}`, tool);

const exec = (binary: string, args: readonly string[]) => {
  const result = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
};

export const kubeScore: Checker = {
  name: 'kube-score',
  binary: goTool('kube-score', versions.tools.kubeScore),
  install: 'bash scripts/go-tools.sh kube-score',
  // ADR 0003 (no CPU limits): the flag drops only the CPU-limit part of `container-resources`.
  run(files) {
    const result = exec(this.binary, ['score', '--ignore-container-cpu-limit', '--output-format', 'ci', ...files]);
    const findings = result.stdout.split('\n').filter((line) => /^\[(CRITICAL|WARNING)\]/.test(line));
    // A file kube-score cannot parse exits non-zero with no finding: that is a failure, not a clean run.
    if (result.status !== 0 && findings.length === 0) throw new Error(`kube-score failed: ${result.stderr}`);
    return findings;
  },
};

export const checkov: Checker = {
  name: 'checkov',
  binary: join(repoRoot, '.tools/py', `checkov-${versions.tools.checkov}`, 'bin/checkov'),
  install: 'bash scripts/go-tools.sh checkov',
  run(files) {
    const dir = join(files[0] ?? '.', '..');
    // --skip-download: no call to the vendor's API (the machines reach only package registries).
    const result = exec(this.binary, [
      '-d',
      dir,
      '--framework',
      'kubernetes',
      '--quiet',
      '--compact',
      '--skip-download',
      '-o',
      'json',
    ]);
    const parsed = JSON.parse(result.stdout || '{}');
    const reports: { results?: { failed_checks?: { check_id: string; resource: string; check_name: string }[] } }[] =
      Array.isArray(parsed) ? parsed : [parsed];
    return reports.flatMap((r) =>
      (r.results?.failed_checks ?? []).map((f) => `${f.check_id} ${f.resource}: ${f.check_name}`),
    );
  },
};

export const kubeLinter: Checker = {
  name: 'kube-linter',
  binary: goTool('kube-linter', versions.tools.kubeLinter),
  install: 'bash scripts/go-tools.sh kube-linter',
  run(files) {
    const result = exec(this.binary, ['lint', '--format', 'plain', ...files]);
    return result.status === 0 ? [] : result.stdout.split('\n').filter((l) => l.includes('(check:'));
  },
};

export const polaris: Checker = {
  name: 'polaris',
  binary: goTool('polaris', versions.tools.polaris),
  install: 'bash scripts/go-tools.sh polaris',
  run(files) {
    const dir = join(files[0] ?? '.', '..');
    const result = exec(this.binary, [
      'audit',
      '--audit-path',
      dir,
      '--format',
      'pretty',
      '--only-show-failed-tests',
      '--set-exit-code-on-danger',
      '--set-exit-code-below-score',
      '100',
    ]);
    return result.status === 0 ? [] : result.stdout.split('\n').filter((l) => /✗|danger|warning/i.test(l));
  },
};

/** The checkers the test suite runs: both are obtainable on the build machines and required under CI. */
export const suiteCheckers: readonly Checker[] = [kubeScore, checkov];

/**
 * kube-linter and Polaris: neither is obtainable from the build machines (ADR 0031), so they are no part of the
 * suite; the GitHub workflow's `manifest-checkers` job runs them (`infra/k8s/scripts/github-checkers.ts`).
 */
export const githubCheckers: readonly Checker[] = [kubeLinter, polaris];

/** The API run as root without a readiness probe: every checker must have something to say about it. */
export const brokenCopy = (objects: readonly K8sObject[]): K8sObject[] => {
  const mutated = cloneObjects(objects);
  const api = find(mutated, 'Deployment', 'api');
  const container = api.spec.template.spec.containers[0];
  delete container.readinessProbe;
  container.securityContext = { runAsUser: 0, allowPrivilegeEscalation: true };
  api.spec.template.spec.securityContext = {};
  return mutated;
};

/**
 * What each check of one checker found: nothing on the committed manifests, something on the broken copy (so a
 * clean run means something). Empty when the checker holds.
 */
export const checkerProblems = (checker: Checker, objects: readonly K8sObject[], dir: string): string[] => {
  const problems = checker.run(manifestFiles(dir)).map((f) => `${checker.name} on the committed manifests: ${f}`);
  const { file, cleanup } = writeManifests(brokenCopy(objects));
  try {
    if (!checker.run([file]).some((f) => f.includes('api'))) {
      problems.push(`${checker.name} found nothing in a copy with a root container without a readiness probe`);
    }
  } finally {
    cleanup();
  }
  return problems;
};

/** Writes objects as one YAML file in a fresh directory (for running a checker on a mutated copy). */
export const writeManifests = (objects: readonly K8sObject[]): { file: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-checker-'));
  const file = join(dir, 'mutated.k8s.yaml');
  // YAML 1.1 quoting, as cdk8s writes it: Go parsers read a bare `yes` as a boolean.
  writeFileSync(file, objects.map((o) => stringify(o, { version: '1.1' })).join('---\n'));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

export const manifestFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .sort()
    .map((f) => join(dir, f));

export const available = (checker: Checker): boolean => existsSync(checker.binary);
