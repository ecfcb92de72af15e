import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRunLocally } from '@homelab/drill-targets';
import { type Scenario, scenarioNamed, scenarios } from '@homelab/drills';
import { afterAll, describe, expect, it } from 'vitest';
import { captureOutput } from '../../test/capture-output.ts';
import { UsageError } from '../framework/index.ts';
import { drill } from './drill.ts';

/** `homelab drill ...` in-process, with what it prints. */
const run = (...argv: string[]) => captureOutput(() => drill.run(argv));

describe('homelab drill', () => {
  const postmortems = mkdtempSync(join(tmpdir(), 'drill-postmortems-'));
  afterAll(() => rmSync(postmortems, { recursive: true, force: true }));

  it('--list shows every drill; --json gives the definitions', async () => {
    const table = await run('--list');
    expect(table.code).toBe(0);
    for (const s of scenarios) expect(table.out).toContain(s.name);
    const json = await run('--list', '--json');
    expect((JSON.parse(json.out) as { name: string }[]).map((s) => s.name)).toEqual(scenarios.map((s) => s.name));
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const { code, out } = await run('oom-kill', '--dry-run', '--postmortem-dir', postmortems);
    expect(code).toBe(0);
    expect(out).toMatch(/^inject: +\{"kind":"fault","app":"api","settings":\{"leakMbPerSecond":64\}\}$/m);
    expect(out).toContain('runbooks/kubernetes/KubeContainerOOMKilled.md (confirm with: homelab triage mem)');
    expect(out).toContain('(dry run: nothing was started or changed)');
    expect(readdirSync(postmortems)).toEqual([]);
  });

  it('names the drills there are for an unknown one; refuses bad flags', async () => {
    await expect(run('nope')).rejects.toThrow(/no drill "nope"; there are: process-kill/);
    await expect(run()).rejects.toBeInstanceOf(UsageError);
    await expect(run('oom-kill', '--blind')).rejects.toBeInstanceOf(UsageError);
    await expect(run('oom-kill', '--dry-rn')).rejects.toThrow(/Unknown option '--dry-rn'/);
    await expect(run('oom-kill', '--dry-rn')).rejects.toBeInstanceOf(UsageError);
  });

  it('has a target for every drill, the cluster bad canary included; an action no target carries out is refused', async () => {
    expect(scenarios.filter((s) => !canRunLocally(s)).map((s) => s.name)).toEqual([]);
    const plan = await run('k8s-bad-canary', '--dry-run');
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(
      /^expect: +homelab triage k8s finding \(KubeDeploymentRolloutStuck\); canary gate rolled/m,
    );
    const unknown = { ...scenarioNamed('k8s-bad-canary'), inject: { kind: 'kubernetes', action: 'none-such' } };
    expect(canRunLocally(unknown as Scenario)).toBe(false);
  });

  it('--kubeconfig points a cluster drill at your cluster; a missing file is named before anything is touched', async () => {
    expect(drill.usage).toMatch(/--kubeconfig <file> +cluster drills: default the homelab cluster up/);
    await expect(run('k8s-crash-loop', '--kubeconfig', '/nonexistent/k3s.yaml')).rejects.toThrow(
      '--kubeconfig /nonexistent/k3s.yaml: no such file',
    );
  });

  it('refuses --until-firing where no alert can fire: no Prometheus target, or no alert expected', async () => {
    await expect(run('cert-rotation', '--until-firing', '--no-postmortem')).rejects.toThrow(
      /--until-firing: cert-rotation runs no Prometheus/,
    );
    await expect(run('redis-down', '--until-firing', '--no-postmortem')).rejects.toBeInstanceOf(UsageError);
  });

  it('runs the certificate drill for real and writes its postmortem draft', async () => {
    const { code, out, err } = await run('cert-rotation', '--json', '--postmortem-dir', postmortems);
    expect(code, err).toBe(0);
    const record = JSON.parse(out) as { passed: boolean; scenario: string };
    expect(record).toMatchObject({ passed: true, scenario: 'cert-rotation' });
    const [file] = readdirSync(postmortems);
    expect(file).toMatch(/^\d{4}-\d{2}-\d{2}-drill-cert-rotation\.md$/);
    expect(readFileSync(join(postmortems, file as string), 'utf8')).toContain('0 of ');
  }, 60_000);
});
