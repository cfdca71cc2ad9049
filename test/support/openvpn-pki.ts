import { randomBytes, webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { x509 } from '../../src/crypto/x509.ts';

/**
 * A throwaway OpenVPN PKI for tests (issue 9): a CA, server and client certificates with the
 * usages `remote-cert-tls` checks, a CRL, and a tls-crypt / tls-auth static key. ECDSA P-256
 * (OpenSSL 3 accepts it at every TLS version a legacy router offers). Test-only: keys live in
 * memory and in the PEM strings handed to the test's openvpn processes.
 */


const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export type TestCertificate = { certPem: string; keyPem: string; serialNumber: string; commonName: string };
export type TestPki = {
  caPem: string;
  server: TestCertificate;
  /** Issues a client certificate (TLS web client usage); `validDays` < 0 makes an expired one. */
  issueClient(commonName: string, options?: { validDays?: number }): Promise<TestCertificate>;
  /** A CRL (PEM) revoking these serial numbers. */
  crl(revokedSerials: string[]): Promise<string>;
};

export async function createTestPki(name = 'plantgate-test-ca'): Promise<TestPki> {
  const caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const issue = async (commonName: string, usage: 'server' | 'client', validDays = 365): Promise<TestCertificate> => {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
    const serialNumber = serial();
    const notAfter = validDays < 0 ? new Date(now + validDays * DAY) : new Date(now + validDays * DAY);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject: `CN=${commonName}`,
      issuer: ca.subjectName,
      notBefore: new Date(now - (validDays < 0 ? 10 * DAY : DAY)),
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), serialNumber, commonName };
  };
  return {
    caPem: ca.toString('pem'),
    server: await issue('server', 'server'),
    issueClient: (commonName, options) => issue(commonName, 'client', options?.validDays),
    crl: async (revokedSerials) => {
      const crl = await x509.X509CrlGenerator.create({
        issuer: ca.subjectName,
        thisUpdate: new Date(now - DAY),
        nextUpdate: new Date(now + 30 * DAY),
        signingKey: caKeys.privateKey,
        signingAlgorithm: ALGORITHM,
        entries: revokedSerials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(now - 60_000) })),
      });
      // OpenSSL reads only the "X509 CRL" PEM label
      return x509.PemConverter.encode(crl.rawData, 'X509 CRL');
    },
  };
}

/** An OpenVPN static key (tls-crypt / tls-auth), 2048 bits in the `openvpn --genkey` format. */
export function openVpnStaticKey(): string {
  const hex = randomBytes(256).toString('hex');
  const lines = hex.match(/.{32}/g) as string[];
  return ['-----BEGIN OpenVPN Static key V1-----', ...lines, '-----END OpenVPN Static key V1-----', ''].join('\n');
}

/** Positive, 16 bytes, no leading zero byte (OpenSSL prints it as written). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x10;
  return bytes.toString('hex');
}
