import { formatIpv4 } from '../net/ipv4.ts';
import type { OpenVpnUpload } from './openvpn-config.ts';
import { checkedSubnet } from './wireguard-render.ts';
import { formatPrefix } from './ip-prefix.ts';

/**
 * The agent's OpenVPN client config for an outgoing direct VPN, rendered from the parsed
 * model (never the upload). Everything the server pushes that would route or shape the
 * host is filtered (D5: a pushed default route is not installed); the routes are the direct
 * VPN's validated subnets, nothing else. The management socket and the credentials file
 * are plantgate's own (the agent writes the file 0600, the socket is a unix socket).
 */
export type OpenVpnRenderOptions = {
  interfaceName: string;
  subnets: string[];
  /** Path of the unix management socket the agent supervises the tunnel through. */
  managementSocket: string;
  /** Path of the agent-written username/password file; required when the upload needs credentials. */
  credentialsFile: string | null;
};

/** Options the server pushes that plantgate never takes (prefix match, as OpenVPN's pull-filter does). */
export const PULL_FILTERS = ['redirect-gateway', 'redirect-private', 'route ', 'route-ipv6', 'dhcp-option', 'block-outside-dns', 'register-dns'] as const;

const SAFE_PATH = /^\/[A-Za-z0-9_./-]{1,200}$/;
const SAFE_TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}$/;

export function renderOpenVpnClientConfig(config: OpenVpnUpload, options: OpenVpnRenderOptions): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(options.interfaceName)) throw new Error('invalid interface name');
  if (!SAFE_PATH.test(options.managementSocket)) throw new Error('invalid management socket path');
  if (config.authUserPass && (options.credentialsFile === null || !SAFE_PATH.test(options.credentialsFile))) {
    throw new Error('the upload needs credentials: a credentials file path is required');
  }
  const token = (value: string): string => {
    if (!SAFE_TOKEN.test(value)) throw new Error(`unsafe value in an OpenVPN config: ${JSON.stringify(value)}`);
    return value;
  };
  const lines = [
    '# rendered by plantgate from the parsed upload',
    'client',
    `dev ${options.interfaceName}`,
    'dev-type tun',
    'nobind',
    'persist-key',
    'persist-tun',
    'resolv-retry infinite',
    'connect-retry 5 60',
    'keepalive 10 60',
    'auth-nocache',
    'verb 3',
    `management ${options.managementSocket} unix`,
    // openvpn waits for the agent's `hold release`: log and state notifications are on before
    // the first packet, so a router that refuses at once (AUTH_FAILED, exit) is still seen.
    'management-hold',
  ];
  for (const remote of config.remotes) {
    const host = remote.host.includes(':') ? remote.host : token(remote.host);
    if (remote.host.includes(':') && !/^[0-9A-Fa-f:.]{2,45}$/.test(remote.host)) throw new Error('invalid remote host');
    lines.push(`remote ${host} ${remote.port} ${remote.transport === 'tcp' ? 'tcp-client' : 'udp'}`);
  }
  if (config.remoteCertTls === 'server') lines.push('remote-cert-tls server');
  if (config.verifyX509Name !== null) {
    if (!/^[ -~]{1,200}$/.test(config.verifyX509Name.name) || /["\\]/.test(config.verifyX509Name.name)) throw new Error('invalid verify-x509-name');
    lines.push(`verify-x509-name "${config.verifyX509Name.name}" ${token(config.verifyX509Name.type)}`);
  }
  for (const filter of PULL_FILTERS) lines.push(`pull-filter ignore "${filter}"`);
  for (const subnet of options.subnets) {
    const prefix = checkedSubnet(subnet);
    if (prefix.family === 4) {
      const mask = prefix.length === 0 ? 0 : (0xffffffff << (32 - prefix.length)) >>> 0;
      lines.push(`route ${formatIpv4(Number(prefix.start))} ${formatIpv4(mask)}`);
    } else lines.push(`route-ipv6 ${formatPrefix(prefix)}`);
  }
  if (config.cipher !== null) lines.push(`cipher ${token(config.cipher)}`);
  if (config.dataCiphers !== null) lines.push(`data-ciphers ${config.dataCiphers.map(token).join(':')}`);
  if (config.dataCiphersFallback !== null) lines.push(`data-ciphers-fallback ${token(config.dataCiphersFallback)}`);
  if (config.auth !== null) lines.push(`auth ${token(config.auth)}`);
  if (config.compression !== null) {
    if (!/^(comp-lzo( yes| no| adaptive)?|compress( lzo| lz4| lz4-v2| stub| stub-v2| migrate)?)$/.test(config.compression))
      throw new Error('invalid compression');
    // Received compressed packets are decompressed; the agent's own are sent uncompressed (VORACLE).
    lines.push(config.compression, 'allow-compression asym');
  }
  if (config.tlsVersionMin !== null) lines.push(`tls-version-min ${token(config.tlsVersionMin)}`);
  // OpenSSL 3 (Debian 12) refuses TLS 1.0/1.1's SHA-1 signatures at its default security level
  // ("legacy sigalg disallowed"): a router that speaks only those needs level 0 on our side
  // (tested against openvpn 2.6 with tls-version-max 1.0 in test/e2e/direct-vpn-openvpn.test.ts).
  if (config.tlsVersionMin === '1.0' || config.tlsVersionMin === '1.1') lines.push('tls-cipher DEFAULT:@SECLEVEL=0');
  if (config.tunMtu !== null) lines.push(`tun-mtu ${config.tunMtu}`);
  if (config.mssfix !== null) lines.push(`mssfix ${config.mssfix}`);
  if (config.fragment !== null) lines.push(`fragment ${config.fragment}`);
  if (config.authUserPass) lines.push(`auth-user-pass ${options.credentialsFile}`);
  if (config.tlsAuth !== null) lines.push(`key-direction ${config.keyDirection ?? 1}`);
  const block = (tag: string, pem: string | null) => {
    if (pem === null) return;
    if (pem.includes('<')) throw new Error('invalid key block');
    lines.push(`<${tag}>`, pem.trimEnd(), `</${tag}>`);
  };
  block('ca', config.ca);
  block('extra-certs', config.extraCerts);
  block('cert', config.cert);
  block('key', config.key);
  block('tls-auth', config.tlsAuth);
  block('tls-crypt', config.tlsCrypt);
  block('tls-crypt-v2', config.tlsCryptV2);
  return `${lines.join('\n')}\n`;
}
