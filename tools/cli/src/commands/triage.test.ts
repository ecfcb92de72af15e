import { startDnsServer } from '@homelab/triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureOutput } from '../../test/capture-output.ts';
import { runCli } from '../cli.ts';

/** `homelab triage ...` in-process through the dispatcher (usage errors and --help are its job), with what it prints. */
const run = (...argv: string[]) => captureOutput(() => runCli(['triage', ...argv]));

let dns: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  dns = await startDnsServer();
});
afterAll(() => dns.close());

describe('homelab triage', () => {
  it('exits 2 on usage errors, naming the problem', async () => {
    expect(await run()).toMatchObject({ code: 2, err: expect.stringContaining('which check?') });
    expect(await run('bogus')).toMatchObject({ code: 2, err: expect.stringContaining('unknown check "bogus"') });
    expect(await run('dns')).toMatchObject({ code: 2, err: expect.stringContaining('dns needs at least one name') });
    expect(await run('cpu', 'extra')).toMatchObject({ code: 2, err: expect.stringContaining('takes no arguments') });
    expect(await run('cpu', '--top', '0')).toMatchObject({ code: 2, err: expect.stringContaining('--top must be') });
    expect(await run('cpu', '--nope')).toMatchObject({
      code: 2,
      err: expect.stringContaining("Unknown option '--nope'"),
    });
    expect((await run('--help')).code).toBe(0);
  });

  it('exits 0 and prints a table when healthy, 1 with findings; --json gives facts and findings', async () => {
    const healthy = await run('dns', 'ok.homelab.test', '--server', dns.address);
    expect(healthy.code).toBe(0);
    expect(healthy.out).toContain('findings: none');
    expect(healthy.out).toMatch(/ok\.homelab\.test.*answer.*10\.1\.2\.3/);

    const table = await run('dns', 'broken.homelab.test', '--server', dns.address);
    expect(table.code).toBe(1);
    expect(table.out).toMatch(/│ ALERT +│ broken\.homelab\.test +│ SERVFAIL/);
    // The runbook path on a row of its own, whole, so it can be copied.
    expect(table.out).toContain('runbook: runbooks/dns/DnsResolutionFailing.md');

    const broken = await run('dns', 'broken.homelab.test', '--server', dns.address, '--json');
    expect(broken.code).toBe(1);
    const [report] = JSON.parse(broken.out);
    expect(report.check).toBe('dns');
    expect(report.tables).toBeUndefined();
    expect(report.facts[0].attempts[0].outcome).toBe('servfail');
    expect(report.findings[0]).toMatchObject({
      severity: 'alert',
      runbook: 'runbooks/dns/DnsResolutionFailing.md',
    });
  });
});
