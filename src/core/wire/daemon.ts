import { z } from 'zod';
import { WireGuardPublicKey } from './api.ts';
import { SiteTranslation, ipV4 } from './gateway-state.ts';

/**
 * Wire types between the control plane and its daemons (gateways, agents).
 * Daemons authenticate with their own credential (`pgd_…`), never a user token.
 */

const HostPort = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/, 'must be HOST:PORT');

export const EnrolmentCreateGateway = z.object({
  region: z.string().trim().min(1, 'is required'),
  expiresInMinutes: z.number().int().min(1).max(10080).default(60),
}).strict();
export const EnrolmentCreateAgent = z.object({
  plant: z.string().trim().min(1, 'is required (plant name, Org/Plant, or id)'),
  expiresInMinutes: z.number().int().min(1).max(10080).default(60),
}).strict();
export const EnrolmentCreated = z.object({
  kind: z.enum(['gateway', 'agent']),
  /** Shown once; single use. */
  token: z.string(),
  expiresAt: z.string(),
  region: z.string().optional(),
  plant: z.string().optional(),
});

/** The daemon trades its enrolment token for a credential of its own. */
export const EnrolRequest = z.object({
  token: z.string().trim().min(1, 'is required'),
  name: z.string().trim().min(1).max(100).optional(),
}).strict();
export const EnrolResponse = z.object({
  kind: z.enum(['gateway', 'agent']),
  id: z.string(),
  name: z.string(),
  /** Shown once: the daemon stores it in its state dir (mode 0600). */
  credential: z.string(),
  region: z.string().nullable(),
  plantId: z.string().nullable(),
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;

/** Sent at every daemon start: its current WireGuard public key (site side) and, for gateways, where agents dial it. */
export const GatewayRegistration = z.object({ sitePublicKey: WireGuardPublicKey, siteEndpoint: HostPort }).strict();
export const AgentRegistration = z.object({ publicKey: WireGuardPublicKey }).strict();

/** The personal-VPN service key pair every gateway of every region serves (DESIGN). */
export const GatewaySecrets = z.object({ servicePrivateKey: z.string(), servicePublicKey: z.string() });
export type GatewaySecrets = z.infer<typeof GatewaySecrets>;

export const AgentGateway = z.object({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  publicKey: z.string(),
  /** Where the agent dials this gateway. */
  endpoint: z.string(),
  /** The gateway's masquerade source toward sites; the agent peer's AllowedIPs. */
  siteTunnelIp: ipV4,
});
export type AgentGateway = z.infer<typeof AgentGateway>;

export const AgentDesiredState = z.object({
  revision: z.number().int().nonnegative(),
  agent: z.object({ id: z.string(), name: z.string(), plantId: z.string(), plantName: z.string(), tunnelIp: ipV4 }),
  translations: z.array(SiteTranslation),
  /** Every registered gateway of every region: the agent keeps a tunnel to each. */
  gateways: z.array(AgentGateway),
});
export type AgentDesiredState = z.infer<typeof AgentDesiredState>;

export const PeerStatus = z.object({
  publicKey: z.string(),
  endpoint: z.string().nullable(),
  /** Unix seconds of the last handshake, 0 for never. */
  latestHandshake: z.number().int().nonnegative(),
  rxBytes: z.number().nonnegative(),
  txBytes: z.number().nonnegative(),
});
export type PeerStatus = z.infer<typeof PeerStatus>;

export const DaemonStatusReport = z.object({
  /** Revision of the desired state last applied. */
  appliedRevision: z.number().int().min(-1),
  /** Daemon software version. */
  version: z.string().max(50),
  peers: z.array(PeerStatus).max(200_000),
  lastError: z.string().max(2000).nullable(),
  /** serving: the state applied is confirmed by the control plane (or within the max age); stale-withdrawn: user access withdrawn. */
  mode: z.enum(['serving', 'stale-withdrawn']).optional(),
}).strict();
export type DaemonStatusReport = z.infer<typeof DaemonStatusReport>;

export const DaemonInfo = z.object({
  kind: z.enum(['gateway', 'agent']),
  id: z.string(),
  name: z.string(),
  region: z.string().nullable(),
  plant: z.string().nullable(),
  publicKey: z.string().nullable(),
  endpoint: z.string().nullable(),
  tunnelIp: z.string().nullable(),
  enrolledAt: z.string(),
  lastSeenAt: z.string().nullable(),
  /** The last report, with at most 1,000 peers (the most recent handshakes) and the totals. */
  status: DaemonStatusReport.extend({ peerCount: z.number().optional(), peersWithRecentHandshake: z.number().optional() }).nullable(),
});
export type DaemonInfo = z.infer<typeof DaemonInfo>;
