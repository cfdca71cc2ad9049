/**
 * What the browser proxy takes from the gateway's desired document (`proxy` part, issue 12):
 * the web targets served in this region and the open proxy sessions. The wire schema is the
 * control plane's (src/core/wire/proxy.ts); these are the fields the gateway relies on.
 */

export type ProxyTargetEntry = {
  id: string;
  /** The per-target subdomain label: the target is served at `https://<host>.<proxy domain>`. */
  host: string;
  plantId: string;
  scheme: 'http' | 'https';
  /** The device's address in the mapped space (reached through the plant's site tunnel). */
  mappedAddress: string;
  port: number;
  /** Where the browser lands after the grant. */
  path: string;
  /** The device's real address in the plant, when the document carries it (rewritten in redirects too). */
  deviceIp?: string | null;
};

export type ProxySessionEntry = {
  id: string;
  targetId: string;
  userId: string;
  userEmail: string;
  /** sha256 (hex) of the one-time grant token that opens this session. */
  grantHash: string;
  grantExpiresAt: string;
  expiresAt: string;
};

export type ProxyDocumentPart = {
  targets: readonly ProxyTargetEntry[];
  sessions: readonly ProxySessionEntry[];
};

export const EMPTY_PROXY_PART: ProxyDocumentPart = { targets: [], sessions: [] };
