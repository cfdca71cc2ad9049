import { randomUUID } from 'node:crypto';
import type { FleetModel } from '../../../core/fleet-model.ts';
import type { PlantId } from '../../../core/model.ts';
import { formatIpv4 } from '../../../core/net/ipv4.ts';
import type { EnrolResponse, EnrolmentInfo } from '../../../core/wire/daemon.ts';
import { mintToken, secretMatches, splitToken } from '../auth/tokens.ts';
import type { AppContext } from '../../context.ts';
import { recordEvents } from '../events/store.ts';
import { ApiError, conflict, notFound, unauthorized } from '../../http/errors.ts';

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
    const region = await ctx.store.db.selectFrom('regions').select(['id', 'name']).where('name', '=', target.region).executeTakeFirst();
    if (!region) throw notFound('region', `no region "${target.region}" (plantgate admin region list)`);
    regionId = region.id;
    label = { region: region.name };
  } else {
    const plant = findPlant(await ctx.fleet.current(), target.plant);
    const existing = await ctx.store.db.selectFrom('daemons').select(['id', 'name']).where('plant_id', '=', plant.id).executeTakeFirst();
    if (existing) throw conflict('agent-exists', `plant: ${target.plant} already has agent ${existing.name} (${existing.id}); remove it first (plantgate admin agent remove ${existing.id})`, 'plant');
    plantId = plant.id;
    label = { plant: plant.label };
  }
  const minted = mintToken('pge');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + expiresInMinutes * 60_000).toISOString();
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('enrolment_tokens')
      .values({ id: minted.id, kind: target.kind, secret_hash: minted.secretHash, region_id: regionId, plant_id: plantId, created_by: actorUserId, created_at: now.toISOString(), expires_at: expiresAt, used_at: null })
      .execute();
    await recordEvents(trx, now.toISOString(), [{ kind: 'enrolment.created', actorUserId, subjectUserId: null, details: { id: minted.id, kind: target.kind, ...label, expiresAt } }]);
  });
  return { id: minted.id, kind: target.kind, token: minted.token, expiresAt, ...label };
}

/** Enrolment tokens not redeemed yet (expired ones flagged), without their secrets. */
export async function listEnrolments(ctx: AppContext): Promise<EnrolmentInfo[]> {
  const model = await ctx.fleet.current();
  const now = ctx.now().toISOString();
  const rows = await ctx.store.db
    .selectFrom('enrolment_tokens')
    .leftJoin('regions', 'regions.id', 'enrolment_tokens.region_id')
    .leftJoin('users', 'users.id', 'enrolment_tokens.created_by')
    .select(['enrolment_tokens.id', 'enrolment_tokens.kind', 'enrolment_tokens.plant_id', 'enrolment_tokens.created_at', 'enrolment_tokens.expires_at', 'regions.name as region', 'users.email as createdBy'])
    .where('enrolment_tokens.used_at', 'is', null)
    .orderBy('enrolment_tokens.created_at')
    .execute();
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
  await ctx.store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('enrolment_tokens').select(['id', 'kind']).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
    if (!row) throw notFound('id', `no unused enrolment token ${id} (plantgate admin enrol-token list)`);
    await trx.deleteFrom('enrolment_tokens').where('id', '=', id).where('used_at', 'is', null).execute();
    await recordEvents(trx, now, [{ kind: 'enrolment.revoked', actorUserId, subjectUserId: null, details: { id, kind: row.kind } }]);
  });
}

export async function redeemEnrolment(ctx: AppContext, token: string, name: string | undefined): Promise<EnrolResponse> {
  const parts = splitToken(token, 'pge');
  if (!parts) throw unauthorized('invalid enrolment token');
  const now = ctx.now().toISOString();
  const { result } = await ctx.fleet.write(
    async (trx) => {
      const row = await trx.selectFrom('enrolment_tokens').selectAll().where('id', '=', parts.id).executeTakeFirst();
      if (!row || !secretMatches(parts.secret, row.secret_hash)) throw unauthorized('invalid enrolment token');
      if (row.used_at) throw unauthorized('enrolment token already used: ask an operator for a new one');
      if (row.expires_at <= now) throw unauthorized('enrolment token expired: ask an operator for a new one');
      const claimed = await trx.updateTable('enrolment_tokens').set({ used_at: now }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw unauthorized('enrolment token already used: ask an operator for a new one');
      if (row.kind === 'agent') {
        const existing = await trx.selectFrom('daemons').select('id').where('plant_id', '=', row.plant_id).executeTakeFirst();
        if (existing) throw conflict('agent-exists', 'this plant already has an agent; remove it first');
      }
      const tunnelIp = await allocateInfraIp(ctx, trx);
      const credential = mintToken('pgd');
      const id = randomUUID();
      const daemonName = name ?? `${row.kind}-${id.slice(0, 8)}`;
      await trx
        .insertInto('daemons')
        .values({
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
        })
        .execute();
      const region = row.region_id ? await trx.selectFrom('regions').select('name').where('id', '=', row.region_id).executeTakeFirst() : undefined;
      await recordEvents(trx, now, [{ kind: 'daemon.enrolled', actorUserId: row.created_by, subjectUserId: null, details: { kind: row.kind, id, name: daemonName, region: region?.name ?? null, plantId: row.plant_id } }]);
      return { kind: row.kind, id, name: daemonName, credential: credential.token, region: region?.name ?? null, plantId: row.plant_id };
    },
    () => [],
  );
  return result;
}

/** Gateways and agents take addresses from the part of the tunnel range below the users'. */
async function allocateInfraIp(ctx: AppContext, trx: Parameters<Parameters<AppContext['fleet']['write']>[0]>[0]): Promise<number> {
  const { tunnelRange, serviceTunnelIp, firstUserIp } = ctx.addressing;
  const row = await trx.selectFrom('daemons').select((eb) => eb.fn.max('tunnel_ip_num').as('top')).executeTakeFirst();
  let next = Math.max(row?.top == null ? serviceTunnelIp + 1 : Number(row.top) + 1, tunnelRange.start + 2);
  while (next % 256 === 0 || next % 256 === 255) next++;
  if (next < firstUserIp) return next;
  const used = new Set((await trx.selectFrom('daemons').select('tunnel_ip_num').execute()).map((r) => Number(r.tunnel_ip_num)));
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
