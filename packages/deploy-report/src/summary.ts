import type { RolloutResult } from './record.ts';

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');

/** The markdown summary: for the terminal, `$GITHUB_STEP_SUMMARY` and the history page. */
export function markdownSummary(result: RolloutResult, chartPath?: string): string {
  const last = result.timeline.at(-1);
  const verdict =
    result.outcome === 'promoted'
      ? '**promoted**'
      : result.outcome === 'held'
        ? `**held for the operator, not rolled back** (${result.reason ?? 'no verdict'})`
        : `**rolled back** (${result.reason ?? 'unknown reason'})`;
  // No evaluation ran when the canary never got ready: then the wall time from start to the rollback.
  const seconds = Math.round(last ? last.at : (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000);
  const lines = [
    `### Canary ${result.app} \`${result.image}\`: ${verdict} after ${seconds} s`,
    '',
    result.detail,
    ...(result.plan ? ['', `Power plan: ${result.plan}.`] : []),
    ...(result.outcome === 'held'
      ? [
          '',
          'Traffic is back on stable and the canary is still running. Promote it after checking with `homelab deploy <app> --image <same> --override promote-if-no-worse`, or re-run the deploy (it reverts this rollout and starts afresh).',
        ]
      : []),
    ...(result.recovered ? ['', `Before starting: ${result.recovered}.`] : []),
    ...(result.alerts.length > 0 ? ['', `Shared-outage alerts (stable was bad too): ${result.alerts.length}`] : []),
    '',
    '| stage | weight | reached at | canary requests at the end |',
    '| --- | --- | --- | --- |',
    ...result.stages.map((s, i) => {
      const first = result.timeline.find((p) => p.stage === i);
      const lastOfStage = [...result.timeline].reverse().find((p) => p.stage === i);
      return `| ${i + 1} | ${s.weight} % | ${first ? `${Math.round(first.at)} s` : 'not reached'} | ${lastOfStage?.canary.requests ?? '-'} |`;
    }),
    '',
  ];
  if (last) {
    lines.push(
      '| SLI | Test A (rollback at) | Test A this stage (pass at) | Test B ln E (rollback at) | canary bad / requests | stable bad / requests |',
      '| --- | --- | --- | --- | --- | --- |',
      ...(['errors', 'slow'] as const).map((name) => {
        const e = last.evidence[name];
        const c = name === 'errors' ? last.canary.errors : last.canary.slow;
        const s = name === 'errors' ? last.stable.errors : last.stable.slow;
        return `| ${name} | ${f2(e.testA)} (${f2(e.upper)}) | ${f2(e.testAStage)} (${f2(e.lower)}) | ${f2(e.testB)} (${f2(e.bThreshold)}) | ${c} / ${last.canary.requests} | ${s} / ${last.stable.requests} |`;
      }),
      '',
    );
  }
  lines.push(`Metrics: ${result.source}. Traffic: ${result.driver}. Rollout ${result.id}.`);
  if (chartPath) lines.push('', `Evidence chart: ${chartPath}`);
  return `${lines.join('\n')}\n`;
}
