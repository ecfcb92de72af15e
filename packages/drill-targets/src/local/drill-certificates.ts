// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA P-256 like cert-manager's default for the edge certificate (packages/platform). */
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface Issued {
  readonly cert: string;
  readonly key: string;
  readonly notAfter: Date;
  readonly serialNumber: string;
}

export interface DrillCa {
  /** The CA certificate (PEM) clients trust. */
  readonly cert: string;
  /**
   * A leaf for `localhost` and 127.0.0.1 with `validForSeconds` left of a `lifetimeSeconds` lifetime (default: it
   * starts now). A 90-day certificate with 2 days left is one whose renewal did not happen.
   */
  issue(validForSeconds: number, lifetimeSeconds?: number): Promise<Issued>;
}

/** PKCS#8 PEM through node:crypto's own encoder (no hand-written armour). */
const pemKey = (key: webcrypto.CryptoKey) => KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();

/** A private CA made in memory for one drill (never written to disk, never trusted beyond the drill's clients). */
export async function createDrillCa(): Promise<DrillCa> {
  const caKeys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=homelab drill CA',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 86_400_000),
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  let serial = 1;
  return {
    cert: ca.toString('pem'),
    async issue(validForSeconds, lifetimeSeconds = validForSeconds) {
      serial += 1;
      const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      const notAfter = new Date(Date.now() + validForSeconds * 1000);
      const serialNumber = serial.toString(16).padStart(2, '0');
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber,
        subject: 'CN=localhost',
        issuer: ca.subject,
        notBefore: new Date(notAfter.getTime() - lifetimeSeconds * 1000 - 60_000),
        notAfter,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: algorithm,
        extensions: [
          new x509.SubjectAlternativeNameExtension([
            { type: 'dns', value: 'localhost' },
            { type: 'ip', value: '127.0.0.1' },
          ]),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        ],
      });
      return { cert: leaf.toString('pem'), key: pemKey(keys.privateKey), notAfter, serialNumber };
    },
  };
}
