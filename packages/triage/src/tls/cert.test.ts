import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Issued, issue, makeCa } from '../../test/certificates.ts';
import { analyzeCert, collectCert, parseTarget } from './cert.ts';

const servers: Server[] = [];
let root: Issued;
let intermediate: Issued;

/** A real TLS listener on loopback serving `certs` (leaf first) with the leaf's key. */
async function serve(leaf: Issued, chain: Issued[]): Promise<string> {
  const server = createServer({ cert: [leaf, ...chain].map((c) => c.pem).join('\n'), key: leaf.keyPem }, (socket) =>
    socket.end(),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return `127.0.0.1:${address.port}`;
}

beforeAll(async () => {
  root = await makeCa();
  intermediate = await issue(root, { cn: 'homelab test intermediate', ca: true, notAfterDays: 180 });
});
afterAll(() => {
  for (const s of servers) s.close();
});

const check = async (target: string) => {
  const facts = await collectCert(target, { servername: 'notes.homelab.test', ca: [root.pem] });
  return { facts, findings: analyzeCert(facts) };
};

describe('cert against real TLS listeners with certificates made in the test', () => {
  it('passes a valid leaf with its intermediate, and shows the chain, SANs and issuer', async () => {
    const leaf = await issue(intermediate, { cn: 'notes', dnsNames: ['notes.homelab.test'], notAfterDays: 60 });
    const { facts, findings } = await check(await serve(leaf, [intermediate]));
    expect(findings).toEqual([]);
    expect(facts.trusted).toBe(true);
    expect(facts.chain.map((c) => c.subject)).toEqual([
      'CN=notes',
      'CN=homelab test intermediate',
      'CN=homelab test root',
    ]);
    expect(facts.chain[0]?.sans).toEqual(['notes.homelab.test']);
    expect(facts.chain[0]?.issuer).toBe('CN=homelab test intermediate');
  });

  it('alerts on a 90-day certificate under 14 days left, and not at 20', async () => {
    const soon = await issue(intermediate, {
      cn: 'notes',
      dnsNames: ['notes.homelab.test'],
      notBeforeDays: -85,
      notAfterDays: 5,
    });
    const [expiring] = (await check(await serve(soon, [intermediate]))).findings;
    expect(expiring).toMatchObject({ severity: 'alert', runbook: 'runbooks/tls/TlsCertificateInvalid.md' });
    expect(expiring?.what).toMatch(/^certificate expires in (4\.9|5\.0) days/);
    const later = await issue(intermediate, {
      cn: 'notes',
      dnsNames: ['notes.homelab.test'],
      notBeforeDays: -70,
      notAfterDays: 20,
    });
    expect((await check(await serve(later, [intermediate]))).findings).toEqual([]);
  });

  it('alerts on an expired certificate', async () => {
    const old = await issue(intermediate, {
      cn: 'notes',
      dnsNames: ['notes.homelab.test'],
      notBeforeDays: -30,
      notAfterDays: -2,
    });
    const { facts, findings } = await check(await serve(old, [intermediate]));
    expect(facts.verifyError).toBe('CERT_HAS_EXPIRED');
    expect(findings.map((f) => f.what)).toEqual([expect.stringMatching(/^certificate EXPIRED 2\.\d days ago/)]);
  });

  it('alerts when the certificate does not cover the name asked for', async () => {
    const other = await issue(intermediate, { cn: 'api', dnsNames: ['api.homelab.test'], notAfterDays: 60 });
    const { findings } = await check(await serve(other, [intermediate]));
    expect(findings.map((f) => f.what)).toEqual(['certificate does not cover "notes.homelab.test"']);
    expect(findings[0]?.evidence[0]).toContain('SANs api.homelab.test');
  });

  it('alerts on an incomplete chain (leaf without its intermediate)', async () => {
    const leaf = await issue(intermediate, { cn: 'notes', dnsNames: ['notes.homelab.test'], notAfterDays: 60 });
    const { facts, findings } = await check(await serve(leaf, []));
    expect(facts.trusted).toBe(false);
    expect(findings.map((f) => f.what)).toEqual([
      'incomplete chain: the server does not send the intermediate certificate',
    ]);
  });

  it('judges a short-lived certificate by its lifetime: a 24 h leaf is fine at 20 h, not at 6 h', () => {
    const facts = (hoursLeft: number) => ({
      target: 'x:443',
      servername: 'x',
      trusted: true,
      chain: [
        {
          subject: 'CN=x',
          issuer: 'CN=ca',
          sans: ['x'],
          notBefore: new Date(Date.now() - (24 - hoursLeft) * 3_600_000).toISOString(),
          notAfter: new Date(Date.now() + hoursLeft * 3_600_000).toISOString(),
          fingerprint256: '',
        },
      ],
    });
    expect(analyzeCert(facts(20))).toEqual([]);
    expect(analyzeCert(facts(6))[0]?.severity).toBe('alert');
  });

  it('reports a port without TLS as no handshake, and parses targets', async () => {
    const { findings } = await check('127.0.0.1:1');
    expect(findings[0]?.what).toBe('no TLS handshake');
    expect(parseTarget('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
    expect(parseTarget('example.org')).toEqual({ host: 'example.org', port: 443 });
    expect(() => parseTarget('a:99999')).toThrow(/bad port/);
  });
});
