import { parseIpv4 } from './ipv4.ts';

/**
 * A strict `HOST:PORT` where a WireGuard client dials: a DNS name (RFC 1123 labels),
 * a dotted IPv4 address or a bracketed IPv6 address, and a port 1–65535. Nothing
 * else (no whitespace, no control characters) because the value is written into
 * config files that wg-quick executes parts of.
 */
export function isHostPort(text: string): boolean {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return false;
  return isHost(text.slice(0, colon)) && isPort(text.slice(colon + 1));
}

function isPort(text: string): boolean {
  if (!/^[1-9][0-9]{0,4}$/.test(text)) return false;
  return Number(text) <= 65535;
}

function isHost(text: string): boolean {
  if (text.startsWith('[') && text.endsWith(']')) return isIpv6(text.slice(1, -1));
  if (text.length > 253) return false;
  const labels = text.split('.');
  // An all-numeric dotted name is an IPv4 address or nothing (999.1.1.1 is no host).
  if (labels.every((l) => /^[0-9]+$/.test(l))) return parseIpv4(text) !== null;
  return labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string): string[] | null => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !tail) return false;
  const all = [...head, ...tail];
  let count = all.length;
  const last = all[all.length - 1];
  if (last?.includes('.')) {
    if (parseIpv4(last) === null) return false;
    all.pop();
    count += 1; // an embedded IPv4 address takes two groups
  }
  if (!all.every((g) => HEX_GROUP.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}
