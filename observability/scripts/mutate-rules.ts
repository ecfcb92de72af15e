/**
 * Mutation check of the burn-rate alerts: each mutant breaks the rules the way a careless edit would, and the
 * promtool suite must fail on it. Prints a table; exits 1 when a mutant survives.
 *
 *   node observability/scripts/mutate-rules.ts [service]      (default: api)
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AppName, appNames, burnRateTiers } from '@homelab/platform';
import { isAlertingRule, type Rule } from '../src/alert-rule.ts';
import { prometheusRules, type RuleSet } from '../src/prometheus-rules.ts';
import { ruleFileName, ruleFileYaml } from '../src/rule-files.ts';
import { sloSeries } from '../src/slo-rules.ts';
import { runPromtool } from '../testing/promtool.ts';

const observabilityRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Mutant {
  name: string;
  /** Returns the mutated expression of one burn-rate tier, or the same string when it does not apply. */
  mutate(expr: string, tier: (typeof burnRateTiers)[number]): string;
}

const swap = (expr: string, a: string, b: string) =>
  expr
    .split(a)
    .map((part) => part.split(b).join(a))
    .join(b);

export const mutants: Mutant[] = [
  { name: 'and -> or between the long and the short window', mutate: (expr) => expr.replace('\nand\n', '\nor\n') },
  {
    name: 'long window replaced by the short window',
    mutate: (expr, tier) =>
      expr.replace(`${sloSeries.errorRatio(tier.longWindow)}{`, `${sloSeries.errorRatio(tier.shortWindow)}{`),
  },
  {
    name: 'short window replaced by the long window',
    mutate: (expr, tier) =>
      expr.replace(`${sloSeries.errorRatio(tier.shortWindow)}{`, `${sloSeries.errorRatio(tier.longWindow)}{`),
  },
  {
    name: 'long and short windows swapped (guard included)',
    mutate: (expr, tier) => swap(expr, `rate${tier.longWindow}{`, `rate${tier.shortWindow}{`),
  },
  { name: 'low-traffic guard dropped', mutate: (expr) => expr.slice(0, expr.lastIndexOf('\nand\n')) },
];

/** Mutant `for` removal applies to the rule, not the expression: the alert then fires before its window fills. */
const forDropped = 'for dropped (fires before the window fills plus for)';

function mutateSets(sets: RuleSet[], mutantName: string): RuleSet[] {
  const mutant = mutants.find((m) => m.name === mutantName);
  const mutateRule = (rule: Rule): Rule => {
    if (!isAlertingRule(rule) || !rule.labels.tier) return rule;
    const tier = burnRateTiers.find((t) => t.name === rule.labels.tier);
    if (!tier) return rule;
    if (mutantName === forDropped) {
      const { for: _dropped, ...rest } = rule;
      return rest;
    }
    return { ...rule, expr: mutant ? mutant.mutate(rule.expr, tier) : rule.expr };
  };
  return sets.map((set) => ({
    ...set,
    groups: set.groups.map((group) => ({ ...group, rules: group.rules.map(mutateRule) })),
  }));
}

export interface MutantResult {
  mutant: string;
  killed: boolean;
  /** The first test file that failed, with promtool's first failure line. */
  killedBy: string;
  seconds: number;
}

/**
 * Runs the service's promtool tests against each mutant in a scratch copy of dist/ and tests/, fastest tier
 * first, stopping at the first failing file.
 */
export async function runMutations(service: AppName = 'api'): Promise<MutantResult[]> {
  const tierOrder = burnRateTiers.map((t) => t.name);
  const testFiles = readdirSync(join(observabilityRoot, 'tests'))
    .filter((name) => name.startsWith(`slo-${service}-`) && name.endsWith('.test.yaml'))
    .sort((a, b) => tierOrder.findIndex((t) => a.includes(t)) - tierOrder.findIndex((t) => b.includes(t)));
  const results: MutantResult[] = [];
  for (const mutantName of [...mutants.map((m) => m.name), forDropped]) {
    const scratch = mkdtempSync(join(tmpdir(), 'homelab-mutant-'));
    try {
      mkdirSync(join(scratch, 'dist/rules'), { recursive: true });
      for (const set of mutateSets(prometheusRules(), mutantName)) {
        writeFileSync(join(scratch, 'dist/rules', ruleFileName(set)), ruleFileYaml(set));
      }
      cpSync(join(observabilityRoot, 'tests'), join(scratch, 'tests'), { recursive: true });
      const started = performance.now();
      let killedBy = '';
      for (const file of testFiles) {
        const result = await runPromtool(['test', 'rules', file], join(scratch, 'tests'));
        if (result.code !== 0) {
          const firstFailure = result.output
            .split('\n')
            .find((line) => line.includes('expr:') || line.includes('alertname:'));
          killedBy = `${file}: ${firstFailure?.trim() ?? 'FAILED'}`;
          break;
        }
      }
      results.push({
        mutant: mutantName,
        killed: killedBy !== '',
        killedBy,
        seconds: (performance.now() - started) / 1000,
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return results;
}

if (import.meta.main) {
  const service = (process.argv[2] ?? 'api') as AppName;
  if (!appNames.includes(service)) throw new Error(`unknown service "${service}": one of ${appNames.join(', ')}`);
  const results = await runMutations(service);
  console.log(`| mutant | killed | first failing test | seconds |\n| --- | --- | --- | --- |`);
  for (const r of results) {
    console.log(`| ${r.mutant} | ${r.killed ? 'yes' : 'NO'} | ${r.killedBy.slice(0, 140)} | ${r.seconds.toFixed(1)} |`);
  }
  process.exitCode = results.every((r) => r.killed) ? 0 : 1;
}
