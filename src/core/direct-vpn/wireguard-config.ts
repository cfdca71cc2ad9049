import { isHostPort } from '../net/host-port.ts';
import { isWireGuardKey } from '../render/wireguard-key.ts';
import { clip, comparePrefix, formatPrefix, type IpPrefix, isDefaultRoute, parsePrefix } from './ip-prefix.ts';
import {
  hasControlCharacter,
  type IgnoredDirective,
  MAX_PROBLEMS,
  MAX_UPLOAD_BYTES,
  type StrippedRoute,
  type UploadParse,
  type UploadProblem,
  uploadLines,
} from './upload-result.ts';

/**
 * D5: an uploaded WireGuard `.conf` (wg-quick format, as routers export it) read against a
 * whitelist into a model from which plantgate renders the agent's own config. Nothing of the
 * upload is passed on as text. See docs/decisions/direct-vpn-parsers.md.
 */

export type WireGuardPeerUpload = {
  publicKey: string;
  presharedKey: string | null;
  endpoint: string | null;
  /** Canonical CIDRs, default routes stripped. */
  allowedIps: string[];
  persistentKeepalive: number | null;
  line: number;
};

export type WireGuardUpload = {
  /** Secret: goes to `wg` on stdin only, never into a message or a log. */
  privateKey: string;
  /** The agent's tunnel addresses as written (host part kept), e.g. "10.8.0.2/24". */
  addresses: string[];
  listenPort: number | null;
  mtu: number | null;
  peers: WireGuardPeerUpload[];
};

type Section = 'interface' | 'peer';

/** Run code on the host (wg-quick hands them to a shell). */
const REFUSED_CODE = new Set(['preup', 'postup', 'predown', 'postdown']);
/** Shape the agent host's own routing, DNS or config file; plantgate decides those itself. */
const IGNORED: Record<string, string> = { table: 'Table', saveconfig: 'SaveConfig', dns: 'DNS', fwmark: 'FwMark' };
const INTERFACE_KEYS = new Set(['privatekey', 'address', 'listenport', 'mtu']);
const PEER_KEYS = new Set(['publickey', 'presharedkey', 'allowedips', 'endpoint', 'persistentkeepalive']);
/** The keys as wg-quick spells them, for messages. */
const SPELLED: Record<string, string> = {
  privatekey: 'PrivateKey',
  address: 'Address',
  listenport: 'ListenPort',
  mtu: 'MTU',
  publickey: 'PublicKey',
  presharedkey: 'PresharedKey',
  allowedips: 'AllowedIPs',
  endpoint: 'Endpoint',
  persistentkeepalive: 'PersistentKeepalive',
};

export function parseWireGuardConfig(text: string): UploadParse<WireGuardUpload> {
  if (text.length > MAX_UPLOAD_BYTES) {
    return {
      ok: false,
      problems: [{ line: 0, directive: '', message: `the file is larger than ${MAX_UPLOAD_BYTES / 1024} KiB; a WireGuard config is a few hundred bytes` }],
    };
  }
  const problems: UploadProblem[] = [];
  const stripped: StrippedRoute[] = [];
  const ignored: IgnoredDirective[] = [];
  const problem = (line: number, directive: string, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, directive, message });
  };

  let section: Section | null = null;
  let interfaceLine = 0;
  let interfaceCount = 0;
  const iface: { privateKey: string | null; addresses: string[]; listenPort: number | null; mtu: number | null } = {
    privateKey: null,
    addresses: [],
    listenPort: null,
    mtu: null,
  };
  const seen = new Set<string>();
  const peers: Array<Omit<WireGuardPeerUpload, 'publicKey'> & { publicKey: string | null }> = [];
  const lines = uploadLines(text);

  for (let index = 0; index < lines.length && problems.length < MAX_PROBLEMS; index++) {
    const number = index + 1;
    const raw = lines[index] as string;
    if (hasControlCharacter(raw)) {
      problem(number, '', 'the line holds a control character; a WireGuard config is plain text');
      continue;
    }
    const hash = raw.indexOf('#');
    const line = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (line === '') continue;
    if (line.startsWith('[')) {
      const name = /^\[\s*([A-Za-z]+)\s*\]$/.exec(line)?.[1]?.toLowerCase();
      if (name === 'interface') {
        section = 'interface';
        interfaceLine = number;
        interfaceCount++;
        if (interfaceCount > 1) problem(number, '[Interface]', 'a second [Interface] section; a config has exactly one');
      } else if (name === 'peer') {
        section = 'peer';
        seen.clear();
        peers.push({ publicKey: null, presharedKey: null, endpoint: null, allowedIps: [], persistentKeepalive: null, line: number });
      } else {
        problem(number, clip(line), 'unknown section; only [Interface] and [Peer] are allowed');
        section = null;
      }
      if (section === 'interface') seen.clear();
      continue;
    }
    const equals = line.indexOf('=');
    if (equals < 0) {
      problem(number, clip(line), 'not a "Key = value" line');
      continue;
    }
    const keyText = line.slice(0, equals).trim();
    const key = keyText.toLowerCase();
    const value = line.slice(equals + 1).trim();
    const directive = clip(keyText);
    if (REFUSED_CODE.has(key)) {
      problem(number, directive, `${directive} runs a shell command on the agent host; plantgate never runs commands from an upload — remove the line`);
      continue;
    }
    if (section === null) {
      problem(number, directive, 'a setting outside an [Interface] or [Peer] section');
      continue;
    }
    const ignoredName = IGNORED[key];
    if (ignoredName !== undefined && section === 'interface') {
      ignored.push({ directive: ignoredName, line: number });
      continue;
    }
    const allowed = section === 'interface' ? INTERFACE_KEYS : PEER_KEYS;
    if (!allowed.has(key)) {
      const spelled = [...allowed].map((k) => SPELLED[k] ?? k).join(', ');
      const alsoIgnored = section === 'interface' ? ` (${Object.values(IGNORED).join(', ')} are accepted and ignored)` : '';
      problem(number, directive, `unknown setting ${directive} in [${section === 'interface' ? 'Interface' : 'Peer'}]; allowed: ${spelled}${alsoIgnored}`);
      continue;
    }
    // AllowedIPs and Address may be split over several lines (wg-quick joins them); the rest once.
    if (key !== 'allowedips' && key !== 'address' && seen.has(key)) {
      problem(number, directive, `${directive} appears twice in this section`);
      continue;
    }
    seen.add(key);
    if (value === '') {
      problem(number, directive, `${directive} has no value`);
      continue;
    }
    if (section === 'interface') {
      if (key === 'privatekey') {
        if (isWireGuardKey(value)) iface.privateKey = value;
        else problem(number, directive, 'PrivateKey is not a WireGuard key (44 characters of base64)');
      } else if (key === 'address') {
        for (const item of listItems(value)) {
          const parsed = parsePrefix(item);
          if (!parsed.ok) problem(number, directive, parsed.message);
          else if (isDefaultRoute(parsed.prefix)) problem(number, directive, `"${clip(item)}" is not an interface address`);
          else iface.addresses.push(normalisedAddress(item));
        }
      } else if (key === 'listenport') {
        const port = integer(value, 1, 65535);
        if (port === null) problem(number, directive, 'ListenPort must be a port number 1–65535');
        else iface.listenPort = port;
      } else if (key === 'mtu') {
        const mtu = integer(value, 1280, 9000);
        if (mtu === null) problem(number, directive, 'MTU must be a number 1280–9000');
        else iface.mtu = mtu;
      }
      continue;
    }
    const peer = peers[peers.length - 1] as (typeof peers)[number];
    if (key === 'publickey') {
      if (isWireGuardKey(value)) peer.publicKey = value;
      else problem(number, directive, 'PublicKey is not a WireGuard key (44 characters of base64)');
    } else if (key === 'presharedkey') {
      if (isWireGuardKey(value)) peer.presharedKey = value;
      else problem(number, directive, 'PresharedKey is not a WireGuard key (44 characters of base64)');
    } else if (key === 'endpoint') {
      if (isHostPort(value)) peer.endpoint = value;
      else problem(number, directive, `Endpoint "${clip(value)}" is not HOST:PORT (a DNS name, an IPv4 address or [IPv6], and a port)`);
    } else if (key === 'persistentkeepalive') {
      const seconds = value.toLowerCase() === 'off' ? 0 : integer(value, 0, 65535);
      if (seconds === null) problem(number, directive, 'PersistentKeepalive must be off or seconds 0–65535');
      else peer.persistentKeepalive = seconds === 0 ? null : seconds;
    } else if (key === 'allowedips') {
      for (const item of listItems(value)) {
        const parsed = parsePrefix(item);
        if (!parsed.ok) problem(number, directive, parsed.message);
        else if (isDefaultRoute(parsed.prefix)) stripped.push({ what: formatPrefix(parsed.prefix), line: number });
        else peer.allowedIps.push(formatPrefix(parsed.prefix));
      }
    }
  }

  if (problems.length === 0) {
    if (interfaceCount === 0) problem(0, '[Interface]', 'no [Interface] section');
    else if (iface.privateKey === null) problem(interfaceLine, 'PrivateKey', 'the [Interface] section has no PrivateKey');
    if (peers.length === 0) problem(0, '[Peer]', 'no [Peer] section: the agent needs the router to dial');
    const keys = new Set<string>();
    for (const peer of peers) {
      if (peer.publicKey === null) problem(peer.line, 'PublicKey', 'this [Peer] has no PublicKey');
      else if (keys.has(peer.publicKey)) problem(peer.line, 'PublicKey', 'two [Peer] sections with the same PublicKey');
      else keys.add(peer.publicKey);
    }
    if (peers.length > 0 && peers.every((peer) => peer.endpoint === null)) {
      problem(peers[0]?.line ?? 0, 'Endpoint', 'no [Peer] has an Endpoint: an outgoing direct VPN dials the router, so one peer needs its address');
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  const finalPeers = peers.map((peer) => ({ ...peer, publicKey: peer.publicKey as string, allowedIps: unique(peer.allowedIps) }));
  return {
    ok: true,
    config: {
      privateKey: iface.privateKey as string,
      addresses: [...new Set(iface.addresses)],
      listenPort: iface.listenPort,
      mtu: iface.mtu,
      peers: finalPeers,
    },
    stripped,
    ignored,
    subnetsFromConfig: unique(finalPeers.flatMap((peer) => peer.allowedIps)),
    needsCredentials: false,
    crypto: null,
  };
}

function listItems(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function integer(text: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/** An interface address keeps its host part; only its spelling is made canonical. */
function normalisedAddress(text: string): string {
  const slash = text.indexOf('/');
  const parsed = parsePrefix(slash < 0 ? text : text.slice(0, slash));
  if (!parsed.ok) return text;
  const bits = parsed.prefix.family === 4 ? 32 : 128;
  const host = formatPrefix(parsed.prefix).split('/')[0];
  return `${host}/${slash < 0 ? bits : Number(text.slice(slash + 1))}`;
}

/** Canonical CIDR strings, sorted by family and address, without duplicates. */
export function unique(cidrs: string[]): string[] {
  const byText = new Map<string, IpPrefix>();
  for (const text of cidrs) {
    const parsed = parsePrefix(text);
    if (parsed.ok) byText.set(formatPrefix(parsed.prefix), parsed.prefix);
  }
  return [...byText.values()].sort(comparePrefix).map(formatPrefix);
}
