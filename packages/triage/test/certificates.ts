// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * Test-only: a private CA, an intermediate and leaves with chosen names and validity, made in-process with
 * @peculiar/x509 on WebCrypto, so expired and not-yet-valid certificates need no clock tricks.
 */
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const dayMs = 86_400_000;

export interface Issued {
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly pem: string;
  readonly keyPem: string;
}

const keyPair = () => webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

async function toIssued(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<Issued> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert, keys, pem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

export async function makeCa(name = 'homelab test root'): Promise<Issued> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - dayMs),
    notAfter: new Date(Date.now() + 365 * dayMs),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return toIssued(cert, keys);
}

export async function issue(
  issuer: Issued,
  options: { cn: string; dnsNames?: string[]; ca?: boolean; notBeforeDays?: number; notAfterDays: number },
): Promise<Issued> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${options.cn}`,
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() + (options.notBeforeDays ?? -1) * dayMs),
    notAfter: new Date(Date.now() + options.notAfterDays * dayMs),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(options.ca === true, undefined, true),
      ...(options.ca
        ? [new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)]
        : [
            new x509.SubjectAlternativeNameExtension((options.dnsNames ?? []).map((value) => ({ type: 'dns', value }))),
          ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
  return toIssued(cert, keys);
}
