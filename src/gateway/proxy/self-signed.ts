import { randomBytes, webcrypto } from 'node:crypto';
import { x509 } from '../../crypto/x509.ts';

/**
 * A self-signed certificate for the proxy's listener when no certificate is configured
 * (development, tests): `*.<domain>` and `<domain>`. Browsers warn on it; production
 * configures a real wildcard certificate (`--proxy-cert`, `--proxy-key`).
 * `rsa`: an RSA 2048 key, as old devices use (test fixtures); default ECDSA P-256.
 */
export async function selfSignedCertificate(
  names: readonly string[],
  now: Date,
  options: { days?: number; rsa?: boolean } = {},
): Promise<{ cert: string; key: string }> {
  const algorithm = options.rsa
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
    : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x10;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${names[0] ?? 'plantgate proxy'}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (options.days ?? 365) * 86_400_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((value) => (/^[0-9.]+$/.test(value) ? { type: 'ip', value } : { type: 'dns', value }))),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: `${cert.toString('pem')}\n`, key: `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n` };
}

/** The names a proxy certificate for `domain` must carry. */
export function proxyCertificateNames(domain: string): string[] {
  return [`*.${domain}`, domain];
}
