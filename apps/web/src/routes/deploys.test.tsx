import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendHistory, type RolloutResult } from '@homelab/deploy-report';
import { canaryGate } from '@homelab/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { createSessions } from '../session.ts';
import { deploysRoutes } from './deploys.tsx';

const dir = mkdtempSync(join(tmpdir(), 'web-deploys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sessions = createSessions({ secret: 's'.repeat(32), secure: false });

const record = (id: string, outcome: RolloutResult['outcome'], image: string): RolloutResult => ({
  id,
  app: 'api',
  image,
  source: 'test',
  driver: 'test',
  startedAt: '2026-11-30T20:00:00.000Z',
  finishedAt: '2026-11-30T20:02:00.000Z',
  outcome,
  reason: outcome === 'rolled-back' ? 'regression' : outcome === 'held' ? 'insufficient evidence' : undefined,
  detail: 'Test A (against the SLO) errors: canary 5/60',
  recovered: undefined,
  alerts: [],
  stages: canaryGate.stages,
  timeline: [
    {
      at: 5,
      stage: 0,
      weight: 10,
      canary: { requests: 10, errors: 0, slow: 0 },
      stable: { requests: 90, errors: 0, slow: 0 },
      evidence: {
        errors: {
          testA: 1,
          testAStage: 1,
          upper: 5.2,
          lower: -3,
          testB: 0,
          bThreshold: 5.3,
          canaryBad: 1,
          stableBad: 0,
        },
        slow: {
          testA: -1,
          testAStage: -1,
          upper: 5.2,
          lower: -3,
          testB: 0,
          bThreshold: 5.3,
          canaryBad: 0,
          stableBad: 0,
        },
      },
      decision: { kind: 'rollback', reason: 'regression', detail: 'x' },
    },
  ],
});

describe('GET /deploys', () => {
  it('lists the history newest first, each with its outcome and evidence chart', async () => {
    const file = join(dir, 'deploys.jsonl');
    appendHistory(file, record('first', 'promoted', 'api@sha256:aaa'));
    appendHistory(file, record('second', 'rolled-back', 'api@sha256:<script>alert(1)</script>'));
    const res = await deploysRoutes({ historyFile: file, sessions }).request('/deploys');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.indexOf('rolled back (regression)')).toBeLessThan(html.indexOf('promoted after'));
    expect(html.match(/<svg /g)?.length).toBe(2);
    // The image reference is text, in the heading and inside the chart: escaped in both.
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('shows a held rollout as held for the operator, not as rolled back (ADR 0131)', async () => {
    const file = join(dir, 'held.jsonl');
    appendHistory(file, record('third', 'held', 'api@sha256:ccc'));
    const html = await (await deploysRoutes({ historyFile: file, sessions }).request('/deploys')).text();
    expect(html).toContain('held for the operator (insufficient evidence)');
    expect(html).not.toContain('rolled back');
  });

  it('says so when nothing is recorded, and survives a torn last line', async () => {
    expect(await (await deploysRoutes({ historyFile: undefined, sessions }).request('/deploys')).text()).toContain(
      'No canary deploy recorded yet',
    );
    const torn = join(dir, 'torn.jsonl');
    writeFileSync(torn, `${JSON.stringify(record('ok', 'promoted', 'api@sha256:bbb'))}\n{"id":"cut`);
    const html = await (await deploysRoutes({ historyFile: torn, sessions }).request('/deploys')).text();
    expect(html.match(/data-testid="deploy"/g)?.length).toBe(1);
  });
});
