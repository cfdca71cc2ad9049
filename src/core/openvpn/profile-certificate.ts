/**
 * The rules for a personal OpenVPN profile's certificate (SPEC P9): which certificate
 * signing requests the platform signs, and what it puts into the certificate. Pure: the
 * caller parses the CSR (src/server/features/vpn/user-ca.ts) and passes the facts and the
 * time in.
 */

export type CsrFacts = {
  /** The signature over the request verified with the request's own public key. */
  signatureValid: boolean;
  /** WebCrypto algorithm name of the public key: 'ECDSA', 'RSASSA-PKCS1-v1_5', 'RSA-PSS', 'Ed25519'… */
  keyAlgorithm: string;
  /** ECDSA: 'P-256', 'P-384', 'P-521'. */
  namedCurve?: string | undefined;
  /** RSA: modulus length in bits. */
  modulusBits?: number | undefined;
};

export type CsrVerdict = { ok: true } | { ok: false; message: string };

/** The largest CSR (PEM) accepted: an RSA-4096 request is about 1.7 KB. */
export const MAX_CSR_CHARS = 8192;

/** How long a personal certificate lives; rotate re-issues long before. */
export const PROFILE_CERTIFICATE_DAYS = 730;

/** A few minutes back, so a device whose clock runs slow accepts the certificate at once. */
export const NOT_BEFORE_SLACK_MS = 5 * 60_000;

/**
 * Keys OpenVPN 2.6 and OpenVPN Connect both accept with an OpenSSL 3 default security
 * level: ECDSA on P-256/P-384, RSA from 2048 bits. Ed25519 is left out (OpenVPN Connect on
 * some platforms cannot use it), so is P-521 (not in every TLS stack's default groups).
 */
export function checkCsr(facts: CsrFacts): CsrVerdict {
  if (!facts.signatureValid) return { ok: false, message: 'its signature does not verify with its own public key (not a certificate signing request of this key)' };
  if (facts.keyAlgorithm === 'ECDSA') {
    if (facts.namedCurve === 'P-256' || facts.namedCurve === 'P-384') return { ok: true };
    return { ok: false, message: `ECDSA on ${facts.namedCurve ?? 'an unknown curve'} is not accepted; use P-256 or P-384` };
  }
  if (facts.keyAlgorithm === 'RSASSA-PKCS1-v1_5' || facts.keyAlgorithm === 'RSA-PSS' || facts.keyAlgorithm === 'RSA') {
    if ((facts.modulusBits ?? 0) >= 2048 && (facts.modulusBits ?? 0) <= 8192) return { ok: true };
    return { ok: false, message: `an RSA key of ${facts.modulusBits ?? 'unknown'} bits is not accepted; use 2048 to 8192 bits` };
  }
  return { ok: false, message: `a ${facts.keyAlgorithm} key is not accepted; use ECDSA P-256 (or P-384, or RSA 2048+)` };
}

/**
 * The certificate's subject common name: the profile id (stable over rotations; the
 * gateway recognises a certificate by its serial, never by the name a device asked for).
 */
export function profileCommonName(profileId: string): string {
  return `plantgate-profile-${profileId}`;
}

/**
 * An organization VPN client's certificate common name (SPEC O1 over P9): the client id
 * under a prefix of its own, so a certificate never reads as a personal profile's.
 */
export function orgVpnClientCommonName(clientId: string): string {
  return `plantgate-org-vpn-client-${clientId}`;
}

export function certificateValidity(now: Date): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - NOT_BEFORE_SLACK_MS), notAfter: new Date(now.getTime() + PROFILE_CERTIFICATE_DAYS * 86_400_000) };
}

/** The gateway peer identity of an OpenVPN profile: `openvpn:` + the certificate serial (lowercase hex). */
export function openVpnPeerId(serial: string): string {
  return `openvpn:${normalSerial(serial)}`;
}

/** The serial of an OpenVPN peer identity, or null for a WireGuard key. */
export function openVpnSerialOf(peerId: string): string | null {
  return peerId.startsWith('openvpn:') ? peerId.slice('openvpn:'.length) : null;
}

/** Lowercase hex without separators or leading zeros (openvpn's `tls_serial_hex_0` has colons). */
export function normalSerial(serial: string): string {
  const hex = serial.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');
  if (!/^[0-9a-f]{1,64}$/.test(hex)) throw new Error(`not a certificate serial: ${JSON.stringify(serial)}`);
  return hex;
}
