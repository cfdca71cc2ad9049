import { randomUUID } from 'node:crypto';
import type { FleetModel } from '../../../core/fleet-model.ts';
import type { PlantId } from '../../../core/model.ts';
import { formatIpv4 } from '../../../core/net/ipv4.ts';
import type { EnrolResponse, EnrolmentInfo } from '../../../core/wire/daemon.ts';
import { mintToken, secretMatches, splitToken } from '../auth/tokens.ts';
import type { AppContext } from '../../context.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, conflict, notFound, unauthorized } from '../../http/errors.ts';
import { inTransaction } from '../../db/handle.ts';
import type { Db } from '../../db/handle.ts';
import { daemonOfPlant, daemonTunnelIps, insertDaemon, topDaemonTunnelIp } from '../daemons/store.ts';
import { regionByName, regionNameOf } from '../regions/store.ts';
import { claimEnrolmentToken, deleteUnusedEnrolment, enrolmentToken, insertEnrolmentToken, unusedEnrolment, unusedEnrolments } from './store.ts';

/**
 * Daemons join with a show-once enrolment token that an operator prints for one region
 * (gateway) or one plant (agent). Redeeming it is single use even under a race: the
 * `used_at is null` guard in the update lets exactly one redeemer through.
 */
export async function createEnrolment(
  ctx: AppContext,
  actorUserId: string,
  target: { kind: 'gateway'; region: string } | { kind: 'agent'; plant: string },
  expiresInMinutes: number,
) {
  let regionId: string | null = null;
  let plantId: string | null = null;
  let label: { region?: string; plant?: string } = {};
  if (target.kind === 'gateway') {
    const region = await regionByName(ctx.store.db, target.region);
    if (!region) throw notFound('region', `no region "${target.region}" (plantgate admin region list)`);
    regionId = region.id;
    label = { region: region.name };
  } else {
    const plant = findPlant(await ctx.fleet.current(), target.plant);
    const existing = await daemonOfPlant(ctx.store.db, plant.id);
    if (existing) throw conflict('agent-exists', `plant: ${target.plant} already has agent ${existing.name} (${existing.id}); remove it first (plantgate admin agent remove ${existing.id})`, 'plant');
    plantId = plant.id;
    label = { plant: plant.label };
  }
  const minted = mintToken('pge');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + expiresInMinutes * 60_000).toISOString();
  await inTransaction(ctx.store.db, async (trx) => {
    await insertEnrolmentToken(trx, {
      id: minted.id,
      kind: target.kind,
      secret_hash: minted.secretHash,
      region_id: regionId,
      plant_id: plantId,
      created_by: actorUserId,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      used_at: null,
    });
    await recordEvents(trx, now.toISOString(), [{ kind: 'enrolment.created', actorUserId, subjectUserId: null, details: { id: minted.id, kind: target.kind, ...label, expiresAt } }]);
  });
  return { id: minted.id, kind: target.kind, token: minted.token, expiresAt, ...label };
}

/** Enrolment tokens not redeemed yet (expired ones flagged), without their secrets. */
export async function listEnrolments(ctx: AppContext): Promise<EnrolmentInfo[]> {
  const model = await ctx.fleet.current();
  const now = ctx.now().toISOString();
  const rows = await unusedEnrolments(ctx.store.db);
  return rows.map((r) => {
    const plant = r.plant_id ? model.plants.get(r.plant_id as PlantId) : undefined;
    return {
      id: r.id,
      kind: r.kind,
      region: r.region ?? null,
      plant: plant ? `${model.organizations.get(plant.orgId)?.name}/${plant.name}` : null,
      createdBy: r.createdBy ?? null,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      expired: r.expires_at <= now,
    };
  });
}

/** Withdraws an unused enrolment token: redeeming it fails from now on. */
export async function revokeEnrolment(ctx: AppContext, actorUserId: string, id: string): Promise<void> {
  const now = ctx.now().toISOString();
  await inTransaction(ctx.store.db, async (trx) => {
    const row = await unusedEnrolment(trx, id);
    if (!row) throw notFound('id', `no unused enrolment token ${id} (plantgate admin enrol-token list)`);
    await deleteUnusedEnrolment(trx, id);
    await recordEvents(trx, now, [{ kind: 'enrolment.revoked', actorUserId, subjectUserId: null, details: { id, kind: row.kind } }]);
  });
}

export async function redeemEnrolment(ctx: AppContext, token: string, name: string | undefined): Promise<EnrolResponse> {
  const parts = splitToken(token, 'pge');
  if (!parts) throw unauthorized('invalid enrolment token');
  const now = ctx.now().toISOString();
  const { result } = await ctx.fleet.write(
    async (trx) => {
      const row = await enrolmentToken(trx, parts.id);
      if (!row || !secretMatches(parts.secret, row.secret_hash)) throw unauthorized('invalid enrolment token');
      if (row.used_at) throw unauthorized('enrolment token already used: ask an operator for a new one');
      if (row.expires_at <= now) throw unauthorized('enrolment token expired: ask an operator for a new one');
      if (!(await claimEnrolmentToken(trx, row.id, now))) throw unauthorized('enrolment token already used: ask an operator for a new one');
      if (row.kind === 'agent') {
        const existing = await daemonOfPlant(trx, row.plant_id as string);
        if (existing) throw conflict('agent-exists', 'this plant already has an agent; remove it first');
      }
      const tunnelIp = await allocateInfraIp(ctx, trx);
      const credential = mintToken('pgd');
      const id = randomUUID();
      const daemonName = name ?? `${row.kind}-${id.slice(0, 8)}`;
      await insertDaemon(trx, {
        id,
        kind: row.kind,
        name: daemonName,
        region_id: row.region_id,
        plant_id: row.plant_id,
        credential_id: credential.id,
        credential_hash: credential.secretHash,
        public_key: null,
        endpoint: null,
        tunnel_ip: formatIpv4(tunnelIp),
        tunnel_ip_num: tunnelIp,
        enrolled_at: now,
        last_seen_at: null,
        status: null,
      });
      const region = row.region_id ? { name: await regionNameOf(trx, row.region_id) } : undefined;
      await recordEvents(trx, now, [{ kind: 'daemon.enrolled', actorUserId: row.created_by, subjectUserId: null, details: { kind: row.kind, id, name: daemonName, region: region?.name ?? null, plantId: row.plant_id } }]);
      return { kind: row.kind, id, name: daemonName, credential: credential.token, region: region?.name ?? null, plantId: row.plant_id };
    },
    () => [],
  );
  return result;
}

/** Gateways and agents take addresses from the part of the tunnel range below the users'. */
async function allocateInfraIp(ctx: AppContext, trx: Db): Promise<number> {
  const { tunnelRange, serviceTunnelIp, firstUserIp } = ctx.addressing;
  const top = await topDaemonTunnelIp(trx);
  let next = Math.max(top === null ? serviceTunnelIp + 1 : top + 1, tunnelRange.start + 2);
  while (next % 256 === 0 || next % 256 === 255) next++;
  if (next < firstUserIp) return next;
  const used = await daemonTunnelIps(trx);
  for (let a = serviceTunnelIp + 1; a < firstUserIp; a++) if (a % 256 !== 0 && a % 256 !== 255 && !used.has(a)) return a;
  throw new ApiError(409, 'tunnel-range-exhausted', 'no address left for gateways and agents in the tunnel range');
}

/** A plant by id, name, or `Org/Plant` where names repeat. */
export function findPlant(model: FleetModel, selector: string): { id: PlantId; label: string } {
  const byId = model.plants.get(selector as PlantId);
  const label = (id: PlantId) => {
    const p = model.plants.get(id);
    return `${p ? model.organizations.get(p.orgId)?.name : '?'}/${p?.name}`;
  };
  if (byId) return { id: byId.id, label: label(byId.id) };
  const matches = [...model.plants.values()].filter((p) => p.name === selector || label(p.id) === selector);
  if (matches.length === 0) throw notFound('plant', `no plant "${selector}"`);
  if (matches.length > 1) {
    throw new ApiError(409, 'ambiguous', `plant: "${selector}" names several plants: ${matches.map((p) => label(p.id)).sort().join(', ')}; use Org/Plant or the id`, { field: 'plant' });
  }
  const plant = matches[0] as { id: PlantId };
  return { id: plant.id, label: label(plant.id) };
}
