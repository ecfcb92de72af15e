import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import {
  confirmWithTriage,
  type DrillTarget,
  type ExpectedSignal,
  type Injection,
  type Invariant,
  type InvariantResult,
  type Sample,
} from '@homelab/drills';
import { createDrillCa, type Issued } from './drill-certificates.ts';
import { machineDescription } from './drill-platform.ts';

/** A healthy certificate's lifetime, like the edge certificate's renewal window allows (90 days). */
const healthyValiditySeconds = 90 * 86_400;

export interface TlsDrillTarget extends DrillTarget {
  readonly port: number;
  /** The certificate the listener serves now. */
  current(): Issued;
  stop(): Promise<void>;
}

/**
 * A TLS listener the drill owns (standing in for Envoy's HTTPS listener) with a private CA made in memory. The
 * injection swaps in a certificate about to expire; the revert rotates to a fresh one with `setSecureContext`,
 * the same call a proxy makes when cert-manager renews: new handshakes get the new certificate, none fails.
 */
export async function startTlsDrillTarget(): Promise<TlsDrillTarget> {
  const ca = await createDrillCa();
  let serving = await ca.issue(healthyValiditySeconds);
  const server: Server = createServer({ cert: serving.cert, key: serving.key, minVersion: 'TLSv1.3' }, (socket) => {
    socket.end('ok\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const handshakes: { at: number; error?: string }[] = [];
  // triage cert reads the CA from a file, like an operator's `--ca ca.pem`.
  const caFile = join(mkdtempSync(join(tmpdir(), 'drill-ca-')), 'ca.pem');
  writeFileSync(caFile, ca.cert);
  const triageOptions = { targets: [`127.0.0.1:${port}`], caFiles: [caFile], servername: 'localhost' };
  const serve = (issued: Issued) => {
    server.setSecureContext({ cert: issued.cert, key: issued.key, minVersion: 'TLSv1.3' });
    serving = issued;
  };

  /** One verified handshake (the CA, the name); resolves with the peer's expiry or the error. */
  const handshake = () =>
    new Promise<{ ms: number; validTo?: Date; error?: string }>((resolve) => {
      const started = performance.now();
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.cert, timeout: 3_000 });
      socket.once('secureConnect', () => {
        const validTo = new Date(socket.getPeerCertificate().valid_to);
        socket.destroy();
        resolve({ ms: performance.now() - started, validTo });
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve({ ms: performance.now() - started, error: 'handshake timeout' });
      });
      socket.once('error', (error) => resolve({ ms: performance.now() - started, error: error.message }));
    });

  return {
    port,
    current: () => serving,
    description: `TLS listener on 127.0.0.1:${port} (node:tls, TLS 1.3, ECDSA P-256 from a private CA made for the drill) on ${machineDescription()}`,
    async checkPreconditions() {
      const first = await handshake();
      return first.error ? [`the listener refuses handshakes: ${first.error}`] : [];
    },
    async send(): Promise<Omit<Sample, 'at' | 'kind'>> {
      const result = await handshake();
      handshakes.push({ at: Date.now(), ...(result.error ? { error: result.error } : {}) });
      return result.error ? { status: 0, ms: result.ms, error: result.error } : { status: 200, ms: result.ms };
    },
    async inject(injection: Injection) {
      if (injection.kind !== 'expire-certificate') throw new Error(`the TLS target cannot inject ${injection.kind}`);
      // The healthy certificate aged until only `validForSeconds` are left: its renewal did not happen.
      serve(await ca.issue(injection.validForSeconds, healthyValiditySeconds));
    },
    async revert() {
      if (serving.notAfter.getTime() - Date.now() < healthyValiditySeconds * 500) {
        serve(await ca.issue(healthyValiditySeconds));
      }
    },
    cannotObserve(signal: ExpectedSignal) {
      return signal.kind === 'certificate-expiring' || signal.kind === 'triage'
        ? undefined
        : `the TLS target does not observe ${signal.kind}`;
    },
    async observe(signal: ExpectedSignal) {
      if (signal.kind === 'triage') {
        const verdict = await confirmWithTriage('cert', triageOptions);
        return verdict.findings.length > 0 ? `homelab triage cert: ${verdict.summary}` : undefined;
      }
      if (signal.kind !== 'certificate-expiring') return undefined;
      const result = await handshake();
      if (!result.validTo) return undefined;
      const days = (result.validTo.getTime() - Date.now()) / 86_400_000;
      return days < signal.belowDays
        ? `a client sees the certificate valid until ${result.validTo.toISOString()} (${days.toFixed(1)} days)`
        : undefined;
    },
    async verify(invariant: Invariant, samples: readonly Sample[]): Promise<InvariantResult> {
      if (invariant.kind !== 'no-failed-handshakes') return { invariant, held: false, detail: 'not checkable here' };
      const failed = samples.filter((s) => s.status === 0);
      return {
        invariant,
        held: failed.length === 0,
        detail: `${failed.length} of ${samples.length} handshakes failed${failed[0] ? ` (${failed[0].error})` : ''}`,
      };
    },
    triage: async () => (await confirmWithTriage('cert', triageOptions)).summary,
    evidence: (since) =>
      handshakes.filter((h) => h.at >= since && h.error).map((h) => `${new Date(h.at).toISOString()} ${h.error}`),
    stop: () =>
      new Promise<void>((resolve) => {
        rmSync(dirname(caFile), { recursive: true, force: true });
        server.close(() => resolve());
      }),
  };
}
