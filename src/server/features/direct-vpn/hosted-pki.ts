import { randomBytes, webcrypto } from 'node:crypto';
import { x509 } from '../../../crypto/x509.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * The PKI of one hosted OpenVPN server (issue 9, D1/D6/D9): its own CA, the server
 * certificate, one certificate per client, the CRL. ECDSA P-256 with SHA-256 (OpenVPN 2.4+
 * and every OpenSSL-based router firmware of the last decade; keys are made in milliseconds,
 * RSA would take a second per create). The CA key and the server key are kept sealed by the
 * caller (server secrets); a client's key goes into its show-once profile and nowhere else.
 */

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const CA_YEARS = 20;
const LEAF_YEARS = 10;
const CRL_DAYS = 3650;

export type PemKeyPair = { certificate: string; key: string };
export type HostedPki = { ca: PemKeyPair; server: PemKeyPair; tlsCrypt: string };
export type IssuedCertificate = PemKeyPair & { serial: string };
export type Revoked = { serial: string; at: string };

function years(from: Date, count: number): Date {
  const until = new Date(from);
  until.setUTCFullYear(until.getUTCFullYear() + count);
  return until;
}

/** A positive 128-bit serial (hex) — unique without a counter; the CRL names certificates by it. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f | 0x10;
  return bytes.toString('hex');
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pemKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(pem)[0] as ArrayBuffer, ALG, false, ['sign']);
}

/** CN values are plantgate names (printable, ≤ 64): kept as they are, with DN syntax escaped. */
function cn(text: string): string {
  return `CN=${text.replace(/([,+"\\<>;=#])/g, '\\$1')}`;
}

/** The CA (20 years), the server certificate (serverAuth) and the tls-crypt key of a new server. */
export async function createHostedPki(serverName: string, now: Date): Promise<HostedPki> {
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: cn(`plantgate CA ${serverName}`),
    notBefore: now,
    notAfter: years(now, CA_YEARS),
    signingAlgorithm: SIGN,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caPem = { certificate: `${ca.toString('pem')}\n`, key: await pemKey(caKeys.privateKey) };
  const server = await issue(caPem, `plantgate server ${serverName}`, 'server', now);
  return { ca: caPem, server: { certificate: server.certificate, key: server.key }, tlsCrypt: tlsCryptKey() };
}

/** A certificate signed by the CA: `server` for the agent, `client` for a site or user client. */
export async function issue(ca: PemKeyPair, commonName: string, role: 'server' | 'client', now: Date): Promise<IssuedCertificate> {
  const keys = await keyPair();
  const caCert = new x509.X509Certificate(ca.certificate);
  const number = serial();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: number,
    subject: cn(commonName),
    issuer: caCert.subject,
    notBefore: now,
    notAfter: years(now, LEAF_YEARS),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: await importKey(ca.key),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (role === 'server' ? x509.KeyUsageFlags.keyAgreement : 0), true),
      new x509.ExtendedKeyUsageExtension([role === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: `${cert.toString('pem')}\n`, key: await pemKey(keys.privateKey), serial: number };
}

/** The CRL naming every revoked certificate; re-signed on every removal (valid 10 years: the agent has no CRL fetch). */
export async function signCrl(ca: PemKeyPair, revoked: Revoked[], now: Date): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certificate);
  const crl = await x509.X509CrlGenerator.create({
    issuer: caCert.subject,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + CRL_DAYS * 86_400_000),
    signingAlgorithm: SIGN,
    signingKey: await importKey(ca.key),
    entries: revoked.map((r) => ({ serialNumber: r.serial, revocationDate: new Date(r.at), reason: x509.X509CrlReason.cessationOfOperation })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(caCert)],
  });
  // OpenSSL reads a CRL only under its own label
  return `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`;
}

/** The serial of a PEM certificate (hex, as the CRL names it). */
export function serialOf(certificatePem: string): string {
  return new x509.X509Certificate(certificatePem).serialNumber;
}

/** An OpenVPN static key (2048 bits), as `openvpn --genkey tls-crypt` writes it. */
export function tlsCryptKey(): string {
  const hex = randomBytes(256).toString('hex');
  const lines = hex.match(/.{32}/g) as string[];
  return ['-----BEGIN OpenVPN Static key V1-----', ...lines, '-----END OpenVPN Static key V1-----', ''].join('\n');
}
