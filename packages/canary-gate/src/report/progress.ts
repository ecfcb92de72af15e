import type { TimelinePoint } from '@homelab/deploy-report';
import type { SliEvidence } from '../engine/gate.ts';

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const sli = (name: string, e: SliEvidence) =>
  `${name} A ${fixed(e.testA)}/${fixed(e.upper)} (stage ${fixed(e.testAStage)}/${fixed(e.lower)}) B ${fixed(e.testB)}/${fixed(e.bThreshold)}`;

/** The live progress line: stage, weight, requests per version, evidence against thresholds, decision. */
export function progressLine(point: TimelinePoint, stages: number): string {
  const d = point.decision;
  const verdict =
    d.kind === 'hold'
      ? `hold (${d.reason})`
      : d.kind === 'advance'
        ? `advance to ${d.weight} %`
        : d.kind === 'promote'
          ? 'PROMOTE'
          : d.kind === 'held'
            ? `HELD for the operator (${d.reason})`
            : `ROLLBACK (${d.reason})`;
  return [
    `${String(Math.round(point.at)).padStart(4)} s`,
    `stage ${point.stage + 1}/${stages} ${String(point.weight).padStart(3)} %`,
    `canary ${point.canary.requests} req ${point.canary.errors} 5xx ${point.canary.slow} slow`,
    `stable ${point.stable.requests} req ${point.stable.errors} 5xx ${point.stable.slow} slow`,
    sli('errors', point.evidence.errors),
    sli('slow', point.evidence.slow),
    verdict,
  ].join(' | ');
}
