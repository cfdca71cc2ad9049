import { z } from 'zod';
import { JOB_ROLES, ORG_ROLES } from '../model.ts';
import { MAX_EMAIL, MAX_PASSWORD, NoContent } from './api.ts';
import { endpoint } from './endpoint.ts';
import { oneLine, strictCidrV4, strictIpv4 } from './formats.ts';
import { printableName } from './printable.ts';

/**
 * Wire types and endpoints of organization self-service (issue 8): an organization's
 * Admins and Moderators manage members, portfolios, plants (subnets, devices), job
 * roles and cooperations within SPEC S2; who may do what is src/core/permissions.ts.
 *
 * Path parameters name things the way people do: `:org` is an organization's id or
 * its exact name, `:plant` and `:portfolio` an id or the exact name within the
 * organization, `:user` a user id or email. Every change is applied to the stored
 * fleet exactly as a fleet apply of the organization's part would be (same validation,
 * same mapped-prefix allocation, same route and gateway fan-out) and recorded as an event.
 */

const name = printableName(200);
const email = z.email({ message: 'must be an email address' }).max(MAX_EMAIL, `must be at most ${MAX_EMAIL} characters`);
const orgRole = z.enum(ORG_ROLES, { message: `must be one of ${ORG_ROLES.join(', ')}` });
const jobRole = z.enum(JOB_ROLES, { message: `must be one of ${JOB_ROLES.join(', ')}` });
/** An id or a name of something inside the organization. */
const ref = z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters');

export const Named = z.object({ id: z.string(), name: oneLine });
export const UserRef = z.object({ id: z.string(), email: oneLine, name: oneLine });

// ---- organizations --------------------------------------------------------------------

export const OrgSummary = z.object({
  id: z.string(),
  name: oneLine,
  /** The caller's org role; null for a platform operator who is not a member. */
  myRole: orgRole.nullable(),
  members: z.number(),
  plants: z.number(),
  portfolios: z.number(),
  /** Active cooperations the organization owns, and those it is the partner of. */
  cooperationsOwned: z.number(),
  cooperationsAsPartner: z.number(),
});
export type OrgSummary = z.infer<typeof OrgSummary>;

// ---- members and invitations ------------------------------------------------------------

export const OrgMember = UserRef.extend({ role: orgRole, disabled: z.boolean() });
export type OrgMember = z.infer<typeof OrgMember>;
export const MemberRoleRequest = z.object({ role: orgRole }).strict();

export const InvitationRequest = z.object({ email, role: orgRole }).strict();
export const Invitation = z.object({
  id: z.string(),
  email: oneLine,
  role: orgRole,
  invitedBy: oneLine.nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
});
export type Invitation = z.infer<typeof Invitation>;
/** Shown once: the link carries the token after `#`, so it never reaches a server log. */
export const InvitationCreated = Invitation.extend({ token: z.string().regex(/^pgi_[A-Za-z0-9_-]+$/, 'must be an invitation token (pgi_…)'), link: oneLine });
export type InvitationCreated = z.infer<typeof InvitationCreated>;

const invitationToken = z
  .string()
  .trim()
  .regex(/^pgi_[A-Za-z0-9_-]{20,200}$/, 'must be the invitation token from the link (pgi_…)');
export const InvitationLookupRequest = z.object({ token: invitationToken }).strict();
export const InvitationLookup = z.object({
  organization: oneLine,
  email: oneLine,
  role: orgRole,
  expiresAt: z.string(),
  /** An account with this email exists: accepting needs its password; otherwise it is created. */
  accountExists: z.boolean(),
});
export const InvitationAcceptRequest = z
  .object({
    token: invitationToken,
    /** For a new account: the name to show (defaults to the email). */
    name: name.optional(),
    /** For a new account: its password (at least 8 characters); for an existing one: its current password. */
    password: z.string().min(1, 'is required').max(MAX_PASSWORD, `must be at most ${MAX_PASSWORD} characters`),
    /** For an existing account with a second factor. */
    totp: z.string().trim().max(64, 'must be at most 64 characters').optional(),
  })
  .strict();
export const InvitationAccepted = z.object({ organization: Named, role: orgRole, user: UserRef, accountCreated: z.boolean() });

// ---- plants, subnets, devices -------------------------------------------------------------

export const AgentLink = z.object({
  id: z.string(),
  name: oneLine,
  /** It long-polled or reported within the last minute. */
  connected: z.boolean(),
  lastSeenAt: z.string().nullable(),
});
export const PlantSubnet = z.object({ id: z.string(), cidr: strictCidrV4, mapped: strictCidrV4, devices: z.number() });
export const PlantDevice = z.object({
  id: z.string(),
  name: oneLine,
  ip: strictIpv4,
  kind: oneLine,
  ports: z.array(z.number()),
  /** The device's address in its subnet's mapped prefix (host part kept, SPEC P5); null when no subnet holds it. */
  mappedIp: strictIpv4.nullable(),
  subnet: strictCidrV4.nullable(),
});
export const PlantSummary = z.object({
  id: z.string(),
  name: oneLine,
  subnets: z.array(PlantSubnet),
  devices: z.number(),
  portfolios: z.array(Named),
  agent: AgentLink.nullable(),
});
export type PlantSummary = z.infer<typeof PlantSummary>;
export const PlantDetail = PlantSummary.extend({
  organization: Named,
  devicesList: z.array(PlantDevice),
  /** Partner organizations this plant is shared with (directly or through a portfolio). */
  sharedWith: z.array(Named),
});
export type PlantDetail = z.infer<typeof PlantDetail>;

export const PlantCreateRequest = z.object({ name, subnets: z.array(z.string().trim()).max(256, 'must list at most 256 subnets').default([]) }).strict();
export const PlantRenameRequest = z.object({ name }).strict();
export const SubnetAddRequest = z.object({ cidr: z.string().trim().min(1, 'is required').max(43, 'must be at most 43 characters') }).strict();
/** SPEC D8: removing a subnet with devices behind it is refused (409 `subnet-has-devices`, listing them) unless confirmed. */
export const SubnetRemoveQuery = z.object({ confirm: z.enum(['true', 'false']).optional() }).strict();
export const DeviceRequest = z
  .object({
    name,
    ip: z.string().trim().min(1, 'is required').max(15, 'must be at most 15 characters'),
    kind: printableName(60).default('device'),
    ports: z.array(z.number().int().min(1, 'must be 1–65535').max(65535, 'must be 1–65535')).max(64, 'must list at most 64 ports').default([]),
  })
  .strict();
/** Plant removal with an enrolled agent is refused (409 `plant-has-agent`) unless forced; the agent is removed with it. */
export const PlantRemoveQuery = z.object({ force: z.enum(['true', 'false']).optional() }).strict();

// ---- portfolios ---------------------------------------------------------------------------

export const PortfolioView = z.object({ id: z.string(), name: oneLine, plants: z.array(Named) });
export type PortfolioView = z.infer<typeof PortfolioView>;
export const PortfolioRequest = z.object({ name, plants: z.array(ref).max(10_000, 'must list at most 10000 plants').default([]) }).strict();

// ---- job roles -------------------------------------------------------------------------------

export const JobRoleTarget = z.object({ kind: z.enum(['plant', 'portfolio']), id: z.string(), name: oneLine });
export const JobRoleView = z.object({
  id: z.string(),
  user: UserRef,
  target: JobRoleTarget,
  role: jobRole,
  /** Set when granted within a cooperation (by the partner's Admin). */
  cooperationId: z.string().nullable(),
});
export type JobRoleView = z.infer<typeof JobRoleView>;
/** One of `plant` or `portfolio`; granting where the user already holds a role on that target replaces it. */
export const JobRoleRequest = z
  .object({ user: email, plant: ref.optional(), portfolio: ref.optional(), role: jobRole })
  .strict()
  .refine((v) => (v.plant === undefined) !== (v.portfolio === undefined), { message: 'name exactly one of plant or portfolio', path: ['plant'] });

// ---- cooperations ------------------------------------------------------------------------------

export const SharedPlant = Named.extend({ subnets: z.array(z.object({ cidr: strictCidrV4, mapped: strictCidrV4 })) });
export const CooperationView = z.object({
  id: z.string(),
  owner: Named,
  partner: Named,
  /** Which side the organization in the path is on. */
  side: z.enum(['owner', 'partner']),
  plants: z.array(SharedPlant),
  portfolios: z.array(Named.extend({ plants: z.array(Named) })),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  /** The job roles the partner's Admin assigned within the cooperation (visible to both sides). */
  jobRoles: z.array(JobRoleView),
});
export type CooperationView = z.infer<typeof CooperationView>;
export const CooperationOfferRequest = z
  .object({
    partner: name,
    plants: z.array(ref).max(10_000, 'must list at most 10000 plants').default([]),
    portfolios: z.array(ref).max(1000, 'must list at most 1000 portfolios').default([]),
  })
  .strict();
export const CooperationSharesRequest = CooperationOfferRequest.omit({ partner: true });
export const CooperationsQuery = z.object({ ended: z.enum(['true', 'false']).optional() }).strict();

// ---- explain access ----------------------------------------------------------------------------

export const ExplainQuery = z.object({ user: z.string().trim().min(1, 'is required').max(MAX_EMAIL), plant: ref }).strict();
export const AccessExplanation = z.object({
  user: UserRef,
  plant: Named.extend({ organization: Named }),
  /** The user reaches the plant's subnets through the personal VPN. */
  reaches: z.boolean(),
  via: z.enum(['own', 'cooperation']).nullable(),
  /** The rule that decided, e.g. "granted: operator" or "denied: guest". */
  decisive: oneLine,
  /** Each check in order, as a sentence an admin can act on. */
  steps: z.array(z.object({ ok: z.boolean(), text: oneLine })),
  /** The routes this plant gives the user now (empty when not reached), with their state. */
  routes: z.array(z.object({ subnet: strictCidrV4, mapped: strictCidrV4, state: z.string() })),
  /** Whether the user has an active personal VPN profile (without one, routes reach nothing). */
  hasActiveProfile: z.boolean(),
});
export type AccessExplanation = z.infer<typeof AccessExplanation>;

// ---- events ---------------------------------------------------------------------------------

export const EventsQuery = z
  .object({
    kind: z.string().trim().max(60).optional(),
    /** Email of the acting or affected user. */
    user: z.string().trim().max(MAX_EMAIL).optional(),
    /** Events with an id below this (the previous page's `nextBefore`). */
    before: z.coerce.number().int().positive('must be a positive event id').optional(),
    since: z.iso.datetime({ message: 'must be an ISO 8601 time (2026-01-31T12:00:00Z)' }).optional(),
    limit: z.coerce.number().int().min(1, 'must be 1–500').max(500, 'must be 1–500').default(50),
  })
  .strict();
export const EventPage = z.object({
  events: z.array(
    z.object({
      id: z.number(),
      at: z.string(),
      kind: z.string(),
      actor: z.string().nullable(),
      subject: z.string().nullable(),
      details: z.record(z.string(), z.unknown()),
    }),
  ),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: z.number().nullable(),
});

/** What an org change answers: the lines the fleet apply made, and the revision the gateways get. */
export const OrgChangeResult = z.object({ changes: z.array(z.string()), revision: z.number() });

// ---- the endpoints -------------------------------------------------------------------------------

export const orgApi = {
  organizations: endpoint({ method: 'GET', path: '/orgs', response: z.array(OrgSummary) }),
  organization: endpoint({ method: 'GET', path: '/orgs/:org', response: OrgSummary }),

  members: endpoint({ method: 'GET', path: '/orgs/:org/members', response: z.array(OrgMember) }),
  setMemberRole: endpoint({ method: 'PUT', path: '/orgs/:org/members/:user', body: MemberRoleRequest, response: OrgChangeResult }),
  removeMember: endpoint({ method: 'DELETE', path: '/orgs/:org/members/:user', response: OrgChangeResult }),
  invitations: endpoint({ method: 'GET', path: '/orgs/:org/invitations', response: z.array(Invitation) }),
  invite: endpoint({ method: 'POST', path: '/orgs/:org/invitations', body: InvitationRequest, response: InvitationCreated }),
  revokeInvitation: endpoint({ method: 'DELETE', path: '/orgs/:org/invitations/:id', response: NoContent }),
  lookupInvitation: endpoint({ method: 'POST', path: '/invitations/lookup', body: InvitationLookupRequest, response: InvitationLookup }),
  acceptInvitation: endpoint({ method: 'POST', path: '/invitations/accept', body: InvitationAcceptRequest, response: InvitationAccepted }),

  plants: endpoint({ method: 'GET', path: '/orgs/:org/plants', response: z.array(PlantSummary) }),
  plant: endpoint({ method: 'GET', path: '/orgs/:org/plants/:plant', response: PlantDetail }),
  createPlant: endpoint({ method: 'POST', path: '/orgs/:org/plants', body: PlantCreateRequest, response: OrgChangeResult }),
  renamePlant: endpoint({ method: 'PUT', path: '/orgs/:org/plants/:plant', body: PlantRenameRequest, response: OrgChangeResult }),
  removePlant: endpoint({ method: 'DELETE', path: '/orgs/:org/plants/:plant', query: PlantRemoveQuery, response: OrgChangeResult }),
  addSubnet: endpoint({ method: 'POST', path: '/orgs/:org/plants/:plant/subnets', body: SubnetAddRequest, response: OrgChangeResult }),
  /** `:subnet` is the subnet's id or its CIDR. */
  removeSubnet: endpoint({ method: 'DELETE', path: '/orgs/:org/plants/:plant/subnets/:subnet', query: SubnetRemoveQuery, response: OrgChangeResult }),
  addDevice: endpoint({ method: 'POST', path: '/orgs/:org/plants/:plant/devices', body: DeviceRequest, response: OrgChangeResult }),
  /** `:device` is the device's id or name. */
  updateDevice: endpoint({ method: 'PUT', path: '/orgs/:org/plants/:plant/devices/:device', body: DeviceRequest, response: OrgChangeResult }),
  removeDevice: endpoint({ method: 'DELETE', path: '/orgs/:org/plants/:plant/devices/:device', response: OrgChangeResult }),

  portfolios: endpoint({ method: 'GET', path: '/orgs/:org/portfolios', response: z.array(PortfolioView) }),
  createPortfolio: endpoint({ method: 'POST', path: '/orgs/:org/portfolios', body: PortfolioRequest, response: OrgChangeResult }),
  /** Renames and sets the plant list. */
  updatePortfolio: endpoint({ method: 'PUT', path: '/orgs/:org/portfolios/:portfolio', body: PortfolioRequest, response: OrgChangeResult }),
  removePortfolio: endpoint({ method: 'DELETE', path: '/orgs/:org/portfolios/:portfolio', response: OrgChangeResult }),

  jobRoles: endpoint({ method: 'GET', path: '/orgs/:org/job-roles', response: z.array(JobRoleView) }),
  grantJobRole: endpoint({ method: 'POST', path: '/orgs/:org/job-roles', body: JobRoleRequest, response: OrgChangeResult }),
  removeJobRole: endpoint({ method: 'DELETE', path: '/orgs/:org/job-roles/:id', response: OrgChangeResult }),

  /** Owned and partnered cooperations of `:org`; `?ended=true` includes ended ones. */
  cooperations: endpoint({ method: 'GET', path: '/orgs/:org/cooperations', query: CooperationsQuery, response: z.array(CooperationView) }),
  offerCooperation: endpoint({ method: 'POST', path: '/orgs/:org/cooperations', body: CooperationOfferRequest, response: OrgChangeResult }),
  setCooperationShares: endpoint({ method: 'PUT', path: '/orgs/:org/cooperations/:id', body: CooperationSharesRequest, response: OrgChangeResult }),
  endCooperation: endpoint({ method: 'POST', path: '/orgs/:org/cooperations/:id/end', response: OrgChangeResult }),
  /** `:org` is the partner organization; the user must be its member; the target must be shared. */
  grantCooperationJobRole: endpoint({ method: 'POST', path: '/orgs/:org/cooperations/:id/job-roles', body: JobRoleRequest, response: OrgChangeResult }),
  removeCooperationJobRole: endpoint({ method: 'DELETE', path: '/orgs/:org/cooperations/:id/job-roles/:jobRole', response: OrgChangeResult }),

  explainAccess: endpoint({ method: 'GET', path: '/orgs/:org/explain', query: ExplainQuery, response: AccessExplanation }),
  events: endpoint({ method: 'GET', path: '/orgs/:org/events', query: EventsQuery, response: EventPage }),
} as const;
