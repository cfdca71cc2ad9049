import { webcrypto } from 'node:crypto';
import { x509 } from './x509.ts';

/**
 * The device side of an OpenVPN profile (SPEC P9, CLI): an ECDSA P-256 key pair made here
 * and a certificate signing request over it. Only the CSR leaves the device; the private
 * key goes into the `.ovpn` the device writes. The web UI does the same with the browser's
 * WebCrypto (web/src/features/personal-vpn/openvpn-keys.ts).
 */

export type DeviceCsr = { privateKeyPem: string; csrPem: string };

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function createDeviceCsr(): Promise<DeviceCsr> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    // the platform sets the certificate's name itself; this one only labels the request
    name: 'CN=plantgate personal VPN',
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { privateKeyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`, csrPem: `${csr.toString('pem')}\n` };
}
