import { randomUUID } from 'node:crypto';
import type { ProfileId, UserId } from '../../../core/model.ts';
import { formatCidr, formatIpv4, prefixEnd } from '../../../core/net/ipv4.ts';
import { effectiveRoutes } from '../../../core/routes/effective.ts';
import type { ProfileConfigParts, ProfileInfo } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, conflict, notFound } from '../../http/errors.ts';
import type { Db } from '../../db/handle.ts';
import { anyRegion, regionEndpoints } from '../regions/store.ts';
import { claimWireGuardKey } from './key-registry.ts';
import { type ProfileRow, activeProfileOf, activeTunnelIps, insertProfile, markProfileRevoked, rotateProfileKey, topTunnelIp } from './store.ts';

/** SPEC P1: one personal profile per user; the platform only ever sees the public key. */
export async function issueProfile(ctx: AppContext, userId: string, publicKey: string): Promise<ProfileConfigParts> {
  await requireRegion(ctx);
  const now = ctx.now().toISOString();
  const { result: row } = await ctx.fleet.write(
    async (trx) => {
      const existing = await activeProfileOf(trx, userId);
      if (existing) throw conflict('profile-exists', 'you already have a personal VPN profile; rotate instead (plantgate vpn rotate)');
      const id = randomUUID();
      await claimWireGuardKey(trx, publicKey, { owner: 'profile', profileId: id }, { field: 'publicKey', servicePublicKey: ctx.servicePublicKey, now });
      const tunnelIp = await allocateTunnelIp(ctx, trx);
      const profile: ProfileRow = {
        id,
        user_id: userId,
        kind: 'wireguard',
        public_key: publicKey,
        tunnel_ip: formatIpv4(tunnelIp),
        tunnel_ip_num: tunnelIp,
        status: 'active',
        created_at: now,
        rotated_at: null,
        revoked_at: null,
      };
      await insertProfile(trx, profile);
      await recordEvents(trx, now, [{ kind: 'profile.issued', actorUserId: userId, subjectUserId: userId, details: { profileId: profile.id, tunnelIp: profile.tunnel_ip, publicKey } }]);
      return profile;
    },
    (model, profile) => model.setProfile(userId as UserId, modelProfile(profile)),
  );
  return configParts(ctx, row);
}

/** SPEC P2: new key, same identity, tunnel IP and preferences; the old key stops at the next sync. */
export async function rotateProfile(ctx: AppContext, userId: string, publicKey: string): Promise<ProfileConfigParts> {
  await requireRegion(ctx);
  const now = ctx.now().toISOString();
  const { result: row } = await ctx.fleet.write(
    async (trx) => {
      const existing = await activeProfileOf(trx, userId);
      if (!existing) throw notFound('profile', 'you have no active personal VPN profile: issue one first (plantgate vpn issue)');
      if (existing.public_key === publicKey) throw new ApiError(400, 'invalid', 'publicKey: is the current key; rotation needs a new key pair', { field: 'publicKey' });
      await claimWireGuardKey(trx, publicKey, { owner: 'profile', profileId: existing.id }, { field: 'publicKey', servicePublicKey: ctx.servicePublicKey, now });
      await rotateProfileKey(trx, { id: existing.id, oldPublicKey: existing.public_key }, publicKey, now);
      await recordEvents(trx, now, [
        { kind: 'profile.rotated', actorUserId: userId, subjectUserId: userId, details: { profileId: existing.id, oldPublicKey: existing.public_key, publicKey } },
      ]);
      return { ...existing, public_key: publicKey, rotated_at: now };
    },
    (model, profile) => model.setProfile(userId as UserId, modelProfile(profile)),
  );
  return configParts(ctx, row);
}

/** SPEC P3: the peer leaves every gateway; the record stays for the audit trail. */
export async function revokeProfile(ctx: AppContext, actorUserId: string, userId: string): Promise<ProfileInfo> {
  const now = ctx.now().toISOString();
  const { result } = await ctx.fleet.write(
    async (trx) => {
      const existing = await activeProfileOf(trx, userId);
      if (!existing) throw notFound('profile', 'there is no active personal VPN profile to revoke');
      await markProfileRevoked(trx, existing.id, now);
      await recordEvents(trx, now, [{ kind: 'profile.revoked', actorUserId, subjectUserId: userId, details: { profileId: existing.id, tunnelIp: existing.tunnel_ip } }]);
      return { ...existing, status: 'revoked' as const, revoked_at: now };
    },
    (model) => model.setProfile(userId as UserId, null),
  );
  return profileInfo(result);
}

/** The caller's active profile and what its config file holds; 404 naming `profile` when there is none. */
export async function currentProfile(ctx: AppContext, userId: string): Promise<ProfileConfigParts> {
  const row = await activeProfileOf(ctx.store.db, userId);
  if (!row) throw notFound('profile', 'you have no active personal VPN profile: issue one with plantgate vpn issue');
  return configParts(ctx, row);
}

export function profileInfo(row: ProfileRow): ProfileInfo {
  return {
    id: row.id,
    kind: 'wireguard',
    status: row.status,
    publicKey: row.public_key,
    tunnelIp: row.tunnel_ip,
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
    revokedAt: row.revoked_at,
  };
}

async function configParts(ctx: AppContext, row: ProfileRow): Promise<ProfileConfigParts> {
  const regions = await regionEndpoints(ctx.store.db);
  const model = await ctx.fleet.current();
  const native = effectiveRoutes(model, row.user_id as UserId)
    .filter((r) => r.native)
    .map((r) => formatCidr(r.prefix));
  return {
    profile: profileInfo(row),
    servicePublicKey: ctx.servicePublicKey,
    regions,
    allowedIps: [formatCidr(ctx.addressing.mappedSpace), ...native],
    serviceEndpoint: ctx.serviceName ? serviceEndpoint(ctx.serviceName, regions) : null,
  };
}

/**
 * `<service-name>:<port>` (issue 11): every region's gateways listen on the same user port
 * (gateway `--user-port`, default 51820); the port is the one most regions' endpoints name.
 */
export function serviceEndpoint(serviceName: string, regions: Array<{ endpoint: string }>): string {
  const counts = new Map<string, number>();
  for (const r of regions) {
    const port = /:(\d+)$/.exec(r.endpoint)?.[1];
    if (port) counts.set(port, (counts.get(port) ?? 0) + 1);
  }
  const port = [...counts].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]))[0]?.[0] ?? '51820';
  return `${serviceName}:${port}`;
}

async function requireRegion(ctx: AppContext): Promise<void> {
  if (!(await anyRegion(ctx.store.db))) throw conflict('no-region', 'no region is configured yet: a platform operator must add one (plantgate admin region add NAME --endpoint HOST:PORT)');
}

/** Lowest address above every one handed out so far; tunnel IPs are not reused while the range lasts, so audit records stay unambiguous. */
export async function allocateTunnelIp(ctx: AppContext, trx: Db): Promise<number> {
  const { firstUserIp, tunnelRange } = ctx.addressing;
  const last = prefixEnd(tunnelRange) - 1; // keep the broadcast-looking top address out
  const top = (await topTunnelIp(trx)) ?? firstUserIp - 1;
  const next = skipRoundAddresses(Math.max(top + 1, firstUserIp));
  if (next <= last) return next;
  // The range is used up once: reuse the lowest address no active profile holds.
  const active = await activeTunnelIps(trx);
  let candidate = firstUserIp;
  candidate = skipRoundAddresses(candidate);
  for (const ip of active) {
    if (ip > candidate) break;
    candidate = skipRoundAddresses(ip + 1);
  }
  if (candidate > last) throw new ApiError(409, 'tunnel-range-exhausted', `the tunnel range ${formatCidr(tunnelRange)} has no free address left`);
  return candidate;
}

/** Addresses ending in .0 or .255 confuse people and some client UIs; they are skipped. */
function skipRoundAddresses(address: number): number {
  let a = address;
  while (a % 256 === 0 || a % 256 === 255) a++;
  return a;
}

function modelProfile(row: ProfileRow) {
  return { id: row.id as ProfileId, userId: row.user_id as UserId, publicKey: row.public_key, tunnelIp: row.tunnel_ip_num };
}
