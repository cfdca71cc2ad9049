/**
 * A WireGuard key pair made in this browser with WebCrypto X25519 (SPEC P1): the
 * public key goes to the control plane, the private key only into the config file.
 */
export type KeyPair = { publicKey: string; privateKey: string };

export async function generateWireGuardKeyPair(): Promise<KeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair;
  const publicRaw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  // PKCS#8 of an X25519 key is a fixed 16-byte header followed by the 32-byte key.
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  if (publicRaw.length !== 32 || pkcs8.length !== 48) throw new Error('this browser produced an unexpected X25519 key encoding');
  return { publicKey: base64(publicRaw), privateKey: base64(pkcs8.slice(16)) };
}

export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
