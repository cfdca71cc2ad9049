import type { OpenVpnCrypto } from '../../../core/direct-vpn/upload-result.ts';
import type { Revoked } from './hosted-pki.ts';

/**
 * What a hosted direct VPN server keeps (issue 9, D1/D6/D9). `config` (JSON, clear): only
 * public material — the server's WireGuard public key; the OpenVPN CA and server
 * certificates, the CRL and the revoked serials. `secrets` (sealed with the server's
 * SecretBox): the server's WireGuard private key; the OpenVPN CA key, server key and
 * tls-crypt key. A client's private key is in none of them: only in its show-once profile.
 */
export type StoredHostedWireGuard = { protocol: 'wireguard'; hosted: true; needsCredentials: false; crypto: null; serverPublicKey: string };
export type StoredHostedOpenVpn = {
  protocol: 'openvpn';
  hosted: true;
  needsCredentials: false;
  crypto: OpenVpnCrypto | null;
  serverCommonName: string;
  ca: string;
  serverCert: string;
  crl: string;
  revoked: Revoked[];
};
export type StoredHosted = StoredHostedWireGuard | StoredHostedOpenVpn;

export type HostedWireGuardSecrets = { privateKey: string };
export type HostedOpenVpnSecrets = { caKey: string; serverKey: string; tlsCrypt: string };

export const SEAL_CONTEXT = (vpnId: string): string => `direct-vpn:${vpnId}`;

/** The default name of the first site client (the plant router). */
export const DEFAULT_SITE_CLIENT = 'plant-router';
