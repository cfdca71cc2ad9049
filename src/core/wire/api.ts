import { z } from 'zod';
import { isWireGuardKey } from '../render/wireguard-key.ts';
import { apiToken, hostPort, oneLine, strictCidrV4, strictIpv4, wireGuardKey } from './formats.ts';
import { printableName } from './printable.ts';

/** Wire types of the HTTP API (`/api/v1`), shared by server, CLI and tests. */

/** Longer passwords buy nothing and cost an argon2 run over the whole text (issue 7 item 1). */
export const MAX_PASSWORD = 1024;
export const MAX_EMAIL = 320;

export const WireGuardPublicKey = z.string().trim().refine(isWireGuardKey, { message: 'must be a WireGuard public key (32 bytes, base64)' });

export const LoginRequest = z
  .object({
    email: z.string().trim().min(1, 'is required').max(MAX_EMAIL, `must be at most ${MAX_EMAIL} characters`),
    password: z.string().min(1, 'is required').max(MAX_PASSWORD, `must be at most ${MAX_PASSWORD} characters`),
    /** The current 6-digit code, or one of the recovery codes shown when the second factor was turned on. */
    totp: z.string().trim().max(64, 'must be at most 64 characters').optional(),
  })
  .strict();
export const TotpCode = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/, 'must be the 6-digit code'),
  })
  .strict();
/** Turning the factor off also takes a recovery code (the authenticator may be what was lost). */
export const TotpOrRecoveryCode = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^(\d{6}|[0-9A-Za-z]{4}(-?[0-9A-Za-z]{4}){3})$/, 'must be the 6-digit code or a recovery code (xxxx-xxxx-xxxx-xxxx)'),
  })
  .strict();
export const TotpConfirmed = z.object({ recoveryCodes: z.array(z.string()) });
const NewPassword = z.string().min(8, 'must be at least 8 characters').max(MAX_PASSWORD, `must be at most ${MAX_PASSWORD} characters`);
/** A user changes their own password with the current one (also a one-time password an operator set). */
export const PasswordChangeRequest = LoginRequest.extend({ newPassword: NewPassword }).strict();
export const LoginResponse = z.object({ token: apiToken, expiresAt: z.string(), user: z.object({ id: z.string(), email: z.string(), name: z.string() }) });

export const Me = z.object({ id: z.string(), email: z.string(), name: z.string(), platformOperator: z.boolean() });

export const TokenCreateRequest = z
  .object({
    name: printableName(100, 'is required'),
    expiresInDays: z.number().int().min(1, 'must be at least 1').max(3650, 'must be at most 3650').optional(),
  })
  .strict();
export const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['session', 'personal']),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenInfo = z.infer<typeof TokenInfo>;
export const TokenCreated = TokenInfo.extend({ token: apiToken });

/**
 * Issue or rotate (SPEC P1, P2, P9): a WireGuard profile sends the public key made on the
 * device, an OpenVPN profile the device's certificate signing request (PEM). `type`
 * defaults to wireguard (the contract before issue 11); a rotate keeps the profile's type.
 */
export const ProfileType = z.enum(['wireguard', 'openvpn']);
export type ProfileType = z.infer<typeof ProfileType>;
export const ProfileKeyRequest = z
  .object({ type: ProfileType.optional(), publicKey: WireGuardPublicKey.optional(), csr: z.string().max(8192).optional() })
  .strict();
export type ProfileKeyRequest = z.infer<typeof ProfileKeyRequest>;

/** Strict: the CLI writes these into WireGuard configs (issue 7 item 4). */
export const RegionEndpoint = z.object({ name: oneLine, endpoint: hostPort });
export const ProfileInfo = z.object({
  id: oneLine,
  kind: ProfileType,
  status: z.enum(['active', 'revoked']),
  /** The WireGuard public key; null for an OpenVPN profile (its certificate says who it is). */
  publicKey: wireGuardKey.nullable(),
  /** OpenVPN profiles: the current certificate (serial as hex, SHA-256 fingerprint, end of validity). */
  certificate: z.object({ serial: z.string(), fingerprint: z.string(), notAfter: z.string() }).nullable().optional(),
  tunnelIp: strictIpv4,
  createdAt: z.string(),
  rotatedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ProfileInfo = z.infer<typeof ProfileInfo>;

/** Everything the device needs to assemble its config file around its own private key. */
export const ProfileConfigParts = z.object({
  profile: ProfileInfo,
  servicePublicKey: wireGuardKey,
  regions: z.array(RegionEndpoint),
  /** The mapped space plus the native prefixes active now (DESIGN). */
  allowedIps: z.array(strictCidrV4),
  /**
   * OpenVPN profiles (SPEC P9): the certificate just signed (issue/rotate answers only), the
   * user CA, the tls-crypt key and the gateways' OpenVPN port; the device adds its own key.
   */
  openvpn: z
    .object({ certificate: z.string().nullable(), ca: z.string(), tlsCrypt: z.string(), port: z.number().int().min(1).max(65535) })
    .optional(),
  /** Issue 11: `<service-name>:<port>` when the installation has a service name; every profile then dials it (absent: servers before issue 11, or none configured). */
  serviceEndpoint: z.string().nullable().optional(),
});
export type ProfileConfigParts = z.infer<typeof ProfileConfigParts>;

/**
 * `GET /vpn/profile/changes` (issue 11 item 3, the own client): a long-poll that answers when
 * the fleet revision passes `after` (a permission, route choice or region changed) or after
 * `wait` seconds; the client then reads /vpn/profile. Without `after`: the revision now.
 */
export const ProfileChangesQuery = z
  .object({
    after: z.coerce.number().int().min(0, 'must be a revision (0 or more)').optional(),
    wait: z.coerce.number().int().min(0).max(60, 'must be at most 60 seconds').default(20),
  })
  .strict();
export const ProfileChanges = z.object({ revision: z.number().int().nonnegative() });
export type ProfileChanges = z.infer<typeof ProfileChanges>;

/** A network device behind a route (SPEC P5): its native address and the same host in the mapped prefix. */
export const RouteDevice = z.object({ name: z.string(), ip: strictIpv4, mappedIp: strictIpv4, kind: z.string() });
export type RouteDevice = z.infer<typeof RouteDevice>;

export const RouteView = z.object({
  plant: z.string(),
  plantId: z.string(),
  organization: z.string(),
  via: z.enum(['own', 'cooperation']),
  subnet: strictCidrV4,
  mapped: strictCidrV4,
  native: z.boolean(),
  state: z.enum(['active', 'priority', 'shadowed', 'conflict', 'disabled']),
  conflictsWith: z.array(z.object({ plant: z.string(), subnet: strictCidrV4 })),
  /** The plant's devices inside this subnet (issue 8, additive): in `?devices=true` answers and in the answers to route choices. */
  devices: z.array(RouteDevice).optional(),
});
export type RouteView = z.infer<typeof RouteView>;

/**
 * What one gateway last reported about the caller's profile peer (issue 8): handshake and
 * byte counters as WireGuard counts them on that gateway (they restart with its interface).
 */
export const ProfileGatewayStatus = z.object({
  region: z.string(),
  gateway: z.string(),
  /** null: the gateway knows the peer but has seen no handshake. For an OpenVPN profile (no periodic handshake): when its client connected. */
  lastHandshakeAt: z.string().nullable(),
  rxBytes: z.number().int().nonnegative(),
  txBytes: z.number().int().nonnegative(),
  /** When the gateway sent the report these figures come from. */
  reportedAt: z.string(),
});
export type ProfileGatewayStatus = z.infer<typeof ProfileGatewayStatus>;

/**
 * `vpn routes --json` and `admin routes --json` print exactly the shape issue 2 fixed
 * (scripts depend on it): later additions to RouteView (e.g. `devices`, for the web UI)
 * stay out of it.
 */
export function routeContractJson(route: RouteView) {
  const { plant, plantId, organization, via, subnet, mapped, native, state, conflictsWith } = route;
  return { plant, plantId, organization, via, subnet, mapped, native, state, conflictsWith };
}

/** `GET /vpn/routes?devices=true`: each route with its devices (the web UI); without it the answer is the CLI's, unchanged. */
export const RoutesQuery = z.object({ devices: z.enum(['true', 'false'], { message: 'must be true or false' }).optional() }).strict();

export const RouteSelector = z
  .object({
    plant: z.string().trim().min(1, 'is required').max(401, 'must be at most 401 characters (Org/Plant)'),
    subnet: z.string().trim().min(1, 'is required').max(43, 'must be at most 43 characters'),
  })
  .strict();

export const AdminRouteReport = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  routes: z.array(RouteView),
  plants: z.array(
    z.object({
      plant: z.string(),
      plantId: z.string(),
      organization: z.string(),
      granted: z.boolean(),
      via: z.enum(['own', 'cooperation']).nullable(),
      rule: z.string(),
      rules: z.array(z.string()),
    }),
  ),
});

export const RegionCreateRequest = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (e.g. eu-central)'),
    /** Not trimmed: a value with a newline or a space is refused, not cleaned (issue 7 item 4). */
    endpoint: hostPort,
  })
  .strict();
/** Lax on purpose: an operator must be able to list (and remove) a region stored before endpoints were checked. */
export const RegionInfo = z.object({
  id: z.string(),
  name: z.string(),
  endpoint: z.string(),
  createdAt: z.string(),
  /** Issue 11: a drained region is left out of the service name's answers while another healthy one exists. */
  drainedAt: z.string().nullable(),
  /** At least one of its gateways reported within the status window (REGION_HEALTHY_WITHIN_SECONDS). */
  healthy: z.boolean(),
  liveGateways: z.number(),
  gateways: z.number(),
});

/** `GET /regions/:name/health` (no login: external GSLB / load-balancer checks): 200 with this, else 503. */
export const RegionHealthInfo = z.object({ region: z.string(), healthy: z.boolean(), drained: z.boolean(), liveGateways: z.number(), gateways: z.number() });

export const EventInfo = z.object({
  id: z.number(),
  at: z.string(),
  kind: z.string(),
  actor: z.string().nullable(),
  subject: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const FleetApplyRequest = z
  .object({
    document: z.unknown(),
    dryRun: z.boolean().default(false),
    /** Remove what the file lacks (also when the file says `complete: true`); otherwise nothing is removed. */
    prune: z.boolean().default(false),
    /** Remove plants (and organizations) even while daemons are enrolled on them; they are removed too. */
    force: z.boolean().default(false),
  })
  .strict();
export const FleetApplyResponse = z.object({
  changes: z.array(z.string()),
  /** Removals not made because the apply did not prune. */
  kept: z.array(z.string()),
  applied: z.boolean(),
  revision: z.number(),
});

/** A 204 answer: no body at all. */
export const NoContent = z.undefined();

export const TotpStarted = z.object({ secret: z.string(), uri: z.string() });

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    /** `line` and `directive`: an uploaded config's refusal names where (issue 9, D5). */
    problems: z.array(z.object({ field: z.string(), message: z.string(), line: z.number().optional(), directive: z.string().optional() })).optional(),
  }),
});
