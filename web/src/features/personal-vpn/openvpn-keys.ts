import '../../../../src/crypto/reflect-metadata-shim.ts';
import * as x509 from '@peculiar/x509';

/**
 * An OpenVPN profile's key pair made in this browser (SPEC P9): ECDSA P-256 with WebCrypto,
 * and a certificate signing request over it with @peculiar/x509 (the same library the
 * server signs with). Only the CSR is sent; the private key goes only into the `.ovpn`.
 * Loaded on demand (import()), so the X.509 code is not in the page's first download.
 */
export type OpenVpnDeviceKey = { csrPem: string; privateKeyPem: string };

export async function generateOpenVpnKeyAndCsr(): Promise<OpenVpnDeviceKey> {
  x509.cryptoProvider.set(crypto);
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=plantgate personal VPN',
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { csrPem: `${csr.toString('pem')}\n`, privateKeyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n` };
}
