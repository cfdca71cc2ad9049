import type { OpenVpnUpload } from './openvpn-config.ts';
import type { OpenVpnCrypto } from './upload-result.ts';
import type { WireGuardUpload } from './wireguard-config.ts';

/**
 * What of a parsed upload is stored in the clear, and what only sealed. The agent needs
 * the secrets to dial (they are the agent side's own keys, server-side secrets), so they
 * are kept — but only under the server's SecretBox, and never in any read, event or log.
 */
export type WireGuardSecrets = { privateKey: string; presharedKeys: Array<string | null> };
export type OpenVpnSecrets = {
  key: string | null;
  tlsAuth: string | null;
  tlsCrypt: string | null;
  tlsCryptV2: string | null;
  credentials: { username: string; password: string } | null;
};

export type StoredWireGuard = {
  protocol: 'wireguard';
  model: Omit<WireGuardUpload, 'privateKey'>;
  needsCredentials: false;
  crypto: null;
  /** The agent side's public key, for the router's peer entry (not secret; absent in rows made before it was kept). */
  agentPublicKey?: string;
};
export type StoredOpenVpn = {
  protocol: 'openvpn';
  model: Omit<OpenVpnUpload, 'key' | 'tlsAuth' | 'tlsCrypt' | 'tlsCryptV2'>;
  needsCredentials: boolean;
  crypto: OpenVpnCrypto | null;
};
export type StoredDirectVpnConfig = StoredWireGuard | StoredOpenVpn;

export function splitWireGuard(upload: WireGuardUpload): { stored: StoredWireGuard; secrets: WireGuardSecrets } {
  const { privateKey, ...rest } = upload;
  return {
    stored: { protocol: 'wireguard', model: { ...rest, peers: rest.peers.map((p) => ({ ...p, presharedKey: null })) }, needsCredentials: false, crypto: null },
    secrets: { privateKey, presharedKeys: upload.peers.map((p) => p.presharedKey) },
  };
}

export function splitOpenVpn(
  upload: OpenVpnUpload,
  crypto: OpenVpnCrypto | null,
  credentials: OpenVpnSecrets['credentials'],
): { stored: StoredOpenVpn; secrets: OpenVpnSecrets } {
  const { key, tlsAuth, tlsCrypt, tlsCryptV2, ...rest } = upload;
  return {
    stored: { protocol: 'openvpn', model: rest, needsCredentials: upload.authUserPass, crypto },
    secrets: { key, tlsAuth, tlsCrypt, tlsCryptV2, credentials },
  };
}

/** HOST:PORT of every peer / remote the agent dials, for the cards (no secret in it). */
export function dialedEndpoints(stored: StoredDirectVpnConfig): string[] {
  if (stored.protocol === 'wireguard') return stored.model.peers.flatMap((p) => (p.endpoint ? [p.endpoint] : []));
  return stored.model.remotes.map((r) => (r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`));
}
