import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { PlantId } from '../../../core/model.ts';
import { containsAddress, formatCidr, formatIpv4, parseCidr, parseIpv4, translateAddress } from '../../../core/net/ipv4.ts';
import type { AgentDiscoveryRequest, AgentDiscoveryResult } from '../../../core/wire/daemon.ts';
import { DISCOVERY_DEFAULT_PORTS, type DiscoveryCreateRequest, type DiscoveryViewWire } from '../../../core/wire/direct-vpn.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import type { Caller } from '../../http/registry.ts';
import type { DaemonRow } from '../daemons/authenticate-daemon.ts';
import { recordEvents } from '../events/store.ts';
import { devicesOfPlants } from '../organizations/org-store.ts';
import { type PlantScope, plantScope } from '../direct-vpn/plant-scope.ts';
import { type DiscoveryRow, agentOfPlant, discoveryById, discoveryOfPlant, expireDiscoveries, finishDiscovery, insertDiscovery, pendingDiscoveries } from './store.ts';

/**
 * D11: a user asks for the devices on a plant's real subnets; the control plane stores the
 * request (bounded in hosts, rate and time), the plant's agent receives it in its document
 * (the request moves the plant's agent revision, so a waiting long-poll answers at once),
 * probes, and posts the result. A request no agent answers in time expires with the reason.
 */
export const DISCOVERY_LIMITS = { maxHosts: 1024, ratePerSecond: 200, deadlineSeconds: 120, graceSeconds: 30 } as const;

type Stored = Omit<AgentDiscoveryRequest, 'id'>;

const NO_ANSWER = "the plant's agent did not answer in time: is it running and connected? (plantgate admin agent list)";

export async function startDiscovery(ctx: AppContext, caller: Caller, plantRef: string, body: z.output<typeof DiscoveryCreateRequest>): Promise<DiscoveryViewWire> {
  const scope = await plantScope(ctx, caller, plantRef, 'plant.discover');
  const plantSubnets = scope.model.subnetsOf(scope.plant.id);
  if (plantSubnets.length === 0) throw badRequest('subnets', `plant ${scope.plant.name} has no subnets to probe`);
  const subnets = body.subnets === undefined ? plantSubnets.map((s) => formatCidr(s.prefix)) : body.subnets.map((text, index) => checkedSubnet(scope, text, index));
  const ports = [...new Set(body.ports ?? DISCOVERY_DEFAULT_PORTS)];
  const agent = await agentOfPlant(ctx.store.db, scope.plant.id);
  const now = ctx.now();
  const request: Stored = { subnets, ports, maxHosts: DISCOVERY_LIMITS.maxHosts, ratePerSecond: DISCOVERY_LIMITS.ratePerSecond, deadlineSeconds: DISCOVERY_LIMITS.deadlineSeconds };
  const row: DiscoveryRow = {
    id: randomUUID(),
    plant_id: scope.plant.id,
    requested_by: caller.userId,
    requested_at: now.toISOString(),
    expires_at: new Date(now.getTime() + (DISCOVERY_LIMITS.deadlineSeconds + DISCOVERY_LIMITS.graceSeconds) * 1000).toISOString(),
    request: JSON.stringify(request),
    // no agent at all: nothing will ever answer, say so at once
    status: agent ? 'pending' : 'failed',
    finished_at: agent ? null : now.toISOString(),
    result: null,
    error: agent ? null : `plant ${scope.plant.name} has no agent: enrol one (plantgate admin enrol-token create --agent --plant …) and run it in the plant`,
  };
  await ctx.fleet.write(
    async (trx) => {
      await expireDiscoveries(trx, row.requested_at, NO_ANSWER);
      // one run per user and plant at a time (the agent runs them one after another)
      const running = (await pendingDiscoveries(trx, row.requested_at)).find((d) => d.plant_id === scope.plant.id && d.requested_by === caller.userId);
      if (running && agent) throw conflict('discovery-running', `plant ${scope.plant.name} has a discovery of yours under way (${running.id}): wait for it to end`, 'plant');
      await insertDiscovery(trx, row);
      await recordEvents(trx, row.requested_at, [
        { kind: 'plant.discovery-started', actorUserId: caller.userId, subjectUserId: null, orgId: scope.plant.orgId, details: { plant: scope.plant.name, plantId: scope.plant.id, discovery: row.id, subnets, ports } },
      ]);
    },
    () => ({ touchPlants: [scope.plant.id as PlantId] }),
  );
  return viewOfDiscovery(scope, row, [], now.getTime());
}

export async function showDiscovery(ctx: AppContext, caller: Caller, plantRef: string, id: string): Promise<DiscoveryViewWire> {
  const scope = await plantScope(ctx, caller, plantRef, 'plant.discover');
  const row = await discoveryOfPlant(ctx.store.db, scope.plant.id, id);
  if (!row) throw new ApiError(404, 'not-found', `discovery: plant ${scope.plant.name} has no discovery ${id}`, { field: 'discovery' });
  const devices = await devicesOfPlants(ctx.store.db, [scope.plant.id]);
  return viewOfDiscovery(scope, row, devices, ctx.now().getTime());
}

/** The agent's pending requests (one query per revision for all agents; expired ones left out). */
export async function agentDiscoveries(ctx: AppContext, plantId: string): Promise<AgentDiscoveryRequest[]> {
  const pending = ((await ctx.fleet.memo('discoveries', async () => Map.groupBy(await pendingDiscoveries(ctx.store.db, ctx.now().toISOString()), (r) => r.plant_id))) ?? new Map()) as Map<
    string,
    DiscoveryRow[]
  >;
  const now = ctx.now().toISOString();
  return (pending.get(plantId) ?? []).filter((r) => r.expires_at > now).map((r) => ({ id: r.id, ...(JSON.parse(r.request) as Stored) }));
}

/** The agent's answer: only its own plant's pending request; hosts outside the request's subnets are dropped. */
export async function recordDiscoveryResult(ctx: AppContext, agent: DaemonRow, id: string, result: AgentDiscoveryResult): Promise<void> {
  const row = await discoveryById(ctx.store.db, id);
  if (!row || row.plant_id !== agent.plant_id) throw new ApiError(404, 'not-found', `discovery: no discovery ${id} for this agent's plant`, { field: 'discovery' });
  if (row.status !== 'pending' || row.expires_at <= ctx.now().toISOString()) throw conflict('discovery-ended', `discovery ${id} is ${row.status === 'pending' ? 'expired' : row.status} already`, 'discovery');
  const request = JSON.parse(row.request) as Stored;
  const prefixes = request.subnets.flatMap((s) => {
    const parsed = parseCidr(s);
    return parsed.ok ? [parsed.prefix] : [];
  });
  const hosts = result.hosts
    .filter((h) => {
      const address = parseIpv4(h.ip);
      return address !== null && prefixes.some((p) => containsAddress(p, address));
    })
    .slice(0, request.maxHosts)
    .map((h) => ({ ...h, openPorts: h.openPorts.filter((p) => request.ports.includes(p)) }));
  await ctx.fleet.write(
    async (trx) => {
      const ended = await finishDiscovery(trx, id, {
        status: 'done',
        finished_at: ctx.now().toISOString(),
        result: JSON.stringify({ hosts, truncated: result.truncated, startedAt: result.startedAt, finishedAt: result.finishedAt }),
        error: result.error,
      });
      if (!ended) throw conflict('discovery-ended', `discovery ${id} ended meanwhile`, 'discovery');
    },
    // it leaves the agent's document
    () => ({ touchPlants: [row.plant_id as PlantId] }),
  );
}

// ---- helpers ---------------------------------------------------------------------------

/** A requested subnet must be a canonical IPv4 CIDR inside one of the plant's subnets (its real side). */
function checkedSubnet(scope: PlantScope, text: string, index: number): string {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw badRequest(`subnets.${index}`, parsed.message);
  const inside = scope.model.subnetsOf(scope.plant.id).some((s) => s.prefix.length <= parsed.prefix.length && containsAddress(s.prefix, parsed.prefix.start));
  if (!inside) throw badRequest(`subnets.${index}`, `${text} is not within a subnet of plant ${scope.plant.name} (${scope.model.subnetsOf(scope.plant.id).map((s) => formatCidr(s.prefix)).join(', ')})`);
  return formatCidr(parsed.prefix);
}

function viewOfDiscovery(scope: PlantScope, row: DiscoveryRow, devices: Array<{ name: string; ip: string }>, nowMs: number): DiscoveryViewWire {
  const request = JSON.parse(row.request) as Stored;
  const result = row.result ? (JSON.parse(row.result) as Pick<AgentDiscoveryResult, 'hosts' | 'truncated'>) : null;
  const expired = row.status === 'pending' && Date.parse(row.expires_at) <= nowMs;
  const plantSubnets = scope.model.subnetsOf(scope.plant.id);
  const byIp = new Map(devices.map((d) => [d.ip, d.name]));
  return {
    id: row.id,
    plantId: row.plant_id,
    status: expired ? 'expired' : row.status,
    subnets: request.subnets,
    ports: request.ports,
    requestedAt: row.requested_at,
    finishedAt: expired ? row.expires_at : row.finished_at,
    truncated: result?.truncated ?? false,
    error: expired ? NO_ANSWER : row.error,
    hosts: (result?.hosts ?? []).map((h) => {
      const address = parseIpv4(h.ip) as number;
      const subnet = plantSubnets.find((s) => containsAddress(s.prefix, address));
      return {
        ip: h.ip,
        vpnIp: subnet ? formatIpv4(translateAddress(address, subnet.prefix, subnet.mapped)) : null,
        icmp: h.icmp,
        openPorts: h.openPorts,
        rttMs: h.rttMs,
        knownDevice: byIp.get(h.ip) ?? null,
      };
    }),
  };
}
