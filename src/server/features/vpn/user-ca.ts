import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { certificateValidity, checkCsr, MAX_CSR_CHARS, normalSerial } from '../../../core/openvpn/profile-certificate.ts';
import { x509 } from '../../../crypto/x509.ts';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/handle.ts';
import { ApiError } from '../../http/errors.ts';
import { createHostedPki, type PemKeyPair, signCrl } from '../direct-vpn/hosted-pki.ts';
import { insertUserCa, revokedCertificates, userCaRow } from './certificate-store.ts';

/**
 * The installation's user CA (SPEC P9, S3): made on first use of an OpenVPN profile, kept
 * with its private key, the gateways' server key and the tls-crypt key sealed under the
 * master key. It signs the devices' CSRs and the CRL the gateways check. The server
 * certificate and tls-crypt key are shared by every gateway (like the WireGuard service key:
 * one profile works in every region).
 */

export type UserCa = { ca: PemKeyPair; server: PemKeyPair; tlsCrypt: string };
export type SignedCertificate = { certificate: string; serial: string; fingerprint: string; notAfter: string };

type CryptoKey = webcrypto.CryptoKey;

const SEAL = { ca: 'user_ca:key', server: 'user_ca:server_key', tlsCrypt: 'user_ca:tls_crypt' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The CA, created (and sealed) inside the caller's transaction when there is none yet. */
export async function loadOrCreateUserCa(ctx: AppContext, trx: Db): Promise<UserCa> {
  const row = await userCaRow(trx);
  if (row) return openCa(ctx, row);
  const pki = await createHostedPki('personal VPN', ctx.now());
  await insertUserCa(trx, {
    id: 1,
    certificate: pki.ca.certificate,
    key_sealed: ctx.box.seal(pki.ca.key, SEAL.ca),
    server_certificate: pki.server.certificate,
    server_key_sealed: ctx.box.seal(pki.server.key, SEAL.server),
    tls_crypt_sealed: ctx.box.seal(pki.tlsCrypt, SEAL.tlsCrypt),
    created_at: ctx.now().toISOString(),
  });
  return pki;
}

/** The CA as stored, or null before the first OpenVPN profile. */
export async function existingUserCa(ctx: AppContext, db: Db): Promise<UserCa | null> {
  const row = await userCaRow(db);
  return row ? openCa(ctx, row) : null;
}

function openCa(ctx: AppContext, row: NonNullable<Awaited<ReturnType<typeof userCaRow>>>): UserCa {
  return {
    ca: { certificate: row.certificate, key: ctx.box.open(row.key_sealed, SEAL.ca) },
    server: { certificate: row.server_certificate, key: ctx.box.open(row.server_key_sealed, SEAL.server) },
    tlsCrypt: ctx.box.open(row.tls_crypt_sealed, SEAL.tlsCrypt),
  };
}

/**
 * Signs a device's CSR for a personal profile or an organization VPN client: the CSR must
 * prove its key (signature) and use a key every OpenVPN client takes (checkCsr); the subject
 * it asks for is ignored — the certificate gets `commonName` (profileCommonName,
 * orgVpnClientCommonName). 400 naming `csr` otherwise.
 */
export async function signProfileCsr(ca: PemKeyPair, csrPem: string, commonName: string, now: Date): Promise<SignedCertificate> {
  if (csrPem.length > MAX_CSR_CHARS) throw csrError(`is longer than ${MAX_CSR_CHARS} characters`);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem.trim());
  } catch {
    throw csrError('is not a PEM certificate signing request (PKCS #10)');
  }
  let publicKey: CryptoKey;
  let signatureValid = false;
  try {
    publicKey = await csr.publicKey.export();
    signatureValid = await csr.verify();
  } catch {
    throw csrError('its public key is of a kind the platform cannot read; use ECDSA P-256');
  }
  const algorithm = publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  const verdict = checkCsr({ signatureValid, keyAlgorithm: algorithm.name, namedCurve: algorithm.namedCurve, modulusBits: algorithm.modulusLength });
  if (!verdict.ok) throw csrError(verdict.message);
  const caCert = new x509.X509Certificate(ca.certificate);
  const serial = newSerial();
  const { notBefore, notAfter } = certificateValidity(now);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${commonName}`,
    issuer: caCert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: SIGN,
    publicKey,
    signingKey: await importCaKey(ca.key),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return {
    certificate: `${cert.toString('pem')}\n`,
    serial: normalSerial(cert.serialNumber),
    fingerprint: createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex'),
    notAfter: notAfter.toISOString(),
  };
}

/** The CRL over every revoked profile certificate; re-signed once per fleet revision (a revoke bumps it). */
export async function userCrl(ctx: AppContext, ca: PemKeyPair): Promise<string> {
  const crl = await ctx.fleet.memo('user-ca-crl', async () => {
    const revoked = await revokedCertificates(ctx.store.db);
    return signCrl(ca, revoked.map((r) => ({ serial: r.serial, at: r.revoked_at })), ctx.now());
  });
  return crl as string;
}

function csrError(problem: string): ApiError {
  return new ApiError(400, 'invalid', `csr: ${problem}`, { field: 'csr' });
}

/** A positive 128-bit serial (hex), unique without a counter; first nibble ≥ 1 so no leading zero is lost. */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x10;
  return bytes.toString('hex');
}

function importCaKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(pem)[0] as ArrayBuffer, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
}
