import type { Ipv4Prefix } from './net/ipv4.ts';

/**
 * The domain records the route engine works on. Defined here, not derived from the
 * database schema: storage maps rows into these shapes at its edge.
 */
export type Brand<T, B extends string> = T & { readonly __brand: B };
export type UserId = Brand<string, 'UserId'>;
export type OrgId = Brand<string, 'OrgId'>;
export type PlantId = Brand<string, 'PlantId'>;
export type SubnetId = Brand<string, 'SubnetId'>;
export type PortfolioId = Brand<string, 'PortfolioId'>;
export type CooperationId = Brand<string, 'CooperationId'>;
export type JobRoleId = Brand<string, 'JobRoleId'>;
export type ProfileId = Brand<string, 'ProfileId'>;
export type OrgVpnId = Brand<string, 'OrgVpnId'>;
export type OrgVpnClientId = Brand<string, 'OrgVpnClientId'>;

export const ORG_ROLES = ['admin', 'moderator', 'member', 'guest'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** Ordered from most to least privileged (SPEC Vocabulary). */
export const JOB_ROLES = ['operator', 'technical-manager', 'asset-manager', 'viewer'] as const;
export type JobRoleName = (typeof JOB_ROLES)[number];

export type User = { id: UserId; email: string; name: string; platformOperator: boolean };
export type Organization = { id: OrgId; name: string };
export type Membership = { orgId: OrgId; userId: UserId; role: OrgRole };
export type Plant = { id: PlantId; orgId: OrgId; name: string };
export type Subnet = {
  id: SubnetId;
  plantId: PlantId;
  /** The plant's native subnet. */
  prefix: Ipv4Prefix;
  /** Its unique alias in the mapped space, same length (SPEC P5). */
  mapped: Ipv4Prefix;
};
export type Portfolio = { id: PortfolioId; orgId: OrgId; name: string; plantIds: PlantId[] };

/** A job role on a plant or on a portfolio (inherited by its plants); cooperationId set when granted within a cooperation. */
export type JobRole = {
  id: JobRoleId;
  userId: UserId;
  target: { kind: 'plant'; plantId: PlantId } | { kind: 'portfolio'; portfolioId: PortfolioId };
  role: JobRoleName;
  cooperationId: CooperationId | null;
};

export type Cooperation = {
  id: CooperationId;
  ownerOrgId: OrgId;
  partnerOrgId: OrgId;
  plantIds: PlantId[];
  portfolioIds: PortfolioId[];
  active: boolean;
};

/** A user's choice for one plant subnet: the priority of its conflict group, or switched off. */
export type RoutePreference = {
  userId: UserId;
  subnetId: SubnetId;
  kind: 'priority' | 'disabled';
  /** Later choices win when two priorities come to overlap (e.g. a subnet was added). */
  seq: number;
  /** On a disabled route that was the priority: that choice's seq, restored when it is re-enabled (SPEC P6). */
  resumePrioritySeq?: number;
};

export type Profile = {
  id: ProfileId;
  userId: UserId;
  publicKey: string;
  tunnelIp: number;
};

export type SiteAgent = { publicKey: string; tunnelIp: number };

/**
 * An organization VPN (SPEC O1): a shared WireGuard service of one organization in one
 * region, with chosen plants routed through it for the whole team.
 */
export type OrgVpn = { id: OrgVpnId; orgId: OrgId; name: string; region: string; plantIds: PlantId[] };

/**
 * A client of an organization VPN: a *site* (an office or control-room router announcing the
 * organization's own networks, its "organization VPN routes") or a *device* (a shared team
 * machine). Only the public key is known to the platform.
 */
export type OrgVpnClient = {
  id: OrgVpnClientId;
  vpnId: OrgVpnId;
  name: string;
  kind: 'site' | 'device';
  publicKey: string;
  tunnelIp: number;
  /** A site's announced networks (empty for a device). */
  networks: Ipv4Prefix[];
};
