import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, realServersRequired } from '@homelab/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cloneObjects, loadManifests } from '../src/manifests.ts';

/**
 * The rules the cluster will load are the PrometheusRule objects in dist/, not observability's own files: check
 * those with `promtool check rules`, so a construct that mangled a rule on the way cannot pass.
 */
const promtool = findBinary('promtool');
if (!promtool && !realServersRequired()) console.warn('[infra/k8s] promtool not found: PrometheusRule check skipped');

const scratch = mkdtempSync(join(tmpdir(), 'homelab-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const check = (objects: ReturnType<typeof loadManifests>) => {
  if (!promtool) throw new Error('promtool is required (apt-get install prometheus)');
  const files = objects
    .filter((o) => o.kind === 'PrometheusRule')
    .map((o) => {
      const file = join(scratch, `${o.metadata.name}.yaml`);
      writeFileSync(file, stringify({ groups: o.spec.groups }));
      return file;
    });
  const result = spawnSync(promtool, ['check', 'rules', ...files], { encoding: 'utf8' });
  return { files, status: result.status, output: `${result.stdout}${result.stderr}` };
};

describe.skipIf(!promtool && !realServersRequired())('PrometheusRules in the manifests', () => {
  const objects = loadManifests();

  it('pass promtool check rules', () => {
    const { files, status, output } = check(objects);
    expect(files.length).toBeGreaterThan(0);
    expect(status, output).toBe(0);
  });

  it('fail promtool when an expression is broken', () => {
    const broken = cloneObjects(objects);
    const rule = broken.find((o) => o.kind === 'PrometheusRule');
    if (!rule) throw new Error('no PrometheusRule');
    rule.spec.groups[0].rules[0].expr = 'sum(rate(http_requests_total[5m]) by';
    expect(check(broken).status).not.toBe(0);
  });
});
