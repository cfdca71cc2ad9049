import { cidr, formatIpv4, type Ipv4Prefix, ipv4ToInt } from '../net/ipv4.ts';
import { compressionDirective } from './openvpn-crypto.ts';

/**
 * A hosted OpenVPN direct VPN's server config (the agent runs `openvpn` in server mode) and
 * its per-client files (client-config-dir, one per certificate common name), rendered from
 * the agent document — never from text a user wrote. Each client gets its fixed tunnel
 * address (`ifconfig-push`); a site client's announced subnets are `iroute`d to it; user
 * clients are pushed the plant subnets. `ccd-exclusive`: a client without a file (removed)
 * cannot connect even before the CRL names it. The kernel routes of the subnets into the
 * tun are set by the agent (ip driver), so a client change needs no restart.
 */

export type OpenVpnServerModel = {
  transport: 'udp' | 'tcp';
  port: number;
  network: string;
  ca: string;
  cert: string;
  key: string;
  tlsCrypt: string | null;
  crypto: { cipher: string | null; auth: string | null; compression: string | null; tlsMin: string | null };
  clients: OpenVpnServerClientModel[];
  subnets: string[];
};
export type OpenVpnServerClientModel = { commonName: string; kind: 'site' | 'user'; tunnelIp: string; subnets: string[] };

export type OpenVpnServerRenderOptions = {
  interfaceName: string;
  managementSocket: string;
  /** The CRL file the agent keeps current (crl-verify re-reads it when it changes). */
  crlFile: string;
  clientConfigDir: string;
};

const SAFE_PATH = /^\/[A-Za-z0-9_./-]{1,200}$/;
const SAFE_TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export function renderOpenVpnServerConfig(server: OpenVpnServerModel, options: OpenVpnServerRenderOptions): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(options.interfaceName)) throw new Error('invalid interface name');
  for (const path of [options.managementSocket, options.crlFile, options.clientConfigDir]) if (!SAFE_PATH.test(path)) throw new Error('invalid path');
  const network = checkedNetwork(server.network);
  const token = (value: string): string => {
    if (!SAFE_TOKEN.test(value)) throw new Error(`unsafe value in an OpenVPN config: ${JSON.stringify(value)}`);
    return value;
  };
  const lines = [
    '# rendered by plantgate from the hosted direct VPN',
    `dev ${options.interfaceName}`,
    'dev-type tun',
    'topology subnet',
    `proto ${server.transport === 'tcp' ? 'tcp-server' : 'udp'}`,
    `port ${server.port}`,
    // nopool: every client has its fixed address in its client-config-dir file
    `server ${formatIpv4(network.start)} ${mask(network.length)} nopool`,
    `client-config-dir ${options.clientConfigDir}`,
    'ccd-exclusive',
    `crl-verify ${options.crlFile}`,
    'dh none',
    'keepalive 10 60',
    'persist-key',
    'persist-tun',
    'verb 3',
    `management ${options.managementSocket} unix`,
    'management-hold',
  ];
  const { cipher, auth, compression, tlsMin } = server.crypto;
  if (cipher !== null) lines.push(`data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305:${token(cipher)}`, `data-ciphers-fallback ${token(cipher)}`);
  if (auth !== null) lines.push(`auth ${token(auth)}`);
  const compress = compression === null ? null : compressionDirective(compression);
  if (compress !== null) {
    if (!/^(comp-lzo( yes| no| adaptive)?|compress( lzo| lz4| lz4-v2| stub| stub-v2| migrate)?)$/.test(compress)) throw new Error('invalid compression');
    lines.push(compress, 'allow-compression asym');
  }
  if (tlsMin !== null) {
    lines.push(`tls-version-min ${token(tlsMin)}`);
    if (tlsMin === '1.0' || tlsMin === '1.1') lines.push('tls-cipher DEFAULT:@SECLEVEL=0');
  }
  const block = (tag: string, pem: string | null) => {
    if (pem === null) return;
    if (pem.includes('<')) throw new Error('invalid key block');
    lines.push(`<${tag}>`, pem.trimEnd(), `</${tag}>`);
  };
  block('ca', server.ca);
  block('cert', server.cert);
  block('key', server.key);
  block('tls-crypt', server.tlsCrypt);
  return `${lines.join('\n')}\n`;
}

/**
 * The client-config-dir file name of a client: its certificate's common name as is (openvpn
 * 2.6 looks the file up by the raw name, spaces and non-ASCII included); a name that cannot
 * be a file name is refused.
 */
export function clientConfigFileName(commonName: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (commonName.length === 0 || commonName.length > 128 || commonName === '.' || commonName === '..' || /[/\u0000-\u001f\u007f]/.test(commonName)) {
    throw new Error(`client name ${JSON.stringify(commonName)} cannot name a client-config-dir file`);
  }
  return commonName;
}

/** The management `kill` argument for a common name: quoted, `"` and `\` escaped (the management parser's rules). */
export function managementQuoted(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

export function renderOpenVpnClientConfigDirEntry(client: OpenVpnServerClientModel, server: Pick<OpenVpnServerModel, 'network' | 'subnets'>): string {
  const network = checkedNetwork(server.network);
  const ip = ipv4ToInt(client.tunnelIp);
  if (ip <= network.start || ip >= network.start + 2 ** (32 - network.length) - 1) throw new Error(`client ${client.commonName}: ${client.tunnelIp} is not a host of ${server.network}`);
  const lines = [`ifconfig-push ${formatIpv4(ip)} ${mask(network.length)}`];
  if (client.kind === 'site') for (const subnet of client.subnets) lines.push(`iroute ${routeArgs(subnet)}`);
  else for (const subnet of server.subnets) lines.push(`push "route ${routeArgs(subnet)}"`);
  return `${lines.join('\n')}\n`;
}

function routeArgs(subnet: string): string {
  const prefix = cidr(subnet);
  return `${formatIpv4(prefix.start)} ${mask(prefix.length)}`;
}

function checkedNetwork(text: string): Ipv4Prefix {
  const network = cidr(text);
  if (network.length > 29 || network.length < 8) throw new Error(`the server network ${text} must be a /8 to /29`);
  return network;
}

function mask(length: number): string {
  return formatIpv4(length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);
}
