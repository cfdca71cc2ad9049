import { z } from 'zod';

/**
 * SPEC P7 (issue 10): one VPN session of the caller. The CLI's `vpn sessions --json` prints
 * exactly these keys (a contract scripts depend on).
 */
export const VpnSession = z.object({
  /** ISO time of the handshake that started the session. */
  start: z.string(),
  /** ISO time; null while connected (last handshake + 3 minutes once it ended). */
  end: z.string().nullable(),
  /** The peer endpoint (address:port) the gateway last reported; null if it reported none. */
  sourceAddress: z.string().nullable(),
  /** ISO 3166-1 alpha-2 from the offline geo-IP database; null for private, reserved or unknown addresses. */
  country: z.string().nullable(),
  /** Bytes the gateway received from the device (sent through the tunnel) and sent to it. */
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  region: z.string(),
  gateway: z.string(),
});
export type VpnSession = z.infer<typeof VpnSession>;

export const SESSION_PAGE_MAX = 500;

export const SessionsQuery = z
  .object({
    limit: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(SESSION_PAGE_MAX, `must be at most ${SESSION_PAGE_MAX}`)
      .optional(),
    /** The `next` of the previous page. */
    cursor: z
      .string()
      .regex(/^\d{1,15}\.[A-Za-z0-9_-]{1,64}$/, 'must be the next value of a previous page')
      .optional(),
  })
  .strict();
export type SessionsQuery = z.infer<typeof SessionsQuery>;

export const SessionPage = z.object({ sessions: z.array(VpnSession), next: z.string().nullable() });
export type SessionPage = z.infer<typeof SessionPage>;

/** Exactly the contract keys, in order (later additions to VpnSession stay out of `--json`). */
export function sessionContractJson(s: VpnSession): VpnSession {
  return {
    start: s.start,
    end: s.end,
    sourceAddress: s.sourceAddress,
    country: s.country,
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
    region: s.region,
    gateway: s.gateway,
  };
}
