import { z } from 'zod';
import { WireGuardPublicKey } from './api.ts';
import { ipV4, SiteTranslation } from './gateway-state.ts';
import { printableName } from './printable.ts';

/**
 * Wire types between the control plane and its daemons (gateways, agents).
 * Daemons authenticate with their own credential (`pgd_…`), never a user token.
 */

const HostPort = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/, 'must be HOST:PORT');

export const EnrolmentCreateGateway = z
  .object({
    region: z.string().trim().min(1, 'is required').max(63, 'must be at most 63 characters'),
    expiresInMinutes: z.number().int().min(1).max(10080).default(60),
  })
  .strict();
export const EnrolmentCreateAgent = z
  .object({
    plant: z.string().trim().min(1, 'is required (plant name, Org/Plant, or id)').max(401, 'must be at most 401 characters'),
    expiresInMinutes: z.number().int().min(1).max(10080).default(60),
  })
  .strict();
export const EnrolmentCreated = z.object({
  /** What `admin enrol-token revoke` takes; also the part after `pge_` of the token. */
  id: z.string(),
  kind: z.enum(['gateway', 'agent']),
  /** Shown once; single use. */
  token: z.string(),
  expiresAt: z.string(),
  region: z.string().optional(),
  plant: z.string().optional(),
});

/** An unused enrolment token as operators list it: never its secret. */
export const EnrolmentInfo = z.object({
  id: z.string(),
  kind: z.enum(['gateway', 'agent']),
  region: z.string().nullable(),
  plant: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  expired: z.boolean(),
});
export type EnrolmentInfo = z.infer<typeof EnrolmentInfo>;

/** The daemon trades its enrolment token for a credential of its own. */
export const EnrolRequest = z
  .object({
    token: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    name: printableName(100).optional(),
  })
  .strict();
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
export const GatewaySecrets = z.object({
  servicePrivateKey: z.string(),
  servicePublicKey: z.string(),
  /** The browser proxy's cookie key (32 bytes, base64url; issue 12), when the proxy is on: any gateway checks any gateway's session cookie. */
  proxyCookieKey: z.string().optional(),
});
export type GatewaySecrets = z.infer<typeof GatewaySecrets>;

/**
 * What a gateway's OpenVPN servers need (issue 11, SPEC P9): the user CA, the server
 * certificate and key (unsealed for gateways only), the tls-crypt key and the current CRL.
 * `material` is null until the first OpenVPN profile made the user CA. Fetched at
 * (re)connect and whenever OpenVPN peers leave the desired document (a revoke or rotate
 * re-signs the CRL), so a revoked certificate is refused at its next handshake.
 */
export const GatewayOpenVpnMaterial = z.object({
  material: z.object({ ca: z.string(), certificate: z.string(), key: z.string(), tlsCrypt: z.string(), crl: z.string() }).nullable(),
});
export type GatewayOpenVpnMaterial = z.infer<typeof GatewayOpenVpnMaterial>;

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

/** One peer of an outgoing WireGuard direct VPN: AllowedIPs are the direct VPN's own subnets only (never a default route). */
export const AgentDirectVpnPeer = z.object({
  publicKey: WireGuardPublicKey,
  /** Secret (sealed at rest on the server): only in the authenticated agent's own document. */
  presharedKey: z.string().nullable(),
  endpoint: z.string().nullable(),
  allowedIps: z.array(z.string()),
  persistentKeepalive: z.number().int().min(1).max(65535).nullable(),
});

/**
 * Issue 9: an enabled WireGuard direct VPN of the agent's plant, as the agent runs it: rendered
 * from the parsed model (never the upload), the agent side's private key unsealed for this agent
 * only. Outgoing: the peers are the plant router(s) the agent dials. Hosted: the agent is the
 * server (listenPort set), the peers are the site and user clients (endpoint null; a site
 * client's AllowedIPs are its announced subnets, a user client's its tunnel address /32).
 * The agent routes exactly `subnets` into the interface.
 */
export const AgentWireGuardVpn = z.object({
  id: z.string(),
  name: z.string(),
  protocol: z.literal('wireguard'),
  /** Additive (issue 9 hosted): documents before it carry outgoing ones only. */
  direction: z.enum(['outgoing', 'hosted']).default('outgoing'),
  privateKey: z.string(),
  /** The interface's own addresses (outgoing: the upload's [Interface] Address; hosted: the server's tunnel address). */
  addresses: z.array(z.string()),
  listenPort: z.number().int().min(1).max(65535).nullable(),
  mtu: z.number().int().min(576).max(9000).nullable(),
  peers: z.array(AgentDirectVpnPeer),
  /** The plant's real subnets behind the plant router (canonical IPv4 CIDRs). */
  subnets: z.array(z.string()),
  /** Bumped by `site-vpn restart`: a new value makes the agent tear the tunnel down and bring it up again. */
  restartGeneration: z.number().int().nonnegative().default(0),
});
export type AgentWireGuardVpn = z.infer<typeof AgentWireGuardVpn>;

/** The OpenVPN connection model (src/core/direct-vpn OpenVpnUpload) as the agent receives it: holds the agent side's secrets. */
export const AgentOpenVpnModel = z.object({
  remotes: z.array(z.object({ host: z.string(), port: z.number().int().min(1).max(65535), transport: z.enum(['udp', 'tcp']), line: z.number().int() })),
  ca: z.string(),
  extraCerts: z.string().nullable(),
  cert: z.string().nullable(),
  key: z.string().nullable(),
  tlsAuth: z.string().nullable(),
  tlsCrypt: z.string().nullable(),
  tlsCryptV2: z.string().nullable(),
  keyDirection: z.union([z.literal(0), z.literal(1)]).nullable(),
  cipher: z.string().nullable(),
  dataCiphers: z.array(z.string()).nullable(),
  dataCiphersFallback: z.string().nullable(),
  auth: z.string().nullable(),
  compression: z.string().nullable(),
  tlsVersionMin: z.string().nullable(),
  remoteCertTls: z.literal('server').nullable(),
  verifyX509Name: z.object({ name: z.string(), type: z.string() }).nullable(),
  tunMtu: z.number().int().nullable(),
  mssfix: z.number().int().nullable(),
  fragment: z.number().int().nullable(),
  authUserPass: z.boolean(),
  routes: z.array(z.string()),
});

/** An enabled outgoing OpenVPN direct VPN: the agent renders its client config (renderOpenVpnClientConfig) from `model`. */
export const AgentOpenVpnClientVpn = z.object({
  id: z.string(),
  name: z.string(),
  protocol: z.literal('openvpn'),
  direction: z.literal('outgoing'),
  model: AgentOpenVpnModel,
  /** For `auth-user-pass`: unsealed for this agent only, written 0600, never logged. */
  credentials: z.object({ username: z.string(), password: z.string() }).nullable(),
  subnets: z.array(z.string()),
  restartGeneration: z.number().int().nonnegative().default(0),
});
export type AgentOpenVpnClientVpn = z.infer<typeof AgentOpenVpnClientVpn>;

/** One client of a hosted OpenVPN server: its certificate's common name, fixed tunnel address, and (site clients) the subnets it announces (`iroute`). */
export const AgentOpenVpnServerClient = z.object({
  commonName: z.string(),
  kind: z.enum(['site', 'user']),
  tunnelIp: ipV4,
  subnets: z.array(z.string()),
});

/** An enabled hosted OpenVPN direct VPN: the agent runs `openvpn` in server mode with this PKI (CA key never leaves the control plane). */
export const AgentOpenVpnServerVpn = z.object({
  id: z.string(),
  name: z.string(),
  protocol: z.literal('openvpn'),
  direction: z.literal('hosted'),
  transport: z.enum(['udp', 'tcp']),
  port: z.number().int().min(1).max(65535),
  /** The server's tunnel network (IPv4 CIDR); the server takes its first address. */
  network: z.string(),
  ca: z.string(),
  /** Server certificate and key (PEM; the key unsealed for this agent only). */
  cert: z.string(),
  key: z.string(),
  /** The current CRL (PEM): removed clients' certificates are on it. */
  crl: z.string(),
  tlsCrypt: z.string().nullable(),
  crypto: z.object({ cipher: z.string().nullable(), auth: z.string().nullable(), compression: z.string().nullable(), tlsMin: z.string().nullable() }),
  clients: z.array(AgentOpenVpnServerClient),
  subnets: z.array(z.string()),
  restartGeneration: z.number().int().nonnegative().default(0),
});
export type AgentOpenVpnServerVpn = z.infer<typeof AgentOpenVpnServerVpn>;

export const AgentDirectVpn = z.union([AgentWireGuardVpn, AgentOpenVpnClientVpn, AgentOpenVpnServerVpn]);
export type AgentDirectVpn = z.infer<typeof AgentDirectVpn>;

/** D11: probe the plant's subnets from the agent (ICMP + TCP connect), bounded in rate and time. */
export const AgentDiscoveryRequest = z.object({
  id: z.string(),
  /** Real (plant-side) IPv4 CIDRs to probe. */
  subnets: z.array(z.string()),
  ports: z.array(z.number().int().min(1).max(65535)),
  /** At most this many addresses probed (larger subnets are cut and the result says truncated). */
  maxHosts: z.number().int().min(1).max(65536),
  /** Probes (packets or connection attempts) per second at most. */
  ratePerSecond: z.number().int().min(1).max(10000),
  /** The whole run ends after this long, finished or not. */
  deadlineSeconds: z.number().int().min(1).max(600),
});
export type AgentDiscoveryRequest = z.infer<typeof AgentDiscoveryRequest>;

/** What the agent posts back (POST /daemon/agent/discoveries/:id). */
export const AgentDiscoveryResult = z
  .object({
    hosts: z
      .array(
        z.object({ ip: ipV4, icmp: z.boolean(), openPorts: z.array(z.number().int().min(1).max(65535)).max(64), rttMs: z.number().nonnegative().nullable() }).strict(),
      )
      .max(65536),
    truncated: z.boolean(),
    startedAt: z.string().max(40),
    finishedAt: z.string().max(40),
    error: z.string().max(1024).nullable(),
  })
  .strict();
export type AgentDiscoveryResult = z.infer<typeof AgentDiscoveryResult>;

export const AgentDesiredState = z.object({
  revision: z.number().int().nonnegative(),
  agent: z.object({ id: z.string(), name: z.string(), plantId: z.string(), plantName: z.string(), tunnelIp: ipV4 }),
  translations: z.array(SiteTranslation),
  /** Every registered gateway of every region: the agent keeps a tunnel to each. */
  gateways: z.array(AgentGateway),
  /** Issue 9 (additive: older servers send none). */
  directVpns: z.array(AgentDirectVpn).default([]),
  /** D11: discovery runs the agent has not answered yet (additive). */
  discoveries: z.array(AgentDiscoveryRequest).default([]),
});
export type AgentDesiredState = z.infer<typeof AgentDesiredState>;

/**
 * Issue 7 #9: a status report is bounded in every field and count, so one daemon can
 * neither store a 100 MB row nor make `admin agent list` return one.
 */
export const STATUS_LIMITS = { peers: 1000, lastError: 1024, version: 50, publicKey: 64, endpoint: 100, peerCount: 10_000_000 } as const;

const counter = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const PeerStatus = z
  .object({
    publicKey: z.string().max(STATUS_LIMITS.publicKey, `must be at most ${STATUS_LIMITS.publicKey} characters`),
    endpoint: z.string().max(STATUS_LIMITS.endpoint, `must be at most ${STATUS_LIMITS.endpoint} characters`).nullable(),
    /** Unix seconds of the last handshake, 0 for never. */
    latestHandshake: counter,
    rxBytes: counter,
    txBytes: counter,
    /** OpenVPN profiles only (additive): unix seconds the client connected; latestHandshake is then the time it was last seen connected. */
    connectedSince: counter.optional(),
  })
  .strict();
export type PeerStatus = z.infer<typeof PeerStatus>;

/** A tunnel's own log line (secrets redacted by the agent before it leaves the plant). */
export const DirectVpnLogLine = z.object({ at: z.string().max(40), text: z.string().max(400) }).strict();
/** One diagnose check (D7): what was looked at, whether it is fine, and when not, what to fix. */
export const DirectVpnCheck = z
  .object({ check: z.string().max(64), ok: z.boolean(), detail: z.string().max(400), fix: z.string().max(400).nullable() })
  .strict();
/** A hosted server's client as the agent sees it (WireGuard peer or OpenVPN session). */
export const DirectVpnClientStatus = z
  .object({
    /** WireGuard public key or OpenVPN common name. */
    client: z.string().max(100),
    connected: z.boolean(),
    endpoint: z.string().max(STATUS_LIMITS.endpoint).nullable(),
    bytesIn: counter,
    bytesOut: counter,
    /** ISO time of the last handshake / connect, null for never. */
    lastSeen: z.string().max(40).nullable(),
  })
  .strict();
export const DirectVpnStatusReport = z
  .object({
    id: z.string().max(64),
    state: z.enum(['connected', 'connecting', 'down']),
    /** ISO time the tunnel entered `state`. */
    since: z.string().max(40),
    /** Bytes received from / sent into the tunnel since the interface came up. */
    bytesIn: counter,
    bytesOut: counter,
    clients: z.array(DirectVpnClientStatus).max(256).optional(),
    /** The tunnel's most recent log lines (newest last), redacted. */
    logs: z.array(DirectVpnLogLine).max(200).optional(),
    /** Diagnose results, run by the agent while the tunnel is not connected. */
    checks: z.array(DirectVpnCheck).max(32).optional(),
  })
  .strict();
export type DirectVpnStatusReport = z.infer<typeof DirectVpnStatusReport>;

export const DaemonStatusReport = z
  .object({
    /** Revision of the desired state last applied. */
    appliedRevision: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER),
    /** Daemon software version. */
    version: z.string().max(STATUS_LIMITS.version, `must be at most ${STATUS_LIMITS.version} characters`),
    /** At most 1,000 peers: those with the most recent handshakes. */
    peers: z
      .array(PeerStatus)
      .max(STATUS_LIMITS.peers, `must list at most ${STATUS_LIMITS.peers} peers (the most recent handshakes; peerCount carries the total)`),
    /** How many peers the daemon has in all (the list may be cut). */
    peerCount: z.number().int().nonnegative().max(STATUS_LIMITS.peerCount).optional(),
    /** How many of them had a handshake within the last 3 minutes. */
    peersWithRecentHandshake: z.number().int().nonnegative().max(STATUS_LIMITS.peerCount).optional(),
    lastError: z.string().max(STATUS_LIMITS.lastError, `must be at most ${STATUS_LIMITS.lastError} characters`).nullable(),
    /** serving: the state applied is confirmed by the control plane (or within the max age); stale-withdrawn: user access withdrawn. */
    mode: z.enum(['serving', 'stale-withdrawn']).optional(),
    /** Issue 9 D7: agents only, one per direct VPN they run (additive). */
    directVpns: z.array(DirectVpnStatusReport).max(64, 'must list at most 64 direct VPNs').optional(),
  })
  .strict();
export type DaemonStatusReport = z.infer<typeof DaemonStatusReport>;

/** A daemon counts as connected when it reported (or registered) within this many seconds. */
export const CONNECTED_WITHIN_SECONDS = 60;

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
  status: DaemonStatusReport.nullable(),
  /** Reported or registered within the last CONNECTED_WITHIN_SECONDS (daemons report every 10 s). Optional: servers before issue 8 do not send it. */
  connected: z.boolean().optional(),
  /** The revision the control plane has for it now: `status.appliedRevision` below this means it is behind. */
  desiredRevision: z.number().int().optional(),
});
export type DaemonInfo = z.infer<typeof DaemonInfo>;
