import { isHostPort } from '../net/host-port.ts';
import { parseCidr } from '../net/ipv4.ts';
import { hasControlCharacter } from './unsafe-characters.ts';
import { isWireGuardKey } from './wireguard-key.ts';

/**
 * Updates the lines plantgate owns in a WireGuard config the user already has (issue 7
 * item 11): the service peer's `Endpoint` and `AllowedIPs`, and the `# region …`
 * comment. Everything else — MTU, DNS, the user's comments, other peers, line endings —
 * stays byte for byte.
 */
export type OwnedValues = {
  /** Selects the [Peer] section to update: the personal-VPN service key. */
  peerPublicKey: string;
  endpoint: string;
  allowedIps: string[];
  /** Replaces a `# region …` comment line if the file has one. */
  regionComment?: string;
};

export type ConfUpdate = { ok: true; text: string } | { ok: false; reason: 'no-service-peer' | 'unsafe-value'; message: string };

/** Reads what the file says today: its private key, service-peer endpoint and region comment. */
export function readOwnedLines(text: string): { privateKey: string | null; endpoint: string | null; region: string | null } {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const value = (key: string) => {
    const line = lines.find((l) => new RegExp(`^\\s*${key}\\s*=`, 'i').test(l));
    return line ? line.slice(line.indexOf('=') + 1).trim() : null;
  };
  const region = lines.map((l) => /^#\s*region ([^\s;]+)/.exec(l)?.[1]).find((r) => r !== undefined) ?? null;
  return { privateKey: value('PrivateKey'), endpoint: value('Endpoint'), region };
}

export function updateOwnedLines(text: string, owned: OwnedValues): ConfUpdate {
  const unsafe = unsafeValue(owned);
  if (unsafe) return { ok: false, reason: 'unsafe-value', message: unsafe };
  const lines = text.split('\n');
  const eol = (line: string) => (line.endsWith('\r') ? '\r' : '');
  const bare = (line: string) => line.replace(/\r$/, '');
  const sections = sectionsOf(lines.map(bare));
  const peer = sections.find((s) => s.name === 'peer' && s.publicKey === owned.peerPublicKey);
  if (!peer)
    return {
      ok: false,
      reason: 'no-service-peer',
      message: `no [Peer] with the service key ${owned.peerPublicKey}: not a plantgate profile, or edited by hand`,
    };
  const out: string[] = [];
  let wroteEndpoint = false;
  let wroteAllowed = false;
  for (const [i, line] of lines.entries()) {
    const b = bare(line);
    if (owned.regionComment !== undefined && /^#\s*region \S+/.test(b)) {
      out.push(`# ${owned.regionComment}${eol(line)}`);
      continue;
    }
    if (i > peer.start && i < peer.end) {
      if (/^\s*Endpoint\s*=/i.test(b)) {
        if (!wroteEndpoint) out.push(`Endpoint = ${owned.endpoint}${eol(line)}`);
        wroteEndpoint = true;
        continue;
      }
      if (/^\s*AllowedIPs\s*=/i.test(b)) {
        // Several AllowedIPs lines add up in WireGuard; plantgate's set replaces them all.
        if (!wroteAllowed) out.push(`AllowedIPs = ${owned.allowedIps.join(', ')}${eol(line)}`);
        wroteAllowed = true;
        continue;
      }
    }
    out.push(line);
    if (i === peer.keyLine) {
      const missing = [
        ...(peer.hasEndpoint ? [] : [`Endpoint = ${owned.endpoint}`]),
        ...(peer.hasAllowed ? [] : [`AllowedIPs = ${owned.allowedIps.join(', ')}`]),
      ];
      for (const m of missing) out.push(`${m}${eol(line)}`);
    }
  }
  return { ok: true, text: out.join('\n') };
}

type Section = { name: string; start: number; end: number; publicKey: string | null; keyLine: number; hasEndpoint: boolean; hasAllowed: boolean };

function sectionsOf(lines: string[]): Section[] {
  const sections: Section[] = [];
  lines.forEach((line, i) => {
    const header = /^\s*\[(\w+)\]\s*$/.exec(line);
    if (header) {
      const last = sections[sections.length - 1];
      if (last) last.end = i;
      sections.push({
        name: (header[1] as string).toLowerCase(),
        start: i,
        end: lines.length,
        publicKey: null,
        keyLine: -1,
        hasEndpoint: false,
        hasAllowed: false,
      });
      return;
    }
    const section = sections[sections.length - 1];
    if (!section) return;
    const key = /^\s*PublicKey\s*=\s*(\S+)\s*$/i.exec(line);
    if (key && section.publicKey === null) {
      section.publicKey = key[1] as string;
      section.keyLine = i;
    }
    if (/^\s*Endpoint\s*=/i.test(line)) section.hasEndpoint = true;
    if (/^\s*AllowedIPs\s*=/i.test(line)) section.hasAllowed = true;
  });
  return sections;
}

function unsafeValue(owned: OwnedValues): string | null {
  if (!isWireGuardKey(owned.peerPublicKey)) return `peer public key ${JSON.stringify(owned.peerPublicKey)} is not a WireGuard key`;
  if (!isHostPort(owned.endpoint)) return `endpoint ${JSON.stringify(owned.endpoint)} is not HOST:PORT`;
  const bad = owned.allowedIps.find((a) => !parseCidr(a).ok);
  if (bad !== undefined) return `AllowedIPs entry ${JSON.stringify(bad)} is not an IPv4 CIDR`;
  if (owned.regionComment !== undefined && hasControlCharacter(owned.regionComment)) return 'the region comment contains a control character';
  return null;
}
