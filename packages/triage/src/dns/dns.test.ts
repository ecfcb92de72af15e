import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer } from '../../test/dns-server.ts';
import { analyzeDns, collectDns } from './dns.ts';

let server: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  server = await startDnsServer();
});
afterAll(() => server.close());

describe('dns against a resolver the test runs on loopback', () => {
  it('resolves a name, with the resolver that answered and no finding', async () => {
    const [facts] = await collectDns(['ok.homelab.test'], { servers: [server.address] });
    expect(facts?.attempts).toMatchObject([{ server: server.address, outcome: 'answer', addresses: ['10.1.2.3'] }]);
    expect(analyzeDns(facts ? [facts] : [])).toEqual([]);
    expect(server.queries).toContain('A ok.homelab.test');
  });

  it('tells NXDOMAIN, SERVFAIL and a timeout apart', async () => {
    const facts = await collectDns(['missing.homelab.test', 'broken.homelab.test', 'silent.homelab.test'], {
      servers: [server.address],
      timeoutMs: 300,
    });
    expect(facts.map((f) => f.attempts.map((a) => a.outcome))).toEqual([['nxdomain'], ['servfail'], ['timeout']]);
    const findings = analyzeDns(facts);
    expect(findings.map((f) => [f.subject, f.severity])).toEqual([
      ['missing.homelab.test', 'alert'],
      ['broken.homelab.test', 'alert'],
      ['silent.homelab.test', 'alert'],
    ]);
    expect(findings[0]?.what).toContain('NXDOMAIN');
    expect(findings[0]?.what).toContain(`answered by ${server.address}`);
    expect(findings[1]?.what).toContain('SERVFAIL');
    expect(findings[2]?.what).toBe(`no answer before the timeout (${server.address})`);
    expect(findings.every((f) => f.runbook === 'runbooks/dns/DnsResolutionFailing.md')).toBe(true);
  });

  it('says which resolver answered when the first one does not', async () => {
    const dead = await startDnsServer();
    await dead.close(); // its port now refuses, or at least never answers
    const [facts] = await collectDns(['ok.homelab.test'], { servers: [dead.address, server.address], timeoutMs: 300 });
    expect(facts?.attempts.map((a) => a.server)).toEqual([dead.address, server.address]);
    expect(facts?.attempts[1]?.outcome).toBe('answer');
    const [warning] = analyzeDns(facts ? [facts] : []);
    expect(warning).toMatchObject({ severity: 'warn', subject: 'ok.homelab.test' });
    expect(warning?.what).toContain(`resolves only through ${server.address}`);
  });
});
