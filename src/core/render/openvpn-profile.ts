import type { OpenVpnRemote } from './profile-endpoints.ts';

/**
 * The personal OpenVPN profile (SPEC P9) a device assembles around its own private key:
 * one `.ovpn` with ca, cert, key and tls-crypt inline, for OpenVPN 2.6 and OpenVPN Connect.
 * Nothing about routes or the tunnel address: the gateway pushes both at every connect
 * (ifconfig-push, push route), so the file never goes stale when permissions change.
 */

export type OpenVpnProfileParts = {
  profileId: string;
  /** What happened (issued, rotated) and when: the first comment line. */
  verb: string;
  at: Date;
  remotes: OpenVpnRemote[];
  ca: string;
  certificate: string;
  privateKey: string;
  tlsCrypt: string;
  /** Comment lines instead of the personal profile's two (an organization VPN client's file, core/render/org-vpn-conf.ts). */
  heading?: string[];
};

export type OpenVpnProfileResult = { ok: true; text: string } | { ok: false; field: string; message: string };

const HOST = /^[A-Za-z0-9.:-]{1,253}$/;
const PEM_BLOCK = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----\s*$/;
const STATIC_KEY = /^-----BEGIN OpenVPN Static key V1-----\r?\n[0-9a-f\r\n]+-----END OpenVPN Static key V1-----\s*$/;

export function renderOpenVpnProfile(parts: OpenVpnProfileParts): OpenVpnProfileResult {
  if (parts.remotes.length === 0) return { ok: false, field: 'remotes', message: 'no region to dial' };
  for (const remote of parts.remotes) {
    if (!HOST.test(remote.host) || !Number.isInteger(remote.port) || remote.port < 1 || remote.port > 65535) {
      return { ok: false, field: 'remotes', message: `not a host and port a client can dial: ${JSON.stringify(remote)}` };
    }
  }
  for (const [field, pem, label] of [
    ['ca', parts.ca, 'CERTIFICATE'],
    ['certificate', parts.certificate, 'CERTIFICATE'],
    ['privateKey', parts.privateKey, 'PRIVATE KEY'],
  ] as const) {
    const match = PEM_BLOCK.exec(pem.trim());
    if (!match || match[1] !== label) return { ok: false, field, message: `is not one PEM ${label} block` };
  }
  if (!STATIC_KEY.test(parts.tlsCrypt.trim())) return { ok: false, field: 'tlsCrypt', message: 'is not an OpenVPN static key' };
  if (!/^[A-Za-z0-9-]{1,64}$/.test(parts.profileId)) return { ok: false, field: 'profileId', message: 'is not a profile id' };
  const heading = parts.heading ?? [
    `plantgate personal VPN profile ${parts.profileId} (OpenVPN), ${parts.verb} ${parts.at.toISOString()}`,
    'shown once: it holds your private key. Routes and your tunnel address come from the gateway at every connect.',
  ];
  const lines = [
    ...heading.map((line) => `# ${line.replace(/[\r\n]+/g, ' ')}`),
    'client',
    'dev tun',
    'nobind',
    'persist-key',
    'persist-tun',
    // the gateway's certificate must be a server's (EKU serverAuth): another user's cannot pose as one
    'remote-cert-tls server',
    'resolv-retry infinite',
    'connect-retry 2 10',
    'server-poll-timeout 10',
    'verb 3',
    ...parts.remotes.map((r) => `remote ${r.host} ${r.port} ${r.proto}`),
    block('ca', parts.ca),
    block('cert', parts.certificate),
    block('key', parts.privateKey),
    block('tls-crypt', parts.tlsCrypt),
  ];
  return { ok: true, text: `${lines.join('\n')}\n` };
}

function block(tag: string, pem: string): string {
  return `<${tag}>\n${pem.trim()}\n</${tag}>`;
}
