import type { z } from 'zod';
import type { DirectVpnChange, DirectVpnClientViewWire, DirectVpnDiagnosis, DirectVpnLogs, DirectVpnViewWire } from '../../../core/wire/direct-vpn.ts';
import type { AppContext } from '../../context.ts';
import { conflict } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';
import { recordEvents } from '../events/store.ts';
import { type LiveEntry, entryOfRow } from './live-buffer.ts';
import { directVpnPlants, liveRowsOf } from './live-store.ts';
import { plantScope } from './plant-scope.ts';
import { viewOf, vpnOf } from './service.ts';
import { bumpRestartGeneration, type DirectVpnClientRow, type DirectVpnRow, directVpnsOfPlant } from './store.ts';

/**
 * D7 reads and actions on a running direct VPN: its live state (from the agent's latest
 * report), recent logs, diagnose results, and restart. A report older than STALE_SECONDS
 * means the agent stopped reporting: the state is then `unknown`, not what it last said.
 */
export type LiveView = NonNullable<DirectVpnViewWire['live']>;

export const STALE_SECONDS = 90;

/** Every direct VPN id → its plant, read once per revision: which agent may report which VPN. */
export async function directVpnPlantsMemo(ctx: AppContext): Promise<Map<string, string>> {
  return (await ctx.fleet.memo('direct-vpn-plants', () => directVpnPlants(ctx.store.db))) ?? new Map();
}

/** The newest entry of each row: this process's buffer or the stored row (another replica's, or before a restart). */
export async function liveEntries(ctx: AppContext, rows: DirectVpnRow[]): Promise<Map<string, LiveEntry>> {
  const stored = new Map((await liveRowsOf(ctx.store.db, rows.map((r) => r.id))).map((r) => [r.direct_vpn_id, entryOfRow(r)]));
  const out = new Map<string, LiveEntry>();
  for (const row of rows) {
    const buffered = ctx.daemonStatus.directVpns.latestOf(row.id);
    const kept = stored.get(row.id);
    const newest = buffered && (!kept || buffered.reportedAt >= kept.reportedAt) ? buffered : kept;
    if (newest) out.set(row.id, newest);
  }
  return out;
}

export function liveView(row: DirectVpnRow, entry: LiveEntry | undefined, nowMs: number): LiveView {
  if (row.enabled !== 1) return { state: 'disabled', since: row.updated_at, bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0, reportedAt: entry?.reportedAt ?? null };
  if (!entry) return { state: 'unknown', since: null, bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0, reportedAt: null };
  // reported before the VPN was last changed (enabled again, edited): not about this tunnel
  const stale = nowMs - Date.parse(entry.reportedAt) > STALE_SECONDS * 1000 || entry.reportedAt < row.updated_at;
  if (stale) return { state: 'unknown', since: null, bytesIn: entry.bytesIn, bytesOut: entry.bytesOut, rateIn: 0, rateOut: 0, reportedAt: entry.reportedAt };
  return { state: entry.state, since: entry.since, bytesIn: entry.bytesIn, bytesOut: entry.bytesOut, rateIn: entry.rateIn, rateOut: entry.rateOut, reportedAt: entry.reportedAt };
}

/** The views of a plant's rows with their live state (one query for all of them). */
export async function viewsWithLive(
  ctx: AppContext,
  scope: Parameters<typeof viewOf>[0],
  rows: DirectVpnRow[],
  clientCounts: ReadonlyMap<string, number> = new Map(),
): Promise<DirectVpnViewWire[]> {
  const entries = await liveEntries(ctx, rows);
  const nowMs = ctx.now().getTime();
  return rows.map((row) => ({ ...viewOf(scope, row, clientCounts.get(row.id) ?? 0), live: liveView(row, entries.get(row.id), nowMs) }));
}

export async function directVpnLogs(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string): Promise<z.input<typeof DirectVpnLogs>> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.view');
  const row = vpnOf(scope, await directVpnsOfPlant(ctx.store.db, scope.plant.id), vpnRef);
  const entry = (await liveEntries(ctx, [row])).get(row.id);
  return { lines: entry?.logs ?? [], reportedAt: entry?.reportedAt ?? null };
}

/** D7 diagnose: the agent runs the checks while the tunnel is not connected (at most every 30 s); here the latest. */
export async function diagnoseDirectVpn(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string): Promise<z.input<typeof DirectVpnDiagnosis>> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.view');
  const row = vpnOf(scope, await directVpnsOfPlant(ctx.store.db, scope.plant.id), vpnRef);
  const entry = (await liveEntries(ctx, [row])).get(row.id);
  const live = liveView(row, entry, ctx.now().getTime());
  const checks = [...(live.state === 'connected' || live.state === 'disabled' ? [] : (entry?.checks ?? []))];
  if (live.state === 'disabled') checks.push({ check: 'enabled', ok: false, detail: `direct VPN ${row.name} is disabled`, fix: 'enable it (site-vpn enable)' });
  if (live.state === 'unknown') {
    checks.unshift({
      check: 'agent-reporting',
      ok: false,
      detail: live.reportedAt ? `the plant's agent last reported this tunnel at ${live.reportedAt}` : "the plant's agent has not reported this tunnel yet",
      fix: "check that the plant's agent runs and reaches the control plane (plantgate admin agent list); a tunnel just created or enabled reports within a few seconds",
    });
  }
  return { state: live.state, checks, reportedAt: entry?.reportedAt ?? null };
}

/** D7 restart: the generation moves, the agent's document with it; the agent tears the tunnel down and brings it up again. */
export async function restartDirectVpn(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string): Promise<z.input<typeof DirectVpnChange>> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.manage');
  const row = vpnOf(scope, await directVpnsOfPlant(ctx.store.db, scope.plant.id), vpnRef);
  if (row.enabled !== 1) throw conflict('direct-vpn-disabled', `vpn: direct VPN ${row.name} is disabled: enable it instead of restarting it`, 'vpn');
  const at = ctx.now().toISOString();
  await ctx.fleet.write(
    async (trx) => {
      await bumpRestartGeneration(trx, row.id);
      await recordEvents(trx, at, [
        { kind: 'direct-vpn.restarted', actorUserId: caller.userId, subjectUserId: null, orgId: scope.plant.orgId, details: { plant: scope.plant.name, plantId: scope.plant.id, directVpn: row.name } },
      ]);
    },
    () => ({ touchPlants: [scope.plant.id] }),
  );
  const [vpn] = await viewsWithLive(ctx, scope, [row]);
  return { vpn, changes: [`~ direct VPN ${row.name} of plant ${scope.plant.name}: restart requested`], revision: ctx.fleet.currentRevision() };
}

/**
 * D9: a hosted server's clients with what its agent last reported — a WireGuard client by its
 * public key (the peer), an OpenVPN client by its certificate's common name (the client's name).
 * A report older than STALE_SECONDS shows nobody connected.
 */
export async function clientViewsWithLive(
  ctx: AppContext,
  vpn: DirectVpnRow,
  clients: DirectVpnClientRow[],
  view: (row: DirectVpnClientRow) => DirectVpnClientViewWire,
): Promise<DirectVpnClientViewWire[]> {
  const entry = (await liveEntries(ctx, [vpn])).get(vpn.id);
  const fresh = entry !== undefined && vpn.enabled === 1 && ctx.now().getTime() - Date.parse(entry.reportedAt) <= STALE_SECONDS * 1000;
  const reported = new Map((entry?.clients ?? []).map((c) => [c.client, c]));
  return clients.map((row) => {
    const base = view(row);
    const seen = reported.get(vpn.protocol === 'wireguard' ? (row.public_key ?? '') : row.name);
    if (!seen) return base;
    return { ...base, connected: fresh && seen.connected, lastSeen: seen.lastSeen, bytesIn: seen.bytesIn, bytesOut: seen.bytesOut };
  });
}
