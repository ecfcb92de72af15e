import { checkServerIdentity, connect, type DetailedPeerCertificate } from 'node:tls';
import { failureModes } from '@homelab/platform';
import { type Finding, finding } from '../finding.ts';

export interface CertSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly sans: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprint256: string;
}

/** What a TLS handshake with one endpoint showed. */
export interface CertFacts {
  readonly target: string;
  /** The name checked against the certificate (SNI and SAN): the host part unless given. */
  readonly servername: string;
  readonly error?: string;
  /** True when the chain verified against the trust store (the system's, or the CA given). */
  readonly trusted?: boolean;
  /** OpenSSL's verification error when not trusted, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
  readonly verifyError?: string;
  /** Leaf first, then each issuer Node could link; the root may come from the trust store. */
  readonly chain: readonly CertSummary[];
  /** The leaf as Node parsed it, for the name check. */
  readonly leaf?: DetailedPeerCertificate;
  readonly protocol?: string;
}

const name = (dn: Record<string, string | string[]> | undefined) =>
  dn
    ? Object.entries(dn)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
        .join(', ')
    : '';

function summarise(cert: DetailedPeerCertificate): CertSummary {
  return {
    subject: name(cert.subject as unknown as Record<string, string>),
    issuer: name(cert.issuer as unknown as Record<string, string>),
    sans: (cert.subjectaltname ?? '')
      .split(', ')
      .filter(Boolean)
      .map((s) => s.replace(/^DNS:/, '')),
    notBefore: new Date(cert.valid_from).toISOString(),
    notAfter: new Date(cert.valid_to).toISOString(),
    fingerprint256: cert.fingerprint256,
  };
}

/** Splits `host:port` (or `[v6]:port`; port 443 when absent). */
export function parseTarget(target: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(target) ?? /^([^:]+)(?::(\d+))?$/.exec(target);
  if (!match?.[1]) throw new Error(`not a host:port: "${target}"`);
  const port = Number(match[2] ?? 443);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port in "${target}"`);
  return { host: match[1], port };
}

export interface CertOptions {
  /** Name to ask for with SNI and check the SANs against (default: the host of each target). */
  readonly servername?: string;
  /** PEM CA certificates to trust instead of the system store (the platform's private CA). */
  readonly ca?: readonly string[];
  readonly timeoutMs?: number;
}

/**
 * One handshake per target that never rejects: verification is recorded, not enforced, so an expired or
 * mismatched certificate is still read and reported.
 */
export function collectCert(target: string, options: CertOptions = {}): Promise<CertFacts> {
  const { host, port } = parseTarget(target);
  const servername = options.servername ?? host;
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      // SNI must not be an IP address (RFC 6066).
      ...(/^[\d.]+$|:/.test(servername) ? {} : { servername }),
      rejectUnauthorized: false,
      ...(options.ca ? { ca: [...options.ca] } : {}),
    });
    socket.setTimeout(options.timeoutMs ?? 5000, () =>
      socket.destroy(new Error(`no TLS handshake within ${options.timeoutMs ?? 5000} ms`)),
    );
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(true);
      const chain: CertSummary[] = [];
      const seen = new Set<string>();
      for (let c: DetailedPeerCertificate | undefined = leaf; c?.fingerprint256; c = c.issuerCertificate) {
        if (seen.has(c.fingerprint256)) break; // a self-signed root is its own issuer
        seen.add(c.fingerprint256);
        chain.push(summarise(c));
      }
      const verifyError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      resolve({
        target,
        servername,
        trusted: socket.authorized,
        ...(verifyError ? { verifyError } : {}),
        chain,
        leaf,
        protocol: socket.getProtocol() ?? '',
      });
      socket.end();
    });
    socket.once('error', (error) => resolve({ target, servername, error: error.message, chain: [] }));
  });
}

export interface CertThresholds {
  /** Days left under which a certificate is an alert (default 14). */
  readonly alertDays?: number;
  /** The check's clock, for tests of the pure function (default now). */
  readonly now?: Date;
}

/** Verification errors that mean the server did not send the intermediates (or the CA is not the one given). */
const incompleteChain = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
const untrusted = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);

const dayMs = 86_400_000;

export function analyzeCert(facts: CertFacts, thresholds: CertThresholds = {}): Finding[] {
  const now = thresholds.now ?? new Date();
  const mode = failureModes.tlsCertificate;
  if (facts.error) {
    return [
      finding(mode, {
        severity: 'alert',
        subject: facts.target,
        what: 'no TLS handshake',
        evidence: [facts.error],
        next: 'Check something listens there (`homelab triage net`) and speaks TLS on that port.',
      }),
    ];
  }
  const leaf = facts.chain[0];
  if (!leaf) return [];
  const findings: Finding[] = [];
  const issued = `leaf ${leaf.subject}, issued by ${leaf.issuer}; SANs ${leaf.sans.join(' ') || 'none'}`;
  const notAfter = new Date(leaf.notAfter);
  const notBefore = new Date(leaf.notBefore);
  const daysLeft = (notAfter.getTime() - now.getTime()) / dayMs;
  const lifetimeDays = (notAfter.getTime() - notBefore.getTime()) / dayMs;
  const validity = `valid ${leaf.notBefore} to ${leaf.notAfter} (${daysLeft.toFixed(1)} days left)`;
  const alertDays = thresholds.alertDays ?? 14;
  // A short-lived certificate (the platform's leaves live 24 h) always has under 14 days: for those, alert once
  // less than a third of the lifetime is left, the point where cert-manager should already have renewed it.
  const renewalMissed = lifetimeDays < 3 * alertDays ? daysLeft < lifetimeDays / 3 : daysLeft < alertDays;
  if (daysLeft <= 0) {
    findings.push(
      finding(mode, {
        severity: 'alert',
        subject: facts.target,
        what: `certificate EXPIRED ${(-daysLeft).toFixed(1)} days ago: clients refuse the handshake`,
        evidence: [validity, issued],
        next:
          'Renew now: in the cluster `kubectl -n <ns> get certificate` and `cmctl renew <name>` (see why renewal ' +
          'stopped in the CertificateRequest events); a listener that loads its certificate at start needs a restart.',
      }),
    );
  } else if (now < notBefore) {
    findings.push(
      finding(mode, {
        severity: 'alert',
        subject: facts.target,
        what: 'certificate not valid yet: a clock is wrong',
        evidence: [validity, `check clock ${now.toISOString()}`],
        next: 'Compare the clocks of issuer, server and client (`timedatectl`); fix NTP.',
      }),
    );
  } else if (renewalMissed) {
    findings.push(
      finding(mode, {
        severity: 'alert',
        subject: facts.target,
        what: `certificate expires in ${daysLeft.toFixed(1)} days: renewal did not happen`,
        evidence: [validity, `lifetime ${lifetimeDays.toFixed(1)} days`, issued],
        next:
          'Find out why it was not renewed: cert-manager Certificate and CertificateRequest status and events, ' +
          'the issuer Ready; then check the listener serves the renewed Secret (reload or restart).',
      }),
    );
  }
  if (facts.leaf && checkServerIdentity(facts.servername, facts.leaf) !== undefined) {
    findings.push(
      finding(mode, {
        severity: 'alert',
        subject: facts.target,
        what: `certificate does not cover "${facts.servername}"`,
        evidence: [issued],
        next:
          'The listener serves the wrong certificate (SNI route, default certificate) or the certificate lacks ' +
          'the name: add it to the Certificate dnsNames, or fix the Gateway listener hostname.',
      }),
    );
  }
  if (facts.verifyError && incompleteChain.has(facts.verifyError)) {
    findings.push(
      finding(mode, {
        severity: 'alert',
        subject: facts.target,
        what: 'incomplete chain: the server does not send the intermediate certificate',
        evidence: [`verification: ${facts.verifyError}`, issued, `chain seen: ${facts.chain.length} certificate(s)`],
        next:
          'Serve the full chain (leaf then intermediates: cert-manager`s tls.crt has it; a hand-made file needs ' +
          'the intermediate appended). Browsers may paper over it; curl, Node and Go clients fail.',
      }),
    );
  } else if (facts.verifyError && untrusted.has(facts.verifyError)) {
    findings.push(
      finding(mode, {
        severity: 'alert',
        subject: facts.target,
        what: 'certificate not trusted: self-signed or from a CA this client does not know',
        evidence: [`verification: ${facts.verifyError}`, issued],
        next: 'Pass the platform CA with --ca (infra/pulumi/README.md shows how to export it) or issue from it.',
      }),
    );
  } else if (
    facts.verifyError &&
    facts.verifyError !== 'CERT_HAS_EXPIRED' &&
    facts.verifyError !== 'ERR_TLS_CERT_ALTNAME_INVALID'
  ) {
    findings.push(
      finding(mode, {
        severity: 'alert',
        subject: facts.target,
        what: `chain does not verify: ${facts.verifyError}`,
        evidence: [issued],
        next: 'Check the chain with `openssl s_client -connect <host:port> -showcerts`.',
      }),
    );
  }
  return findings;
}
