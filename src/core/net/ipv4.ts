/**
 * IPv4 addresses and prefixes as unsigned 32-bit integers: the route engine compares
 * hundreds of thousands of prefixes, so it works on numbers, not strings.
 */

export type Ipv4Prefix = { readonly start: number; readonly length: number };

export type ParsedCidr = { ok: true; prefix: Ipv4Prefix } | { ok: false; reason: 'malformed' | 'host-bits-set'; message: string; canonical?: string };

/**
 * `a.b.c.d` with decimal octets 0–255 and no leading zeros (no octal-looking octets), else
 * null. A character loop, not a regular expression: flow attribution parses two addresses
 * per record (B6).
 */
export function parseIpv4(text: string): number | null {
  const length = text.length;
  if (length < 7 || length > 15) return null;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return null;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return null;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + octet;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Parses `a.b.c.d/n`, refusing host bits (the error names the canonical form). */
export function parseCidr(text: string): ParsedCidr {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'malformed', message: `"${text}" is not a CIDR (expected a.b.c.d/n)` };
  const address = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  const length = /^\d{1,2}$/.test(lenText) ? Number(lenText) : Number.NaN;
  if (address === null || !(length >= 0 && length <= 32)) {
    return { ok: false, reason: 'malformed', message: `"${text}" is not a valid IPv4 CIDR` };
  }
  const start = maskOf(address, length);
  if (start !== address) {
    const canonical = formatCidr({ start, length });
    return {
      ok: false,
      reason: 'host-bits-set',
      message: `"${text}" has host bits set; did you mean ${canonical}?`,
      canonical,
    };
  }
  return { ok: true, prefix: { start, length } };
}

/** For trusted input (stored or computed prefixes): throws on a bug. */
export function cidr(text: string): Ipv4Prefix {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.prefix;
}

export function formatCidr(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.start)}/${prefix.length}`;
}

export function prefixSize(length: number): number {
  return 2 ** (32 - length);
}

export function prefixEnd(prefix: Ipv4Prefix): number {
  return prefix.start + prefixSize(prefix.length) - 1;
}

export function maskOf(address: number, length: number): number {
  if (length === 0) return 0;
  return (address - (address % prefixSize(length))) >>> 0;
}

export function overlaps(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return a.start <= prefixEnd(b) && b.start <= prefixEnd(a);
}

export function containsAddress(prefix: Ipv4Prefix, address: number): boolean {
  return address >= prefix.start && address <= prefixEnd(prefix);
}

/** Same host part, other network: 192.168.1.17 in 192.168.1.0/24 → 100.80.3.17 in 100.80.3.0/24. */
export function translateAddress(address: number, from: Ipv4Prefix, to: Ipv4Prefix): number {
  return to.start + (address - from.start);
}

// --- Canonical text form, for the data plane (nft elements, WireGuard AllowedIPs) ---
//
// "a.b.c.d/len" with host bits cleared. nft masks host bits on input (100.81.0.0/8 becomes
// 100.0.0.0/8) and prints /32 elements as a bare address, so without one canonical form a
// diff between desired and observed would see phantom changes. These throw: their input
// comes from a validated document or from nft/wg output, so a bad one is a bug upstream.

/** A prefix in canonical text form: network address, host bits cleared, "/len" always present. */
export type CanonicalCidr = string & { readonly __brand: 'CanonicalCidr' };

/** "a.b.c.d" as an unsigned 32-bit integer; throws on anything else ("010.1.1.1" too). */
export function ipv4ToInt(address: string): number {
  const value = parseIpv4(address);
  if (value === null) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  return value;
}

/** Validates and normalises a single address. */
export function canonicalAddress(address: string): string {
  return formatIpv4(ipv4ToInt(address));
}

/** "10.1.2.3/8" → "10.0.0.0/8"; a bare address becomes a /32. */
export function canonicalPrefix(text: string): CanonicalCidr {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const lengthText = slash === -1 ? '32' : text.slice(slash + 1);
  const length = /^\d{1,2}$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (!(length >= 0 && length <= 32)) throw new Error(`not an IPv4 prefix: ${JSON.stringify(text)}`);
  return `${formatIpv4(maskOf(ipv4ToInt(address), length))}/${length}` as CanonicalCidr;
}

// A gateway state repeats the same few thousand tunnel IPs and mapped prefixes 100,000
// times, so their canonical forms are memoised (bounded: cleared past MEMO_LIMIT spellings).
const MEMO_LIMIT = 1_000_000;
const addressMemo = new Map<string, string>();
const prefixMemo = new Map<string, CanonicalCidr>();

export function memoCanonicalAddress(address: string): string {
  let canonical = addressMemo.get(address);
  if (canonical === undefined) {
    canonical = canonicalAddress(address);
    if (addressMemo.size >= MEMO_LIMIT) addressMemo.clear();
    addressMemo.set(address, canonical);
  }
  return canonical;
}

export function memoCanonicalPrefix(text: string): CanonicalCidr {
  let canonical = prefixMemo.get(text);
  if (canonical === undefined) {
    canonical = canonicalPrefix(text);
    if (prefixMemo.size >= MEMO_LIMIT) prefixMemo.clear();
    prefixMemo.set(text, canonical);
  }
  return canonical;
}

export function prefixLength(prefix: CanonicalCidr): number {
  return Number(prefix.slice(prefix.indexOf('/') + 1));
}

/** Orders prefixes (or bare addresses, as /32) by network address, then by length. */
export function comparePrefixes(a: string, b: string): number {
  const [addressA = '', lengthA = '32'] = a.split('/');
  const [addressB = '', lengthB = '32'] = b.split('/');
  return ipv4ToInt(addressA) - ipv4ToInt(addressB) || Number(lengthA) - Number(lengthB);
}

export function compareAddresses(a: string, b: string): number {
  return ipv4ToInt(a) - ipv4ToInt(b);
}

/** Dotted netmask of a prefix length (24 → 255.255.255.0). */
export function netmask(length: number): string {
  return formatIpv4(maskOf(0xffffffff, length));
}
