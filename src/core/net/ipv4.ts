/**
 * IPv4 addresses and prefixes as unsigned 32-bit integers: the route engine compares
 * hundreds of thousands of prefixes, so it works on numbers, not strings.
 */

export type Ipv4Prefix = { readonly start: number; readonly length: number };

export type ParsedCidr =
  | { ok: true; prefix: Ipv4Prefix }
  | { ok: false; reason: 'malformed' | 'host-bits-set'; message: string; canonical?: string };

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(text: string): number | null {
  const m = DOTTED.exec(text);
  if (!m) return null;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] as string;
    if (part.length > 1 && part[0] === '0') return null; // no octal-looking octets
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
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
