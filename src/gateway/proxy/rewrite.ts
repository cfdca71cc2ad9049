import type { ProxyTargetEntry } from './proxy-document.ts';

/**
 * Header rewrites between a device and the target's origin (issue 12 item 3). Pure: the
 * proxy calls them on every response and on every request's Cookie header.
 */

/** The proxy's own session cookie. `__Host-`: Secure, Path=/, no Domain — the browser keeps it to exactly this origin. */
export const SESSION_COOKIE = '__Host-plantgate-proxy';

/**
 * A `Location` (or `Content-Location`, `Refresh` URL) that names the device itself — by its
 * mapped or real address, with the target's scheme and port — is turned into the same path
 * on the target's origin. Relative locations and other hosts are left as they are.
 */
export function rewriteLocation(location: string, target: ProxyTargetEntry, origin: string): string {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location; // relative: the browser resolves it against the origin already
  }
  if (!namesDevice(url, target)) return location;
  return `${origin}${url.pathname}${url.search}${url.hash}`;
}

/**
 * A device's Set-Cookie as the browser should keep it on the target's origin: `Domain=` is
 * dropped (it would widen the cookie to the proxy domain, or be refused as foreign), Path
 * and the rest are kept. A cookie that would overwrite the proxy's own is dropped (null).
 */
export function rewriteSetCookie(value: string): string | null {
  const parts = value.split(';');
  const name = (parts[0] ?? '').split('=')[0]?.trim() ?? '';
  if (name === SESSION_COOKIE) return null;
  const kept = parts.filter((part, index) => index === 0 || !/^\s*domain\s*=/i.test(part));
  return kept.join(';');
}

/** The browser's Cookie header without the proxy's session cookie (the device never sees it); null when nothing is left. */
export function withoutSessionCookie(header: string | undefined): string | null {
  if (header === undefined) return null;
  const kept = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0 && part.split('=')[0]?.trim() !== SESSION_COOKIE);
  return kept.length === 0 ? null : kept.join('; ');
}

/** The value of the proxy's session cookie in a Cookie header (the last one wins, as browsers send the most specific first). */
export function sessionCookieOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  let found: string | null = null;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === SESSION_COOKIE) found = part.slice(at + 1).trim();
  }
  return found;
}

/** The Host header the device gets: its own address (as on its LAN), with the port when not the scheme's default. */
export function deviceHost(target: ProxyTargetEntry): string {
  const address = target.deviceIp ?? target.mappedAddress;
  return isDefaultPort(target.scheme, target.port) ? address : `${address}:${target.port}`;
}

function namesDevice(url: URL, target: ProxyTargetEntry): boolean {
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== target.scheme) return false;
  const port = url.port === '' ? defaultPort(scheme) : Number(url.port);
  if (port !== target.port) return false;
  return url.hostname === target.mappedAddress || (target.deviceIp !== undefined && target.deviceIp !== null && url.hostname === target.deviceIp);
}

function isDefaultPort(scheme: string, port: number): boolean {
  return defaultPort(scheme) === port;
}

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80;
}
