import { dialEndpoint, regionComment } from '../../../../src/core/render/profile-conf.ts';
import { readOwnedLines, updateOwnedLines } from '../../../../src/core/render/wireguard-conf-update.ts';
import type { ProfileConfigParts } from '../../../../src/core/wire/api.ts';
import { base64 } from './keys.ts';

export type Refreshed = { ok: true; text: string; region: string } | { ok: false; message: string };

/**
 * `plantgate vpn refresh` in the browser: the user picks the config file they have; it is
 * read here, its key checked against the active profile, and only the lines plantgate
 * owns (AllowedIPs, Endpoint, the region comment) are rewritten with the same core
 * function as the CLI. The file and its private key never leave the page.
 */
export async function refreshConfig(text: string, parts: ProfileConfigParts): Promise<Refreshed> {
  const current = readOwnedLines(text);
  if (!current.privateKey) return { ok: false, message: 'This file has no PrivateKey line: choose the config file plantgate gave you.' };
  let publicKey: string;
  try {
    publicKey = await wireGuardPublicKey(current.privateKey);
  } catch {
    return { ok: false, message: 'The PrivateKey in this file is not a WireGuard key.' };
  }
  if (publicKey !== parts.profile.publicKey) {
    return { ok: false, message: 'This file holds another key than your active profile (rotated or revoked since?). Rotate the profile to get a new file.' };
  }
  const region = parts.regions.find((r) => r.name === current.region) ?? parts.regions.find((r) => r.endpoint === current.endpoint) ?? parts.regions[0];
  if (!region) return { ok: false, message: 'The platform has no region to connect to yet.' };
  const updated = updateOwnedLines(text, {
    peerPublicKey: parts.servicePublicKey,
    endpoint: dialEndpoint(parts, region),
    allowedIps: parts.allowedIps,
    regionComment: regionComment(parts, region),
  });
  return updated.ok ? { ok: true, text: updated.text, region: region.name } : { ok: false, message: updated.message };
}

/**
 * The public half of a WireGuard private key: X25519 of the key and the base point 9,
 * which WebCrypto computes as deriveBits with the base point as the peer's public key.
 */
export async function wireGuardPublicKey(privateKeyBase64: string): Promise<string> {
  const raw = Uint8Array.from(atob(privateKeyBase64), (c) => c.charCodeAt(0));
  if (raw.length !== 32) throw new Error('not a 32-byte key');
  const pkcs8 = new Uint8Array([...PKCS8_X25519_PREFIX, ...raw]);
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'X25519' }, false, ['deriveBits']);
  const basePoint = new Uint8Array(32);
  basePoint[0] = 9;
  const base = await crypto.subtle.importKey('raw', basePoint, { name: 'X25519' }, false, []);
  return base64(new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: base }, privateKey, 256)));
}

// RFC 8410: the DER header of a PKCS#8 X25519 private key, followed by the raw 32 bytes.
const PKCS8_X25519_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];
