import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FleetModel } from '../../../core/fleet-model.ts';
import type { Plant, PlantId, UserId } from '../../../core/model.ts';
import { mayOnPlant, plantStanding } from '../../../core/permissions.ts';
import { grantedPlants } from '../../../core/routes/access.ts';
import { GRANT_TTL_MS, grantUrl, hostLabel, sessionExpiry } from '../../../core/proxy/web-target.ts';
import { defaultWebPort, type WebTargetCreateRequest, type WebTargetOpened, type WebTargetUpdateRequest, type WebTargetView } from '../../../core/wire/proxy.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';
import { type PlantScope, plantScope, relatedPlant } from '../direct-vpn/plant-scope.ts';
import { type NewEvent, recordEvents } from '../events/store.ts';
import { closedEvent } from './section.ts';
import {
  type DeviceRow,
  type WebTargetWithDevice,
  closeSessions,
  deleteTarget,
  devicesOfPlant,
  hostTaken,
  insertSession,
  insertTarget,
  openSessionsOnRevokedTokens,
  pruneEndedSessions,
  openSessionsOfTargets,
  targetByIdOrHost,
  targetsOfPlants,
  tokenExpiry,
  updateTarget,
} from './store.ts';

/**
 * Browser proxy, control plane (issue 12, docs/browser-proxy.md): web targets per plant,
 * managed by the plant's operator organization (`web-target.manage`), listed and opened by
 * users who may reach the plant under SPEC P4 (`grantedPlants`, the personal VPN's rule).
 * Every write goes through `ctx.fleet.write`: the gateways' document moves with it.
 */

/** How long the rows of ended proxy sessions are kept (their events are the record). */
const ENDED_KEPT_MS = 7 * 86_400_000;

/** What anyone who may not open (or see) a target gets: the answer of a target that does not exist. */
function targetNotFound(): ApiError {
  return new ApiError(404, 'not-found', 'target: no such web target, or you may not open it', { field: 'target' });
}

export function proxySettings(ctx: AppContext): { enabled: boolean; domain: string | null; port: number } {
  return { enabled: ctx.proxy !== null, domain: ctx.proxy?.domain ?? null, port: ctx.proxy?.port ?? 443 };
}

function viewOf(model: FleetModel, caller: Caller, t: WebTargetWithDevice, granted: ReadonlyMap<PlantId, unknown>): WebTargetView {
  const plant = model.plants.get(t.plant_id as PlantId);
  const standing = plantStanding(model, caller.userId as UserId, caller.platformOperator, t.plant_id as PlantId);
  return {
    id: t.id,
    host: t.host,
    name: t.name,
    label: t.name ?? t.device_name,
    plantId: t.plant_id,
    plant: plant?.name ?? t.plant_id,
    organizationId: plant?.orgId ?? '',
    deviceId: t.device_id,
    device: t.device_name,
    deviceIp: t.device_ip,
    scheme: t.scheme,
    port: t.port,
    path: t.path,
    canOpen: granted.has(t.plant_id as PlantId),
    canManage: mayOnPlant(standing, 'web-target.manage'),
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}

/** A plant's targets: for its managers and for users who may reach it; anyone else related to the plant 403, strangers 404. */
export async function listTargets(ctx: AppContext, caller: Caller, plantRef: string): Promise<WebTargetView[]> {
  const scope = await relatedPlant(ctx, caller, plantRef);
  const granted = grantedPlants(scope.model, caller.userId as UserId);
  if (!granted.has(scope.plant.id) && !mayOnPlant(scope.standing, 'web-target.manage')) {
    throw new ApiError(403, 'forbidden', `web targets of plant ${scope.plant.name}: only users who may reach the plant (Operator or Technical Manager job role) and its managers see them`);
  }
  const rows = await targetsOfPlants(ctx.store.db, [scope.plant.id]);
  return rows.map((t) => viewOf(scope.model, caller, t, granted));
}

/** Every target the caller may open (SPEC P4), over all plants. */
export async function myTargets(ctx: AppContext, caller: Caller): Promise<WebTargetView[]> {
  const model = await ctx.fleet.current();
  const granted = grantedPlants(model, caller.userId as UserId);
  const rows = await targetsOfPlants(ctx.store.db, [...granted.keys()]);
  return rows.map((t) => viewOf(model, caller, t, granted));
}

function resolveDevice(devices: readonly DeviceRow[], plant: Plant, ref: string): DeviceRow {
  const found = devices.find((d) => d.id === ref) ?? devices.find((d) => d.name === ref) ?? devices.find((d) => d.ip === ref);
  if (!found) throw badRequest('device', `plant ${plant.name} has no network device "${ref}" (name, id or IP address; add it first: plantgate org device add)`);
  return found;
}

function targetOfPlant(rows: readonly WebTargetWithDevice[], plant: Plant, ref: string): WebTargetWithDevice {
  const byName = rows.filter((t) => (t.name ?? t.device_name) === ref);
  const found = rows.find((t) => t.id === ref || t.host === ref) ?? (byName.length === 1 ? byName[0] : undefined);
  if (byName.length > 1 && !rows.some((t) => t.id === ref || t.host === ref)) {
    throw conflict('target-ambiguous', `target: plant ${plant.name} has ${byName.length} targets named "${ref}": name it by id or host (${byName.map((t) => t.host).join(', ')})`, 'target');
  }
  if (!found) throw new ApiError(404, 'not-found', `target: plant ${plant.name} has no web target "${ref}"`, { field: 'target' });
  return found;
}

function targetEvent(kind: 'web-target.created' | 'web-target.changed' | 'web-target.removed', scope: PlantScope, t: Pick<WebTargetWithDevice, 'id' | 'host' | 'name' | 'device_name' | 'device_ip' | 'scheme' | 'port' | 'path'>, extra: Record<string, unknown> = {}): NewEvent {
  return {
    kind,
    actorUserId: scope.caller.userId,
    subjectUserId: null,
    orgId: scope.plant.orgId,
    details: {
      plant: scope.plant.name,
      plantId: scope.plant.id,
      target: t.id,
      host: t.host,
      name: t.name,
      device: t.device_name,
      deviceIp: t.device_ip,
      url: `${t.scheme}://${t.device_ip}:${t.port}${t.path}`,
      ...extra,
    },
  };
}

export async function createTarget(ctx: AppContext, caller: Caller, plantRef: string, body: WebTargetCreateRequest): Promise<{ target: WebTargetView; revision: number }> {
  const scope = await plantScope(ctx, caller, plantRef, 'web-target.manage');
  const now = ctx.now().toISOString();
  const { result, model } = await ctx.fleet.write(
    async (trx) => {
      const device = resolveDevice(await devicesOfPlant(trx, scope.plant.id), scope.plant, body.device);
      let host = hostLabel(randomBytes(16));
      // 36^12 labels: a clash is a once-in-forever event, but a unique column must not fail a user's request.
      for (let i = 0; i < 3 && (await hostTaken(trx, host)); i++) host = hostLabel(randomBytes(16));
      const row = {
        id: randomUUID(),
        plant_id: scope.plant.id,
        device_id: device.id,
        host,
        name: body.name ?? null,
        scheme: body.scheme,
        port: body.port ?? defaultWebPort(body.scheme),
        path: body.path,
        created_by: caller.userId,
        created_at: now,
        updated_at: now,
      };
      await insertTarget(trx, row);
      const withDevice: WebTargetWithDevice = { ...row, device_name: device.name, device_ip: device.ip };
      await recordEvents(trx, now, [targetEvent('web-target.created', scope, withDevice)]);
      return withDevice;
    },
    () => [],
  );
  return { target: viewOf(model, caller, result, grantedPlants(model, caller.userId as UserId)), revision: ctx.fleet.currentRevision() };
}

export async function changeTarget(ctx: AppContext, caller: Caller, plantRef: string, ref: string, body: WebTargetUpdateRequest): Promise<{ target: WebTargetView; revision: number }> {
  const scope = await plantScope(ctx, caller, plantRef, 'web-target.manage');
  const now = ctx.now().toISOString();
  const { result, model } = await ctx.fleet.write(
    async (trx) => {
      const current = targetOfPlant(await targetsOfPlants(trx, [scope.plant.id]), scope.plant, ref);
      const device = body.device === undefined ? { id: current.device_id, name: current.device_name, ip: current.device_ip } : resolveDevice(await devicesOfPlant(trx, scope.plant.id), scope.plant, body.device);
      const scheme = body.scheme ?? current.scheme;
      // A new scheme without a port moves a default port with it (http 80 → https 443).
      const port = body.port ?? (body.scheme !== undefined && current.port === defaultWebPort(current.scheme) ? defaultWebPort(scheme) : current.port);
      const next: WebTargetWithDevice = {
        ...current,
        device_id: device.id,
        device_name: device.name,
        device_ip: device.ip,
        scheme,
        port,
        path: body.path ?? current.path,
        name: body.name === undefined ? current.name : body.name,
        updated_at: now,
      };
      const changed = (['device_id', 'scheme', 'port', 'path', 'name'] as const).filter((k) => next[k] !== current[k]);
      if (changed.length === 0) return next;
      await updateTarget(trx, current.id, { device_id: next.device_id, scheme: next.scheme, port: next.port, path: next.path, name: next.name, updated_at: now });
      const events: NewEvent[] = [targetEvent('web-target.changed', scope, next, { changed: changed.map((k) => (k === 'device_id' ? 'device' : k)) })];
      // Where the target leads changed: sessions opened for the old address end (a grant names what the user chose to open).
      if (changed.some((k) => k !== 'name')) events.push(...(await closeTargetSessions(trx, now, [current.id], scope, 'target changed')));
      await recordEvents(trx, now, events);
      return next;
    },
    () => [],
  );
  return { target: viewOf(model, caller, result, grantedPlants(model, caller.userId as UserId)), revision: ctx.fleet.currentRevision() };
}

export async function removeTarget(ctx: AppContext, caller: Caller, plantRef: string, ref: string): Promise<{ target: null; revision: number }> {
  const scope = await plantScope(ctx, caller, plantRef, 'web-target.manage');
  const now = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      const current = targetOfPlant(await targetsOfPlants(trx, [scope.plant.id]), scope.plant, ref);
      const events = [targetEvent('web-target.removed', scope, current), ...(await closeTargetSessions(trx, now, [current.id], scope, 'target removed'))];
      await recordEvents(trx, now, events);
      await deleteTarget(trx, current.id);
    },
    () => [],
  );
  return { target: null, revision: ctx.fleet.currentRevision() };
}

async function closeTargetSessions(trx: Parameters<typeof closeSessions>[0], now: string, targetIds: string[], scope: PlantScope, reason: string): Promise<NewEvent[]> {
  const open = await openSessionsOfTargets(trx, now, targetIds);
  await closeSessions(
    trx,
    open.map((s) => s.id),
    now,
    reason,
  );
  return open.map((s) => closedEvent(s.id, s.userId, s.userEmail, scope.plant.id, scope.plant.orgId, s.targetId, reason, scope.caller.userId));
}

/**
 * A one-time grant for one target (docs/browser-proxy.md "Opening"): P4 checked now, the
 * session bound to the caller's platform session (API token), only the grant's SHA-256 stored.
 * Whoever may not open the target — another organization's, a plant the caller does not reach
 * — gets the 404 of a target that does not exist.
 */
export async function openTarget(ctx: AppContext, caller: Caller, ref: string): Promise<WebTargetOpened> {
  const config = ctx.proxy;
  const model = await ctx.fleet.current();
  const target = await targetByIdOrHost(ctx.store.db, ref);
  const granted = grantedPlants(model, caller.userId as UserId);
  if (!target || !granted.has(target.plant_id as PlantId)) throw targetNotFound();
  if (!config) throw conflict('proxy-off', 'the browser proxy is not configured on this server (plantgate server --proxy-domain DOMAIN)');
  const plant = model.plants.get(target.plant_id as PlantId) as Plant;
  const now = ctx.now();
  const token = await tokenExpiry(ctx.store.db, caller.tokenId);
  const expiresMs = sessionExpiry(now.getTime(), token?.expires_at ?? null);
  if (!token || token.revoked_at !== null || expiresMs <= now.getTime()) throw new ApiError(401, 'unauthorized', 'your session ended: log in again');
  const grant = randomBytes(32).toString('base64url');
  const row = {
    id: randomUUID(),
    target_id: target.id,
    user_id: caller.userId,
    token_id: caller.tokenId,
    grant_hash: createHash('sha256').update(grant).digest('hex'),
    grant_expires_at: new Date(now.getTime() + GRANT_TTL_MS).toISOString(),
    opened_at: now.toISOString(),
    expires_at: new Date(expiresMs).toISOString(),
    closed_at: null,
    close_reason: null,
  };
  const { model: after } = await ctx.fleet.write(
    async (trx) => {
      // Ended sessions leave the table after a while (the opened/closed events stay): it holds what may still be open.
      await pruneEndedSessions(trx, new Date(now.getTime() - ENDED_KEPT_MS).toISOString());
      await insertSession(trx, row);
      await recordEvents(trx, row.opened_at, [
        {
          kind: 'proxy-session.opened',
          actorUserId: caller.userId,
          subjectUserId: caller.userId,
          orgId: plant.orgId,
          details: { session: row.id, user: caller.email, plant: plant.name, plantId: plant.id, target: target.id, host: target.host, device: target.device_name, deviceIp: target.device_ip, expiresAt: row.expires_at },
        },
      ]);
    },
    () => [],
  );
  return {
    url: grantUrl(target.host, config.domain, config.port, grant),
    grantExpiresAt: row.grant_expires_at,
    expiresAt: row.expires_at,
    sessionId: row.id,
    target: viewOf(after, caller, target, grantedPlants(after, caller.userId as UserId)),
  };
}

/**
 * Logout, token revocation, password change or reset, disabling: the proxy sessions opened in
 * a platform session that ended are closed (recorded with the reason), in a fleet write so the
 * gateways' next document drops them. Nothing open: no write.
 */
export async function closeSessionsOfEndedTokens(ctx: AppContext, userId: string, reason: string, actorUserId: string | null): Promise<void> {
  const now = ctx.now().toISOString();
  if ((await openSessionsOnRevokedTokens(ctx.store.db, now, userId)).length === 0) return;
  const model = await ctx.fleet.current();
  await ctx.fleet.write(
    async (trx) => {
      const open = await openSessionsOnRevokedTokens(trx, now, userId);
      await closeSessions(
        trx,
        open.map((s) => s.id),
        now,
        reason,
      );
      await recordEvents(
        trx,
        now,
        open.map((s) => closedEvent(s.id, s.userId, s.userEmail, s.plantId, model.plants.get(s.plantId as PlantId)?.orgId ?? null, s.targetId, reason, actorUserId)),
      );
    },
    () => [],
  );
}
