import type { RolloutResult } from './record.ts';

const width = 720;
const height = 300;
const pad = { left: 48, right: 150, top: 28, bottom: 36 };
const yMin = -1;
const yMax = 1.5;

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The evidence over time as SVG: each test's statistic divided by its rollback threshold (1 = roll back), Test A
 * below zero divided by |accept bound| (-1 = the stage passes); stage changes dashed, the decision marked.
 * Hand-written SVG on purpose: it is small, needs no browser or canvas, and renders in a README, a job artifact
 * and the web status page alike.
 */
export function evidenceChart(result: RolloutResult): string {
  const points = result.timeline;
  const tMax = Math.max(10, ...points.map((p) => p.at));
  const x = (t: number) => pad.left + (t / tMax) * (width - pad.left - pad.right);
  const y = (v: number) => {
    const c = Math.max(yMin, Math.min(yMax, v));
    return pad.top + ((yMax - c) / (yMax - yMin)) * (height - pad.top - pad.bottom);
  };
  const normA = (a: number, upper: number, lower: number) => (a >= 0 ? a / upper : -a / lower);
  // Each SLI's two tests, normalised so that 1 is the rollback threshold (and -1 a passed stage for Test A).
  const colours = { errors: ['#d62728', '#ff9896'], slow: ['#1f77b4', '#aec7e8'] } as const;
  const series = (['errors', 'slow'] as const).flatMap((sli) => [
    {
      name: `${sli}: Test A`,
      colour: colours[sli][0],
      value: (i: number) => {
        const e = points[i]?.evidence[sli];
        return e ? normA(e.testA, e.upper, e.lower) : 0;
      },
    },
    {
      name: `${sli}: Test B`,
      colour: colours[sli][1],
      value: (i: number) => {
        const e = points[i]?.evidence[sli];
        return e ? e.testB / e.bThreshold : 0;
      },
    },
  ]);
  const lines = series.map((s) => {
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(s.value(i)).toFixed(1)}`).join(' ');
    return `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"/>`;
  });
  const stageMarks = points
    .filter((p, i) => i > 0 && p.stage !== points[i - 1]?.stage)
    .map(
      (p) =>
        `<line x1="${x(p.at)}" x2="${x(p.at)}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#999" stroke-dasharray="4 3"/>` +
        `<text x="${x(p.at) + 3}" y="${pad.top + 10}" font-size="10" fill="#666">${p.weight} %</text>`,
    );
  const last = points.at(-1);
  const verdict =
    result.outcome === 'promoted'
      ? 'promoted'
      : result.outcome === 'held'
        ? `held for the operator: ${result.reason ?? ''}`
        : `rolled back: ${result.reason ?? ''}`;
  const decision = last
    ? `<line x1="${x(last.at)}" x2="${x(last.at)}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="${result.outcome === 'promoted' ? '#2ca02c' : result.outcome === 'held' ? '#ff7f0e' : '#d62728'}" stroke-width="2"/>` +
      `<text x="${x(last.at) - 4}" y="${pad.top - 8}" font-size="12" text-anchor="end" fill="#333">${escapeXml(verdict)} at ${Math.round(last.at)} s</text>`
    : '';
  const legend = series.map(
    (s, i) =>
      `<rect x="${width - pad.right + 12}" y="${pad.top + i * 18}" width="12" height="3" fill="${s.colour}"/>` +
      `<text x="${width - pad.right + 30}" y="${pad.top + i * 18 + 5}" font-size="11">${s.name}</text>`,
  );
  const grid = [
    [1, 'roll back'],
    [0, '0'],
    [-1, 'stage passes'],
  ].map(
    ([v, label]) =>
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v as number)}" y2="${y(v as number)}" stroke="${v === 1 ? '#d62728' : '#ddd'}"/>` +
      `<text x="${pad.left - 4}" y="${y(v as number) + 4}" font-size="10" text-anchor="end">${label === '0' ? '0' : ''}</text>` +
      (label !== '0'
        ? `<text x="${pad.left + 4}" y="${y(v as number) - 3}" font-size="10" fill="#666">${label}</text>`
        : ''),
  );
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map(
    (f) =>
      `<text x="${x(f * tMax)}" y="${height - pad.bottom + 14}" font-size="10" text-anchor="middle">${Math.round(f * tMax)} s</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(`canary evidence for ${result.app}: ${verdict}`)}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${pad.left}" y="14" font-size="12" fill="#333">${escapeXml(`${result.app} ${result.image}`)}: evidence / threshold</text>`,
    ...grid,
    ...xTicks,
    ...stageMarks,
    ...lines,
    decision,
    ...legend,
    '</svg>',
  ].join('\n');
}
