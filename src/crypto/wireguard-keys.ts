import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * WireGuard keys made in-process with node:crypto X25519, never with `wg genkey` (no
 * child process ever sees a private key on its command line). Same encoding as wg:
 * the raw 32 bytes in standard base64.
 */

export type WireGuardKeyPair = { privateKey: string; publicKey: string };

// DER prefixes that wrap a raw 32-byte X25519 key (RFC 8410): PKCS#8 and SubjectPublicKeyInfo.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX_LENGTH = 12;

export function generateWireGuardKeyPair(): WireGuardKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey: rawPrivate(privateKey).toString('base64'), publicKey: rawPublic(publicKey).toString('base64') };
}

/** The public key `wg pubkey` prints for this private key. */
export function wireGuardPublicKey(privateKeyBase64: string): string {
  const raw = Buffer.from(privateKeyBase64, 'base64');
  if (raw.length !== 32) throw new Error('a WireGuard private key is 32 bytes of base64');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  return rawPublic(createPublicKey(privateKey)).toString('base64');
}

function rawPrivate(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_X25519_PREFIX.length);
}

function rawPublic(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_X25519_PREFIX_LENGTH);
}
