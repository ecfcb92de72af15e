/**
 * The fault matrix through the canary gate and through the Flagger-equivalent rule, on the same seeded traffic.
 *   node packages/canary-gate/bench/gate-vs-flagger.ts [--replays 200] [--app api] [--smoke]
 * Prints a markdown table (the README's results come from it) and the G1-G6 verdicts.
 *
 * Both systems must do the same work: every scenario replayed through each with the same seeds (a seed must give
 * one traffic stream), every replay ending in a decision time; otherwise the table is printed and the script exits 1 with the reasons. `--smoke` (or
 * BENCH_SMOKE=1): 5 replays per cell, for CI (the verdicts then mean little; the figures stay in the table).
 */
import { parseArgs } from 'node:util';
import { type AppName, apps, canaryGate } from '@homelab/platform';
import { failOnProblems, smokeMode } from '@homelab/test-servers';
import { gateConfigFor } from '../src/engine/config.ts';
import { faultMatrix, percentile } from '../src/sim/fault-matrix.ts';
import { flaggerTutorial, replayFlagger } from '../src/sim/flagger-rule.ts';
import { type ReplayOutcome, replayGate } from '../src/sim/replay.ts';
import { trafficStream } from '../src/sim/traffic.ts';

const { values } = parseArgs({
  options: { replays: { type: 'string' }, app: { type: 'string' }, smoke: { type: 'boolean', default: false } },
});
const replays = smokeMode() ? 5 : Number(values.replays ?? 200);
const app = (values.app ?? 'api') as AppName;
if (!(app in apps)) throw new Error(`--app must be one of ${Object.keys(apps).join(', ')}`);
const config = gateConfigFor(app);

interface Cell {
  scenario: string;
  system: string;
  pRollback: number;
  pRegression: number;
  pPromote: number;
  median: number;
  p95: number;
  medianRequests: number;
  outcomes: ReplayOutcome[];
}

const summarise = (scenario: string, system: string, outcomes: ReplayOutcome[]): Cell => {
  const share = (f: (o: ReplayOutcome) => boolean) => outcomes.filter(f).length / outcomes.length;
  return {
    scenario,
    system,
    pRollback: share((o) => o.decision === 'rollback'),
    pRegression: share((o) => o.decision === 'rollback' && o.reason !== 'insufficient evidence'),
    pPromote: share((o) => o.decision === 'promote'),
    median: percentile(
      outcomes.map((o) => o.seconds),
      0.5,
    ),
    p95: percentile(
      outcomes.map((o) => o.seconds),
      0.95,
    ),
    medianRequests: percentile(
      outcomes.map((o) => o.canaryRequests),
      0.5,
    ),
    outcomes,
  };
};

const started = performance.now();
const cells: Cell[] = [];
for (const scenario of faultMatrix) {
  const gate: ReplayOutcome[] = [];
  const flagger: ReplayOutcome[] = [];
  for (let seed = 1; seed <= replays; seed++) {
    gate.push(replayGate(config, scenario, seed, canaryGate.evaluationSeconds));
    flagger.push(replayFlagger(flaggerTutorial, scenario, seed));
  }
  cells.push(summarise(scenario.name, 'gate', gate), summarise(scenario.name, 'flagger', flagger));
  process.stderr.write(`  ${scenario.name}: done\n`);
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const secs = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} s` : '-');
console.log(
  `\n${replays} seeded replays per cell, 20 req/s, gate: ${config.stages.map((s) => `${s.weight} %`).join(' -> ')}, ` +
    `every ${canaryGate.evaluationSeconds} s, alpha ${config.alpha}, beta ${config.beta} (app ${app}); ` +
    `Flagger: interval ${flaggerTutorial.intervalSeconds} s, threshold ${flaggerTutorial.threshold}, ` +
    `step ${flaggerTutorial.stepWeight} %, max ${flaggerTutorial.maxWeight} %\n`,
);
console.log(
  '| canary | system | P(rollback) | of which regression | P(promote) | median time | p95 time | median canary requests |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const c of cells) {
  console.log(
    `| ${c.scenario} | ${c.system} | ${pct(c.pRollback)} | ${pct(c.pRegression)} | ${pct(c.pPromote)} | ${secs(c.median)} | ${secs(c.p95)} | ${Math.round(c.medianRequests)} |`,
  );
}

const cell = (scenario: string, system = 'gate') => {
  const found = cells.find((c) => c.scenario === scenario && c.system === system);
  if (!found) throw new Error(`no cell ${scenario}`);
  return found;
};
const rolledBackTimes = (c: Cell) => c.outcomes.filter((o) => o.decision === 'rollback').map((o) => o.seconds);
const promotedTimes = (c: Cell) => c.outcomes.filter((o) => o.decision === 'promote').map((o) => o.seconds);
const within = (c: Cell, seconds: number) =>
  c.outcomes.filter((o) => o.decision === 'rollback' && o.seconds <= seconds).length / c.outcomes.length;

const goals: [string, string, (system: string) => [boolean, string]][] = [
  [
    'G1',
    'healthy canary rolled back <= 2 %',
    (s) => {
      const worst = Math.max(...['errors 0 %', 'errors 0.1 %', 'slow 1 %'].map((n) => cell(n, s).pRollback));
      return [worst <= 0.02, `worst healthy cell ${pct(worst)}`];
    },
  ],
  [
    'G2',
    '1.44 % errors: >= 95 % caught, median <= 2 min, p95 <= 5 min',
    (s) => {
      const c = cell('errors 1.44 %', s);
      const t = rolledBackTimes(c);
      const [m, p] = [percentile(t, 0.5), percentile(t, 0.95)];
      return [c.pRollback >= 0.95 && m <= 120 && p <= 300, `${pct(c.pRollback)}, median ${secs(m)}, p95 ${secs(p)}`];
    },
  ],
  [
    'G3',
    '5 % errors: median <= 30 s, p95 <= 75 s',
    (s) => {
      const t = rolledBackTimes(cell('errors 5 %', s));
      const [m, p] = [percentile(t, 0.5), percentile(t, 0.95)];
      return [cell('errors 5 %', s).pRollback >= 0.95 && m <= 30 && p <= 75, `median ${secs(m)}, p95 ${secs(p)}`];
    },
  ],
  [
    'G4',
    'slow 1 % -> 5 %: >= 95 % caught, median <= 1.5 min',
    (s) => {
      const c = cell('slow 5 %', s);
      const m = percentile(rolledBackTimes(c), 0.5);
      return [c.pRegression >= 0.95 && m <= 90, `${pct(c.pRegression)} as regression, median ${secs(m)}`];
    },
  ],
  [
    'G5',
    'healthy promotion through all stages <= 4 min',
    (s) => {
      const t = promotedTimes(cell('errors 0 %', s));
      const [m, p] = [percentile(t, 0.5), percentile(t, 0.95)];
      return [p <= 240, `median ${secs(m)}, p95 ${secs(p)}`];
    },
  ],
  [
    'G6',
    'relative 5x (0.5 % vs 0.1 %) caught >= 90 % within 30 min',
    (s) => {
      const c = cell('errors 0.5 %', s);
      const regression =
        c.outcomes.filter((o) => o.decision === 'rollback' && o.reason !== 'insufficient evidence' && o.seconds <= 1800)
          .length / c.outcomes.length;
      return [within(c, 1800) >= 0.9, `${pct(within(c, 1800))} rolled back (${pct(regression)} as regression)`];
    },
  ],
];
console.log('\n| goal | target | gate | Flagger |\n| --- | --- | --- | --- |');
for (const [id, target, check] of goals) {
  const [gOk, gText] = check('gate');
  const [fOk, fText] = check('flagger');
  console.log(`| ${id} | ${target} | ${gOk ? 'met' : 'MISSED'}: ${gText} | ${fOk ? 'met' : 'missed'}: ${fText} |`);
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s for ${cells.length * replays} replays)`);

const problems: string[] = [];
for (const scenario of faultMatrix) {
  for (const system of ['gate', 'flagger']) {
    const c = cells.find((x) => x.scenario === scenario.name && x.system === system);
    if (!c) problems.push(`${scenario.name}: no ${system} cell`);
    else if (c.outcomes.length !== replays) problems.push(`${scenario.name} ${system}: ${c.outcomes.length} replays`);
    else if (c.outcomes.some((o) => !Number.isFinite(o.seconds))) {
      problems.push(`${scenario.name} ${system}: a replay never ended`);
    }
  }
  // Both systems read their seed's traffic from trafficStream: the comparison holds only if a seed is one stream.
  const [a, b] = [trafficStream(scenario, 1), trafficStream(scenario, 1)];
  for (let second = 0; second < 600; second++) {
    if (JSON.stringify(a.next(50)) !== JSON.stringify(b.next(50))) {
      problems.push(`${scenario.name}: seed 1 gave two different traffic streams (second ${second})`);
      break;
    }
  }
}
failOnProblems('gate-vs-flagger', problems);
