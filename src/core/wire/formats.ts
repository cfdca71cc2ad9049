import { z } from 'zod';
import { isHostPort } from '../net/host-port.ts';
import { parseCidr, parseIpv4 } from '../net/ipv4.ts';
import { hasControlCharacter } from '../render/unsafe-characters.ts';
import { isWireGuardKey } from '../render/wireguard-key.ts';

/**
 * Strict formats for values that leave the control plane and end up in files or
 * on terminals (issue 7 item 4). A client validates the answer with these before it
 * writes anything: a value that does not match is refused, never "cleaned".
 */

/** Any string that a client may write into a file line (a comment, a name). */
export const oneLine = z
  .string()
  .refine((v) => !hasControlCharacter(v), { message: 'must not contain control characters (CR, LF, ESC, …)' })
  .describe('one line, no control characters');
export const hostPort = z
  .string()
  .refine(isHostPort, { message: 'must be HOST:PORT (a DNS name, IPv4 or [IPv6] address, port 1–65535)' })
  .describe('HOST:PORT: a DNS name, an IPv4 or [IPv6] address, and a port 1–65535; nothing else');
export const strictIpv4 = z
  .string()
  .refine((v) => parseIpv4(v) !== null, { message: 'must be an IPv4 address (a.b.c.d)' })
  .describe('IPv4 address a.b.c.d');
export const strictCidrV4 = z
  .string()
  .refine((v) => parseCidr(v).ok, { message: 'must be an IPv4 CIDR without host bits (a.b.c.d/n)' })
  .describe('IPv4 CIDR a.b.c.d/n, no host bits');
export const wireGuardKey = z
  .string()
  .refine(isWireGuardKey, { message: 'must be a WireGuard key (32 bytes, base64)' })
  .describe('WireGuard key: 32 bytes, base64');
/** `pgt_…` user tokens, `pge_…` enrolment tokens, `pgd_…` daemon credentials: base64url parts only (they go into headers, files and shell lines). */
export const apiToken = z.string().regex(/^pg[tde]_[A-Za-z0-9_-]+$/, 'must be a plantgate token (pg?_ and base64url)');
