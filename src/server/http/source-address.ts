import { isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * Where a request came from, as a key for per-source throttling. IPv4 as is (also when
 * it arrives IPv4-mapped); IPv6 by its /64, since one host commonly holds a whole /64
 * and could otherwise rotate addresses to escape the limit. Behind a reverse proxy this
 * is the proxy: every client then shares one source budget (the per-account limits
 * still hold). `app.request()` in tests has no socket: "local".
 */
export function sourceAddress(c: Context): string {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    return 'local';
  }
  return address ? sourceKey(address) : 'unknown';
}

export function sourceKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]?.split('::') ?? [];
  const front = head ? head.split(':') : [];
  const back = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...front, ...Array(8 - front.length - back.length).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** The peer's own address (IPv4-mapped unwrapped), or null without a socket: where a daemon connected from. */
export function remoteAddress(c: Context): string | null {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    return null;
  }
  if (!address) return null;
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
}
