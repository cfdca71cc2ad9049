import type { z } from 'zod';
import { validateDirectVpnSubnets } from '../../../core/direct-vpn/subnet-validation.ts';
import { formatCidr } from '../../../core/net/ipv4.ts';
import type { DirectVpnChange, DirectVpnUpdateRequest } from '../../../core/wire/direct-vpn.ts';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/handle.ts';
import type { Caller } from '../../http/registry.ts';
import { badRequest } from '../../http/errors.ts';
import { devicesOfPlants } from '../organizations/org-store.ts';
import { type PlantScope, plantScope } from './plant-scope.ts';
import { refuseDuplicateName, viewOf, vpnOf } from './service.ts';
import { type Listen, listenFor } from './hosted-service.ts';
import { type DirectVpnRow, clientCounts, clientsOfDirectVpn, updateDirectVpnClientSubnets, deleteDirectVpn, directVpnsOfPlant, updateDirectVpn, updateDirectVpnListen, updateDirectVpnUpload } from './store.ts';
import { uploadEdit } from './upload-edit.ts';
import { applyDirectVpnChange } from './subnet-change.ts';
import { devicesBehind, refuseNonIpv4, requireConfirmed, subnetContext, subnetRefusal, subnetsOf } from './subnet-rules.ts';

type Change = z.input<typeof DirectVpnChange>;

/** Edit name, description, subnets, a hosted server's listen address or an outgoing one's upload (D7); removing a subnet with devices behind it needs `confirm` (D8). */
export async function updateDirectVpnSettings(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string, body: z.output<typeof DirectVpnUpdateRequest>): Promise<Change> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.manage');
  const rows = await directVpnsOfPlant(ctx.store.db, scope.plant.id);
  const row = vpnOf(scope, rows, vpnRef);
  const name = body.name ?? row.name;
  if (name !== row.name) refuseDuplicateName(scope, rows, name, row.id);
  const description = body.description ?? row.description;
  const before = subnetsOf(row);
  let after = before;
  // A new upload (D7: endpoint and keys) is checked with the subnets the VPN will route.
  const upload = await uploadEdit(ctx, scope, rows, row, body);
  if (upload && (body.config !== undefined || body.manual !== undefined)) after = upload.subnets;
  else if (body.subnets !== undefined) {
    const validation = validateDirectVpnSubnets(body.subnets, subnetContext(ctx, scope, rows, row.id));
    if (!validation.ok) throw subnetRefusal(validation.problems);
    refuseNonIpv4(validation.subnets);
    after = validation.subnets;
  }
  const removed = before.filter((s) => !after.includes(s));
  const added = after.filter((s) => !before.includes(s));
  const listen = await hostedListenEdit(ctx, scope, rows, row, body.listen);
  if (name === row.name && description === row.description && removed.length === 0 && added.length === 0 && listen === null && upload === null) {
    return { vpn: viewOf(scope, row), changes: [], revision: ctx.fleet.currentRevision() };
  }
  const affected = devicesBehind(await devicesOfPlants(ctx.store.db, [scope.plant.id]), removed, [...otherPlantSubnets(scope, before), ...after]);
  requireConfirmed(affected, `removing ${removed.join(', ')} from direct VPN ${row.name}`, body.confirm);
  const now = ctx.now().toISOString();
  const change = await applyDirectVpnChange(ctx, scope, {
    kind: 'direct-vpn.updated',
    details: { directVpn: row.name, ...(name !== row.name ? { name } : {}), ...(description !== row.description ? { descriptionChanged: true } : {}), subnetsAdded: added, subnetsRemoved: removed, ...(listen ? { listen: `${listen.host}:${listen.port}` } : {}), ...(upload ? { uploadReplaced: true, stripped: upload.stripped, ignored: upload.ignored } : {}) },
    add: added,
    remove: removed,
    devicesRemoved: affected.map((d) => d.name),
    write: async (trx) => {
      await updateDirectVpn(trx, row.id, { name, description, subnets: JSON.stringify(after), updated_at: now });
      if (listen) await updateDirectVpnListen(trx, row.id, listen.host, listen.port, now);
      const announcing = row.direction === 'hosted' && (added.length > 0 || removed.length > 0) ? await followSubnets(trx, row.id, before, after) : [];
      // only a line that says something: a listen- or upload-only edit has its own line above
      const detail = [name !== row.name ? `renamed to ${name}` : '', description !== row.description ? 'description changed' : '', added.length ? `+${added.join(', +')}` : '', removed.length ? `-${removed.join(', -')}` : ''].filter(Boolean).join('; ');
      if (upload) await updateDirectVpnUpload(trx, row.id, { config: upload.config, secrets: upload.secrets, transport: upload.transport }, now);
      return [...announcing, ...(upload ? [`~ direct VPN ${row.name}: ${upload.endpointsChanged ? (body.manual !== undefined ? 'endpoint and keys replaced (entered by hand)' : 'new upload (endpoint and keys replaced)') : 'new credentials'}`] : []), ...(listen ? [`~ direct VPN ${row.name}: clients dial ${listen.host}:${listen.port} now; profiles issued before name the old endpoint (edit them or add the clients again)`] : []), ...(detail ? [`~ direct VPN ${row.name} of plant ${scope.plant.name}: ${detail}`] : [])];
    },
  });
  const listenNow = listen ? { listen_host: listen.host, listen_port: listen.port } : {};
  const uploadNow = upload ? { config: upload.config, transport: upload.transport } : {};
  return { vpn: viewOf(scope, { ...row, name, description, subnets: JSON.stringify(after), updated_at: now, ...listenNow, ...uploadNow }, await clientCountOf(ctx, row)), ...change };
}

/** A hosted server's new listen host/port (D1: editable), checked like on create; null when unchanged. */
async function hostedListenEdit(ctx: AppContext, scope: PlantScope, rows: DirectVpnRow[], row: DirectVpnRow, asked: Listen | { host?: string; port?: number } | undefined): Promise<Listen | null> {
  if (asked === undefined) return null;
  if (row.direction !== 'hosted') throw badRequest('listen', 'only a hosted server listens; an outgoing direct VPN dials the endpoint of its upload');
  const listen = await listenFor(ctx, scope, rows, { protocol: row.protocol, transport: row.transport }, asked, row);
  return listen.host === row.listen_host && listen.port === row.listen_port ? null : listen;
}

/**
 * A hosted server's site client that announced all of its subnets (the plant router created
 * with it) keeps announcing all of them when they change: new ones go to it, unless another
 * site client announces them.
 */
async function followSubnets(trx: Db, vpnId: string, before: string[], after: string[]): Promise<string[]> {
  const sites = (await clientsOfDirectVpn(trx, vpnId)).filter((c) => c.kind === 'site');
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const out: string[] = [];
  for (const site of sites) {
    const own = JSON.parse(site.subnets) as string[];
    if (!same(own, before)) continue;
    const others = sites.filter((s) => s.id !== site.id).flatMap((s) => JSON.parse(s.subnets) as string[]);
    const next = after.filter((s) => !others.includes(s));
    await updateDirectVpnClientSubnets(trx, site.id, JSON.stringify(next));
    out.push(`~ site client ${site.name} announces ${next.join(', ') || 'nothing'}`);
  }
  return out;
}

async function clientCountOf(ctx: AppContext, row: DirectVpnRow): Promise<number> {
  return row.direction === 'hosted' ? ((await clientCounts(ctx.store.db, [row.id])).get(row.id) ?? 0) : 0;
}

/** Disable or enable (D7): the VPN's subnets stay plant subnets; the agent stops or starts the tunnel (data plane: later). */
export async function setDirectVpnEnabled(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string, enabled: boolean): Promise<Change> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.manage');
  const row = vpnOf(scope, await directVpnsOfPlant(ctx.store.db, scope.plant.id), vpnRef);
  if ((row.enabled === 1) === enabled) return { vpn: viewOf(scope, row), changes: [], revision: ctx.fleet.currentRevision() };
  const now = ctx.now().toISOString();
  const change = await applyDirectVpnChange(ctx, scope, {
    kind: enabled ? 'direct-vpn.enabled' : 'direct-vpn.disabled',
    details: { directVpn: row.name },
    add: [],
    remove: [],
    devicesRemoved: [],
    write: async (trx) => {
      await updateDirectVpn(trx, row.id, { enabled: enabled ? 1 : 0, updated_at: now });
      return [`~ direct VPN ${row.name} of plant ${scope.plant.name}: ${enabled ? 'enabled' : 'disabled'}`];
    },
  });
  return { vpn: viewOf(scope, { ...row, enabled: enabled ? 1 : 0, updated_at: now }), ...change };
}

/** Delete (D3): its subnets leave the plant (their routes end); devices behind them only when confirmed (D8). */
export async function removeDirectVpn(ctx: AppContext, caller: Caller, plantRef: string, vpnRef: string, confirm: boolean): Promise<Change> {
  const scope = await plantScope(ctx, caller, plantRef, 'direct-vpn.manage');
  const row = vpnOf(scope, await directVpnsOfPlant(ctx.store.db, scope.plant.id), vpnRef);
  const subnets = subnetsOf(row);
  const affected = devicesBehind(await devicesOfPlants(ctx.store.db, [scope.plant.id]), subnets, otherPlantSubnets(scope, subnets));
  requireConfirmed(affected, `deleting direct VPN ${row.name} (${subnets.join(', ')})`, confirm);
  const change = await applyDirectVpnChange(ctx, scope, {
    kind: 'direct-vpn.removed',
    details: { directVpn: row.name, protocol: row.protocol, subnets },
    add: [],
    remove: subnets,
    devicesRemoved: affected.map((d) => d.name),
    write: async (trx) => {
      await deleteDirectVpn(trx, row.id);
      return [`- direct VPN ${row.name} of plant ${scope.plant.name}: ${subnets.join(', ')}`];
    },
  });
  return { vpn: null, ...change };
}

/** The plant's subnets other than these (devices in them stay). */
function otherPlantSubnets(scope: PlantScope, except: string[]): string[] {
  return scope.model
    .subnetsOf(scope.plant.id)
    .map((s) => formatCidr(s.prefix))
    .filter((c) => !except.includes(c));
}
