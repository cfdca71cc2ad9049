import { isHostPort } from '../net/host-port.ts';
import { formatIpv4 } from '../net/ipv4.ts';
import { isWireGuardKey } from '../render/wireguard-key.ts';
import type { OpenVpnCrypto } from './upload-result.ts';
import { checkedSubnet } from './wireguard-render.ts';

/**
 * The show-once profiles of a hosted server's clients (issue 9, D6/D9) and the agent's
 * `wg setconf` text of a hosted WireGuard server. Pure: keys and certificates are made by
 * the caller; a client's private key is in the profile and nowhere else.
 *
 * Routing: the agent masquerades what it forwards into the server's interface to the
 * server's tunnel address, so a site client needs only that address in its AllowedIPs /
 * routes; a user client also routes the direct VPN's subnets into the tunnel.
 */

export type HostedEndpoint = { host: string; port: number };

/** HOST:PORT as clients dial it (an IPv6 address bracketed); throws on anything else. */
export function endpointText(endpoint: HostedEndpoint): string {
  const text = endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
  if (!isHostPort(text)) throw new Error(`not a host and port clients can dial: ${JSON.stringify(text)}`);
  return text;
}

function key(text: string): string {
  if (!isWireGuardKey(text)) throw new Error('not a WireGuard key');
  return text;
}

/** What a client routes into the tunnel: the server's address, and for a user client the direct VPN's subnets. */
export function clientRoutes(kind: 'site' | 'user', serverIp: string, subnets: string[]): string[] {
  return [`${serverIp}/32`, ...(kind === 'user' ? subnets.map(checkedText) : [])];
}

export type WireGuardClientProfile = {
  name: string;
  kind: 'site' | 'user';
  privateKey: string;
  tunnelIp: string;
  serverPublicKey: string;
  serverIp: string;
  endpoint: HostedEndpoint;
  subnets: string[];
};

/** A wg-quick `.conf` (no PostUp or other script lines): the client's key, its address, the server as its one peer. */
export function renderWireGuardClientProfile(profile: WireGuardClientProfile): string {
  return [
    `# plantgate hosted WireGuard: ${profile.kind} client ${oneLineComment(profile.name)} (shown once; keep it secret)`,
    '[Interface]',
    `PrivateKey = ${key(profile.privateKey)}`,
    `Address = ${formatIpv4Checked(profile.tunnelIp)}/32`,
    '',
    '[Peer]',
    `PublicKey = ${key(profile.serverPublicKey)}`,
    `Endpoint = ${endpointText(profile.endpoint)}`,
    `AllowedIPs = ${clientRoutes(profile.kind, formatIpv4Checked(profile.serverIp), profile.subnets).join(', ')}`,
    // the client dials out through NAT: keep its mapping open so the server can answer
    'PersistentKeepalive = 25',
    '',
  ].join('\n');
}

export type OpenVpnClientProfile = {
  name: string;
  kind: 'site' | 'user';
  transport: 'udp' | 'tcp';
  endpoint: HostedEndpoint;
  serverIp: string;
  subnets: string[];
  serverCommonName: string;
  ca: string;
  cert: string;
  key: string;
  tlsCrypt: string;
  crypto: OpenVpnCrypto | null;
};

const SAFE_TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}$/;

function token(value: string): string {
  if (!SAFE_TOKEN.test(value)) throw new Error(`unsafe value in an OpenVPN profile: ${JSON.stringify(value)}`);
  return value;
}

/** An `.ovpn` with inline ca/cert/key/tls-crypt; routes only the server's address (site) or also the subnets (user). */
export function renderOpenVpnClientProfile(profile: OpenVpnClientProfile): string {
  endpointText(profile.endpoint);
  if (/["\\]/.test(profile.serverCommonName)) throw new Error('invalid server name');
  const lines = [
    `# plantgate hosted OpenVPN: ${profile.kind} client ${oneLineComment(profile.name)} (shown once; keep it secret)`,
    'client',
    'dev tun',
    `proto ${profile.transport === 'tcp' ? 'tcp-client' : 'udp'}`,
    `remote ${profile.endpoint.host} ${profile.endpoint.port}`,
    'nobind',
    'persist-key',
    'persist-tun',
    'resolv-retry infinite',
    'remote-cert-tls server',
    `verify-x509-name "${profile.serverCommonName}" name`,
    // nothing the server pushes routes more than these
    'route-nopull',
    ...clientRoutes(profile.kind, formatIpv4Checked(profile.serverIp), profile.subnets).map((route) => {
      const prefix = checkedSubnet(route);
      const mask = prefix.length === 0 ? 0 : (0xffffffff << (32 - prefix.length)) >>> 0;
      return `route ${formatIpv4(Number(prefix.start))} ${formatIpv4(mask)}`;
    }),
  ];
  const crypto = profile.crypto;
  if (crypto?.cipher) lines.push(`data-ciphers ${token(crypto.cipher)}`, `data-ciphers-fallback ${token(crypto.cipher)}`);
  if (crypto?.auth) lines.push(`auth ${token(crypto.auth)}`);
  const compression = crypto?.compression ? compressionLine(crypto.compression) : null;
  if (compression !== null) lines.push(compression);
  if (crypto?.tlsMin) lines.push(`tls-version-min ${token(crypto.tlsMin)}`);
  lines.push('verb 3');
  const block = (tag: string, pem: string) => {
    if (pem.includes('<')) throw new Error('invalid key block');
    lines.push(`<${tag}>`, pem.trimEnd(), `</${tag}>`);
  };
  block('ca', profile.ca);
  block('cert', profile.cert);
  block('key', profile.key);
  block('tls-crypt', profile.tlsCrypt);
  return `${lines.join('\n')}\n`;
}

/**
 * The compression directive of a hosted server, as the agent's server config renders it
 * (openvpn-crypto's compressionDirective): client and server must say the same. `lzo`/`yes`/
 * `comp-lzo` → `comp-lzo`, `lz4`… → `compress lz4`…, a directive as written; `no` → none.
 */
export function compressionLine(compression: string): string | null {
  const text = compression.trim().toLowerCase();
  if (text === '' || text === 'no' || text === 'none' || text === 'off') return null;
  if (text === 'lzo' || text === 'yes' || text === 'comp-lzo' || text === 'comp-lzo yes') return 'comp-lzo';
  if (/^(lz4|lz4-v2|stub|stub-v2|migrate)$/.test(text)) return `compress ${text}`;
  if (/^(comp-lzo (no|adaptive)|compress( lzo| lz4| lz4-v2| stub| stub-v2| migrate)?)$/.test(text)) return text;
  throw new Error(`unknown compression: ${JSON.stringify(compression)}`);
}

export type HostedWireGuardPeer = { publicKey: string; allowedIps: string[] };

/** The agent's `wg setconf` text of a hosted server: its key and port, one peer per client with exactly its AllowedIPs (never a default route). */
export function renderHostedWireGuardSetconf(privateKey: string, listenPort: number, peers: HostedWireGuardPeer[]): string {
  if (!Number.isInteger(listenPort) || listenPort < 1 || listenPort > 65535) throw new Error(`not a port: ${listenPort}`);
  const lines = ['[Interface]', `PrivateKey = ${key(privateKey)}`, `ListenPort = ${listenPort}`];
  for (const peer of peers) {
    lines.push('', '[Peer]', `PublicKey = ${key(peer.publicKey)}`);
    const allowed = peer.allowedIps.map(checkedText);
    if (allowed.length > 0) lines.push(`AllowedIPs = ${allowed.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A canonical, non-default CIDR as given (checkedSubnet throws otherwise). */
function checkedText(text: string): string {
  checkedSubnet(text);
  return text;
}

function formatIpv4Checked(ip: string): string {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(ip)) throw new Error(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return ip;
}

function oneLineComment(text: string): string {
  return text.replace(/[\r\n]/g, ' ').slice(0, 64);
}
