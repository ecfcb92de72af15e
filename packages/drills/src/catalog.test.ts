import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickBlind, scenarioNamed, scenarios } from './catalog.ts';

const repositoryRoot = join(import.meta.dirname, '../../..');

describe('drill catalog', () => {
  it('has every drill the issue asks for, locally and in a cluster, with unique names', () => {
    const local = scenarios.filter((s) => s.environment === 'local').map((s) => s.name);
    expect(local).toEqual([
      'process-kill',
      'crash-loop',
      'oom-kill',
      'latency-fault',
      'error-fault',
      'redis-down',
      'postgres-down',
      'cert-rotation',
      'bad-canary',
    ]);
    expect(scenarios.filter((s) => s.environment === 'cluster')).toHaveLength(11);
    expect(scenarios.filter((s) => s.environment === 'orchestrator').map((s) => s.name)).toEqual([
      'orch-process-kill',
      'orch-agent-kill',
      'orch-postgres-node-loss',
    ]);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });

  it('gives every drill a hypothesis, expectations or invariants, realism and a bounded load', () => {
    for (const s of scenarios) {
      expect(s.hypothesis.length, s.name).toBeGreaterThan(40);
      expect(s.expect.length + s.invariants.length, s.name).toBeGreaterThan(0);
      expect(s.realism.real.length, s.name).toBeGreaterThan(0);
      expect(s.load.maxSeconds, s.name).toBeLessThanOrEqual(120);
      expect(s.diagnosisKeywords.length, s.name).toBeGreaterThan(0);
      expect(s.runbook.path, s.name).toMatch(/^runbooks\/[a-z-]+\/[A-Za-z]+\.md$/);
    }
  });

  it('points every drill at a runbook that exists and names the drill and the triage check', () => {
    const missing = scenarios.map((s) => s.runbook.path).filter((path) => !existsSync(join(repositoryRoot, path)));
    expect(missing).toEqual([]);
    for (const s of scenarios) {
      const text = readFileSync(join(repositoryRoot, s.runbook.path), 'utf8');
      expect(text, s.runbook.path).toContain(`\`homelab drill ${s.name}\``);
      expect(text, s.runbook.path).toMatch(new RegExp(`homelab triage ${s.runbook.triageCheck}\\b`));
    }
  });

  it('names what exists when a drill is unknown, and picks blind drills from the candidates only', () => {
    expect(() => scenarioNamed('nope')).toThrow(/process-kill/);
    const candidates = scenarios.slice(0, 3);
    expect(pickBlind(candidates, 0).name).toBe('process-kill');
    expect(pickBlind(candidates, 0.999).name).toBe('oom-kill');
    expect(() => pickBlind([], 0.5)).toThrow(/no scenario/);
  });
});
