import { formatIpv4, parseIpv4 } from '../net/ipv4.ts';

/**
 * IPv4 and IPv6 prefixes for direct VPN configs, as big integers so both families share one
 * overlap test. Plant subnets are IPv4 in the rest of plantgate; a direct VPN may name IPv6
 * ranges (SPEC vocabulary: "IPv6 welcome"), so its parsers and its validation take both.
 */
export type IpFamily = 4 | 6;
export type IpPrefix = { readonly family: IpFamily; readonly start: bigint; readonly length: number };

export type PrefixParse = { ok: true; prefix: IpPrefix; hostBits: boolean } | { ok: false; message: string };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

export function parseIpv6(text: string): bigint | null {
  if (text.length > 45 || text.includes('%')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : (halves[0] as string).split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] as string).split(':')) : [];
  const groups = [...head, ...tail];
  const last = groups[groups.length - 1];
  const words: number[] = [];
  let embedded: number | null = null;
  if (last?.includes('.')) {
    embedded = parseIpv4(last);
    if (embedded === null || (halves.length === 2 && tail.length === 0)) return null;
    groups.pop();
  }
  for (const group of groups) {
    if (!HEX_GROUP.test(group)) return null;
    words.push(Number.parseInt(group, 16));
  }
  const needed = embedded === null ? 8 : 6;
  if (halves.length === 1 && words.length !== needed) return null;
  if (halves.length === 2 && words.length > needed - 1) return null;
  const headWords = embedded === null ? head.length : Math.min(head.length, words.length);
  const full = [...words.slice(0, headWords), ...Array(needed - words.length).fill(0), ...words.slice(headWords)];
  let value = 0n;
  for (const word of full) value = (value << 16n) | BigInt(word);
  if (embedded !== null) value = (value << 32n) | BigInt(embedded);
  return value;
}

export function formatIpv6(value: bigint): string {
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (≥ 2) of zero words becomes "::", the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function parseAddress(text: string): { family: IpFamily; value: bigint } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: BigInt(v4) };
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  return v6 === null ? null : { family: 6, value: v6 };
}

export function formatAddress(family: IpFamily, value: bigint): string {
  return family === 4 ? formatIpv4(Number(value)) : formatIpv6(value);
}

/** `address/length` (a bare address is a host prefix); host bits are masked off and reported. */
export function parsePrefix(text: string): PrefixParse {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (address === null) return { ok: false, message: `"${clip(text)}" is not an IPv4 or IPv6 address or CIDR` };
  const bits = BITS[address.family];
  let length = bits;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > bits) {
      return { ok: false, message: `"${clip(text)}" has no valid prefix length (0–${bits})` };
    }
    length = Number(lengthText);
  }
  const start = maskOf(address.value, length, bits);
  return { ok: true, prefix: { family: address.family, start, length }, hostBits: start !== address.value };
}

export function formatPrefix(prefix: IpPrefix): string {
  return `${formatAddress(prefix.family, prefix.start)}/${prefix.length}`;
}

function maskOf(value: bigint, length: number, bits: number): bigint {
  const hostBits = BigInt(bits - length);
  return (value >> hostBits) << hostBits;
}

export function prefixLast(prefix: IpPrefix): bigint {
  return prefix.start + (1n << BigInt(BITS[prefix.family] - prefix.length)) - 1n;
}

export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  return a.family === b.family && a.start <= prefixLast(b) && b.start <= prefixLast(a);
}

export function prefixContains(outer: IpPrefix, inner: IpPrefix): boolean {
  return outer.family === inner.family && outer.length <= inner.length && outer.start <= inner.start && prefixLast(inner) <= prefixLast(outer);
}

/**
 * D5: a default route in any of its spellings — /0, and the /1 halves that VPN clients use
 * to override a default route without replacing it (0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1).
 * Every prefix of length 0 or 1 is one of these.
 */
export function isDefaultRoute(prefix: IpPrefix): boolean {
  return prefix.length <= 1;
}

export function comparePrefix(a: IpPrefix, b: IpPrefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.length - b.length;
}

/** A value for a message: never longer than 60 characters, no control characters. */
export function clip(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}
