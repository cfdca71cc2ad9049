/**
 * Just enough IPv4 prefix arithmetic for rendering and diffing nft elements.
 * Kept tiny and dependency-free because it sits on the apply path of 100k elements.
 *
 * Canonical form everywhere in the data plane: "a.b.c.d/len" with the host bits
 * cleared. nft itself masks host bits on input (100.81.0.0/8 becomes 100.0.0.0/8) and
 * prints /32 elements as a bare address, so without one canonical form a diff between
 * desired and observed would see phantom changes.
 */

/** A prefix in canonical form: network address with host bits cleared, "/len" always present. */
export type Ipv4Prefix = string & { readonly __brand: 'Ipv4Prefix' };

// No leading zeros: some tools read them as octal, so refuse rather than guess.
const IPV4_PATTERN = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Parses "a.b.c.d" to an unsigned 32-bit integer; throws on anything else (a bug upstream). */
export function ipv4ToInt(address: string): number {
  const match = IPV4_PATTERN.exec(address);
  if (!match) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i]);
    if (octet > 255) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
    value = value * 256 + octet;
  }
  return value;
}

export function intToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Validates and normalises a single address ("010.1.1.1" is refused, not reinterpreted). */
export function canonicalAddress(address: string): string {
  return intToIpv4(ipv4ToInt(address));
}

/** "10.1.2.3/8" → "10.0.0.0/8"; a bare address becomes a /32. */
export function canonicalPrefix(cidr: string): Ipv4Prefix {
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  const length = slash === -1 ? 32 : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(length) || length < 0 || length > 32 || (slash !== -1 && cidr.slice(slash + 1) === '')) {
    throw new Error(`not an IPv4 prefix: ${JSON.stringify(cidr)}`);
  }
  const network = maskNetwork(ipv4ToInt(address), length);
  return `${intToIpv4(network)}/${length}` as Ipv4Prefix;
}

// canonicalAddress/canonicalPrefix parse with a regex; a gateway state repeats the same
// few thousand tunnel IPs and mapped prefixes 100,000 times, so their canonical forms are
// memoised (bounded: cleared when it grows past MEMO_LIMIT distinct spellings).
const MEMO_LIMIT = 1_000_000;
const addressMemo = new Map<string, string>();
const prefixMemo = new Map<string, Ipv4Prefix>();

export function memoCanonicalAddress(address: string): string {
  let canonical = addressMemo.get(address);
  if (canonical === undefined) {
    canonical = canonicalAddress(address);
    if (addressMemo.size >= MEMO_LIMIT) addressMemo.clear();
    addressMemo.set(address, canonical);
  }
  return canonical;
}

export function memoCanonicalPrefix(cidr: string): Ipv4Prefix {
  let canonical = prefixMemo.get(cidr);
  if (canonical === undefined) {
    canonical = canonicalPrefix(cidr);
    if (prefixMemo.size >= MEMO_LIMIT) prefixMemo.clear();
    prefixMemo.set(cidr, canonical);
  }
  return canonical;
}

export function prefixLength(prefix: Ipv4Prefix): number {
  return Number(prefix.slice(prefix.indexOf('/') + 1));
}

/** Orders prefixes by network address, then by length; used to render deterministically. */
export function comparePrefixes(a: string, b: string): number {
  const [addressA, lengthA = '32'] = a.split('/');
  const [addressB, lengthB = '32'] = b.split('/');
  return ipv4ToInt(addressA) - ipv4ToInt(addressB) || Number(lengthA) - Number(lengthB);
}

export function compareAddresses(a: string, b: string): number {
  return ipv4ToInt(a) - ipv4ToInt(b);
}

function maskNetwork(address: number, length: number): number {
  if (length === 0) return 0;
  // >>> 0 keeps the result unsigned; shifting by 32 is a no-op in JS, hence the guard above.
  return (address & (0xffffffff << (32 - length))) >>> 0;
}
