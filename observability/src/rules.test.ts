import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appNames, apps, burnRateTiers, runbookUrl } from '@homelab/platform';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../scripts/generated-files.ts';
import { platformAlertsTested } from '../testing/platform-alert-tests.ts';
import { findPromtool, runPromtool, testRuleFiles } from '../testing/promtool.ts';
import { toolAvailable } from '../testing/required-tool.ts';
import { isAlertingRule } from './alert-rule.ts';
import { prometheusRules } from './prometheus-rules.ts';
import { burnRateAlertName } from './slo-rules.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const alerts = prometheusRules().flatMap((set) => set.groups.flatMap((g) => g.rules.filter(isAlertingRule)));
const hasPromtool = toolAvailable('promtool', findPromtool());

describe('generated rules, tests and dashboards', () => {
  it('match the committed files (run `pnpm --filter @homelab/observability generate` after a change)', () => {
    const files = generatedFiles();
    for (const [path, content] of files) {
      expect(readFileSync(join(root, path), 'utf8'), path).toBe(content);
    }
    for (const dir of ['dist/rules', 'dist/dashboards']) {
      const committed = readdirSync(join(root, dir)).map((name) => `${dir}/${name}`);
      expect(
        committed.filter((path) => !files.has(path)),
        `stale files in ${dir}`,
      ).toEqual([]);
    }
  });
});

describe('alert rules', () => {
  it('give every alert a severity, a summary, a description and the runbook URL built from its name', () => {
    for (const rule of alerts) {
      expect(['page', 'ticket', 'none'], rule.alert).toContain(rule.labels.severity);
      expect(rule.alert, 'PascalCase').toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.annotations.summary.length, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations.description.length, rule.alert).toBeGreaterThan(40);
      expect(rule.annotations.description, rule.alert).not.toBe(rule.annotations.summary);
      expect(rule.annotations.runbook_url).toBe(runbookUrl(rule.labels.component ?? '', rule.alert));
    }
  });

  it('has every enabled burn-rate tier for every SLO of every service, with tier and severity labels', () => {
    for (const service of appNames) {
      for (const slo of apps[service].slos) {
        const tiers = alerts.filter((r) => r.alert === burnRateAlertName(service, slo));
        expect(tiers.map((r) => r.labels.tier).sort()).toEqual(
          burnRateTiers
            .filter((t) => t.enabled)
            .map((t) => t.name)
            .sort(),
        );
        for (const rule of tiers) {
          const tier = burnRateTiers.find((t) => t.name === rule.labels.tier);
          expect(rule.labels.severity).toBe(tier?.severity);
          expect(rule.for).toBe(tier?.for);
          expect(rule.expr).toContain(`ratio_rate${tier?.longWindow}{`);
          expect(rule.expr).toContain(`ratio_rate${tier?.shortWindow}{`);
        }
      }
    }
  });

  it('covers every alert with promtool tests', () => {
    const tests = [...generatedFiles()].filter(([path]) => path.startsWith('tests/'));
    const sloAlerts = appNames.flatMap((service) => apps[service].slos.map((slo) => burnRateAlertName(service, slo)));
    for (const name of sloAlerts) {
      expect(
        tests.some(([, content]) => content.includes(`alertname="${name}"`)),
        name,
      ).toBe(true);
    }
    const platformAlerts = alerts.map((r) => r.alert).filter((name) => !sloAlerts.includes(name));
    expect([...new Set(platformAlerts)].sort()).toEqual(platformAlertsTested().sort());
  });
});

describe.runIf(hasPromtool)('promtool', () => {
  it('accepts every rule file (promtool check rules)', async () => {
    const files = readdirSync(join(root, 'dist/rules')).map((name) => join('dist/rules', name));
    const result = await runPromtool(['check', 'rules', ...files], root);
    expect(result.output).not.toContain('FAILED');
    expect(result.code, result.output).toBe(0);
  });

  it('passes every unit test: each alert fires on time and stays silent when it should', {
    timeout: 600_000,
  }, async () => {
    const files = readdirSync(join(root, 'tests'))
      .filter((name) => name.endsWith('.test.yaml'))
      .map((name) => join(root, 'tests', name));
    expect(files.length).toBeGreaterThan(appNames.length);
    const results = await testRuleFiles(files, join(root, 'tests'));
    const failed = results.filter((r) => r.code !== 0);
    expect(failed.map((r) => `${r.file}\n${r.output}`).join('\n')).toBe('');
    expect(results.every((r) => r.output.includes('SUCCESS'))).toBe(true);
  });
});
