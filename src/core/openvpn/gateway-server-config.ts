import { cidr, formatIpv4 } from '../net/ipv4.ts';

/**
 * The config of one of a gateway's personal-VPN OpenVPN servers (SPEC P9; one for UDP,
 * one for TCP). Clients are admitted only by the gateway daemon over the management
 * interface (`management-client-auth`): the daemon answers each connect with the client's
 * tunnel IP and routes from the desired document, or denies it. The CRL is re-read at every
 * handshake. The tun carries only the gateway's service address as a /32: the daemon routes
 * each connected client's /32 into it (the WireGuard users interface keeps the range route).
 */

export type GatewayOpenVpnServer = {
  transport: 'udp' | 'tcp';
  port: number;
  interfaceName: string;
  serviceTunnelIp: string;
  managementSocket: string;
  /** Files in the instance directory (written by the daemon, 0600). */
  files: { ca: string; cert: string; key: string; tlsCrypt: string; crl: string };
};

const SAFE_PATH = /^\/[A-Za-z0-9_./-]{1,200}$/;

export function renderGatewayOpenVpnServer(server: GatewayOpenVpnServer): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(server.interfaceName)) throw new Error(`invalid interface name: ${JSON.stringify(server.interfaceName)}`);
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) throw new Error(`invalid port: ${server.port}`);
  for (const path of [server.managementSocket, ...Object.values(server.files)]) if (!SAFE_PATH.test(path)) throw new Error(`invalid path: ${JSON.stringify(path)}`);
  const local = formatIpv4(cidr(`${server.serviceTunnelIp}/32`).start);
  return [
    '# rendered by plantgate gateway: personal VPN (OpenVPN certificate profiles)',
    'mode server',
    'tls-server',
    `dev ${server.interfaceName}`,
    'dev-type tun',
    'topology subnet',
    `proto ${server.transport === 'tcp' ? 'tcp-server' : 'udp'}`,
    `port ${server.port}`,
    `ifconfig ${local} 255.255.255.255`,
    `ca ${server.files.ca}`,
    `cert ${server.files.cert}`,
    `key ${server.files.key}`,
    `tls-crypt ${server.files.tlsCrypt}`,
    `crl-verify ${server.files.crl}`,
    'remote-cert-tls client',
    'dh none',
    'tls-version-min 1.2',
    'data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305',
    'keepalive 10 60',
    'persist-key',
    'verb 3',
    `management ${server.managementSocket} unix`,
    'management-client-auth',
    // wait for `hold release`: no client may connect before the daemon listens (see openvpn-service.ts)
    'management-hold',
    // the certificate is the credential: no username/password is asked for
    'auth-user-pass-optional',
    'max-clients 100000',
    '',
  ].join('\n');
}
