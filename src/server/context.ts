import type { Ipv4Prefix } from '../core/net/ipv4.ts';
import type { ProxyConfig } from '../core/proxy/proxy-section.ts';
import type { AttemptGuard } from './features/auth/attempt-guard.ts';
import type { AuditContext } from './features/audit/audit-context.ts';
import type { DaemonStatusBuffer } from './features/daemons/status-buffer.ts';
import type { Store } from './db/connect.ts';
import type { FleetState } from './fleet/fleet-state.ts';
import type { SecretBox } from './secrets/secret-box.ts';
import type { RouteViewCache } from './features/vpn/routes-view.ts';

/** Addressing of the installation (DESIGN "Addressing"), fixed at first start. */
export type Addressing = {
  tunnelRange: Ipv4Prefix;
  mappedSpace: Ipv4Prefix;
  /** The gateways' address on the user interface, the same in every region. */
  serviceTunnelIp: number;
  /** User tunnel IPs start here; below it the range is kept for gateways and agents. */
  firstUserIp: number;
};

/** Everything a request handler may use; built once in main, replaced by test doubles nowhere (tests use a temp database). */
export type AppContext = {
  store: Store;
  fleet: FleetState;
  box: SecretBox;
  addressing: Addressing;
  servicePublicKey: string;
  now: () => Date;
  routeViewCache: RouteViewCache;
  /** Password and TOTP guessing: backoff and lockout per account and per source address (per process). */
  guard: AttemptGuard;
  /** Daemons' status reports, written to the database in batches. */
  daemonStatus: DaemonStatusBuffer;
  /** Issue 11: the one name every profile dials (lower case, no trailing dot); null: profiles dial their region's endpoint. */
  serviceName: string | null;
  /** The browser proxy's domain and port (docs/browser-proxy.md); null: the proxy is off. */
  proxy: ProxyConfig | null;
  /** The audit store (issue 10): its own database (SQLite) or tables and pool (PostgreSQL), key and settings. */
  audit: AuditContext;
};
