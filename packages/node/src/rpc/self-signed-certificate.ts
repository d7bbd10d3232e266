import 'reflect-metadata'; // @peculiar/x509 resolves its parts through tsyringe
import { webcrypto, X509Certificate } from 'node:crypto';
import { X509CertificateGenerator, cryptoProvider } from '@peculiar/x509';

/** A PEM certificate and its PEM (PKCS#8) private key. */
export interface PemCertificate {
  readonly certificate: string;
  readonly privateKey: string;
}

/** How long a made certificate is valid: monerod's half a year. */
const VALIDITY_MS = 182 * 24 * 3600 * 1000;

type SelfSignedParams = Parameters<typeof X509CertificateGenerator.createSelfSigned>[0];

const SIGNING = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * A fresh self-signed certificate for the RPC listener, made at each start as monerod makes one
 * when `--rpc-ssl` is on and no certificate is given: serial 1, empty subject and issuer, valid
 * half a year, nothing in it about this node. monerod 0.18 makes an RSA-4096 key (about 2 s of
 * CPU); this is P-256 (a millisecond), as newer epee does. Wallets in autodetect accept it
 * unverified, as they accept monerod's, or pin its fingerprint (logged at start).
 */
export async function makeSelfSignedCertificate(now = new Date()): Promise<PemCertificate> {
  cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(SIGNING, true, ['sign', 'verify']);
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: '',
    notBefore: now,
    notAfter: new Date(now.getTime() + VALIDITY_MS),
    keys: keys as unknown as SelfSignedParams['keys'],
    signingAlgorithm: SIGNING,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certificate: certificate.toString('pem'), privateKey: pem('PRIVATE KEY', pkcs8) };
}

/** The certificate's SHA-256 fingerprint as monerod prints it and wallets pin it (`AB:CD:…`). */
export function certificateFingerprint(certificate: string): string {
  return new X509Certificate(certificate).fingerprint256;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
