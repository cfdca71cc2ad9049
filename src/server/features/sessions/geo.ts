import { createRequire } from 'node:module';

type GeoLookup = { lookup(ip: string): { country?: string; continent?: string } | null };

let geo: GeoLookup | null = null;

/**
 * The country (ISO 3166-1 alpha-2) of a WireGuard endpoint (`a.b.c.d:port` or `[v6]:port`),
 * from the offline GeoLite2 country database the `geoip-country` package ships (no network
 * lookup). Private, loopback, reserved and documentation addresses are in no country: null.
 * The database (≈7 MB) is read on first use, not at start.
 */
export function countryOf(endpoint: string | null): string | null {
  const host = hostOf(endpoint);
  if (!host) return null;
  geo ??= createRequire(import.meta.url)('geoip-country') as GeoLookup;
  return geo.lookup(host)?.country ?? null;
}

/** Country and continent codes of a bare address (the DNS responder's "nearest region"); nulls when unknown. */
export function placeOf(address: string): { country: string | null; continent: string | null } {
  geo ??= createRequire(import.meta.url)('geoip-country') as GeoLookup;
  const found = geo.lookup(address);
  return { country: found?.country ?? null, continent: found?.continent ?? null };
}

export function hostOf(endpoint: string | null): string | null {
  if (!endpoint) return null;
  if (endpoint.startsWith('[')) {
    const close = endpoint.indexOf(']');
    return close > 1 ? endpoint.slice(1, close) : null;
  }
  const colon = endpoint.lastIndexOf(':');
  return colon > 0 ? endpoint.slice(0, colon) : endpoint;
}
