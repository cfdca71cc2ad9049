import type { FleetModel } from '../../../core/fleet-model.ts';
import type { Plant, PlantId, Subnet } from '../../../core/model.ts';
import { type Ipv4Prefix, containsAddress, formatCidr, formatIpv4, overlaps, parseCidr, parseIpv4, translateAddress } from '../../../core/net/ipv4.ts';
import type { PlantDetail, PlantSummary } from '../../../core/wire/org.ts';
import type { AppContext } from '../../context.ts';
import { ApiError, badRequest, conflict } from '../../http/errors.ts';
import { directVpnsOfPlant } from '../direct-vpn/store.ts';
import { type OrgAccess, requireAction } from './org-access.ts';
import { type OrgChange, type OrgFleetEntry, editOrganizations, orgEntry } from './org-edit.ts';
import { type AgentRow, type DeviceRow, agentsOfPlants, devicesOfPlants, renameDevice, renamePlant } from './org-store.ts';

/** An agent counts as connected when it long-polled or reported within this long. */
const CONNECTED_WITHIN_MS = 60_000;

export async function listPlants(ctx: AppContext, access: OrgAccess): Promise<PlantSummary[]> {
  requireAction(access, 'plants.view');
  const plants = [...access.model.plantsOf(access.org.id)].map((id) => access.model.plants.get(id) as Plant).sort((a, b) => a.name.localeCompare(b.name));
  const ids = plants.map((p) => p.id);
  const [devices, agents] = await Promise.all([devicesOfPlants(ctx.store.db, ids), agentsOfPlants(ctx.store.db, ids)]);
  const devicesOf = Map.groupBy(devices, (d) => d.plant_id);
  const agentOf = new Map(agents.map((a) => [a.plant_id, a]));
  return plants.map((p) => summaryOf(ctx, access.model, p, devicesOf.get(p.id) ?? [], agentOf.get(p.id)));
}

export async function plantDetail(ctx: AppContext, access: OrgAccess, ref: string): Promise<PlantDetail> {
  requireAction(access, 'plants.view');
  const plant = plantOf(access, ref);
  const [devices, agents] = await Promise.all([devicesOfPlants(ctx.store.db, [plant.id]), agentsOfPlants(ctx.store.db, [plant.id])]);
  const subnets = sortedSubnets(access.model, plant.id);
  const sharedWith = new Map<string, string>();
  for (const coop of access.model.cooperations.values()) {
    if (coop.active && coop.ownerOrgId === access.org.id && access.model.cooperationCovers(coop, plant.id)) {
      sharedWith.set(coop.partnerOrgId, access.model.organizations.get(coop.partnerOrgId)?.name ?? coop.partnerOrgId);
    }
  }
  return {
    ...summaryOf(ctx, access.model, plant, devices, agents[0]),
    organization: { id: access.org.id, name: access.org.name },
    devicesList: devices.map((d) => {
      const ip = parseIpv4(d.ip) as number;
      const subnet = subnets.find((s) => containsAddress(s.prefix, ip));
      return {
        id: d.id,
        name: d.name,
        ip: d.ip,
        kind: d.kind,
        ports: JSON.parse(d.ports) as number[],
        mappedIp: subnet ? formatIpv4(translateAddress(ip, subnet.prefix, subnet.mapped)) : null,
        subnet: subnet ? formatCidr(subnet.prefix) : null,
      };
    }),
    sharedWith: [...sharedWith].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export async function createPlant(ctx: AppContext, access: OrgAccess, name: string, subnets: string[]): Promise<OrgChange> {
  requireAction(access, 'plants.manage');
  refuseDuplicatePlant(access, name);
  const parsed: Array<{ text: string; prefix: Ipv4Prefix }> = [];
  subnets.forEach((text, i) => {
    const c = parseCidr(text);
    if (!c.ok) throw badRequest(`subnets[${i}]`, c.message);
    const clash = parsed.find((p) => overlaps(p.prefix, c.prefix));
    if (clash) throw conflict('subnet-overlap', `subnets[${i}]: ${text} overlaps ${clash.text} of the same plant`, `subnets[${i}]`);
    parsed.push({ text, prefix: c.prefix });
  });
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'subnets',
    event: { kind: 'org.plant-created', details: { plant: name, subnets } },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      // Checked again on the stored state: a parallel request may have created it meanwhile.
      if (entry.plants.some((p) => p.name === name)) throw conflict('plant-exists', `name: ${access.org.name} has a plant "${name}" already`, 'name');
      entry.plants.push({ name, subnets: parsed.map((p) => formatCidr(p.prefix)), devices: [] });
    },
  });
}

export async function renamePlantTo(ctx: AppContext, access: OrgAccess, ref: string, name: string): Promise<OrgChange> {
  requireAction(access, 'plants.manage');
  const plant = plantOf(access, ref);
  if (plant.name === name) return { changes: [], revision: ctx.fleet.currentRevision() };
  refuseDuplicatePlant(access, name);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'name',
    event: { kind: 'org.plant-renamed', details: { plant: plant.name, to: name } },
    // The file names plants: a rename there would be a new plant. Renamed in place, the plant keeps its id, subnets and agent.
    prepare: async (trx) => {
      await renamePlant(trx, plant.id, name);
      return [`~ plant ${plant.name} (${access.org.name}): renamed to ${name}`];
    },
    edit: () => undefined,
  });
}

export async function removePlant(ctx: AppContext, access: OrgAccess, ref: string, force: boolean): Promise<OrgChange> {
  requireAction(access, 'plants.delete');
  const plant = plantOf(access, ref);
  const [agent] = await agentsOfPlants(ctx.store.db, [plant.id]);
  if (agent && !force) {
    throw conflict('plant-has-agent', `force: plant ${plant.name} has the enrolled agent ${agent.name} (${agent.id}); removing the plant removes the agent too: confirm with force=true`, 'force');
  }
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'plant',
    force,
    event: { kind: 'org.plant-removed', details: { plant: plant.name, agentRemoved: agent ? agent.name : null } },
    edit: (orgs) => {
      const entry = orgEntry(orgs, access.org.id);
      entry.plants = entry.plants.filter((p) => p.name !== plant.name);
      for (const f of entry.portfolios) f.plants = f.plants.filter((p) => p !== plant.name);
      entry.jobRoles = entry.jobRoles.filter((j) => j.plant !== plant.name);
      for (const c of entry.cooperations) {
        c.plants = c.plants.filter((p) => p !== plant.name);
        c.jobRoles = c.jobRoles.filter((j) => j.plant !== plant.name);
      }
    },
  });
}

export async function addSubnet(ctx: AppContext, access: OrgAccess, ref: string, text: string): Promise<OrgChange> {
  requireAction(access, 'plants.manage');
  const plant = plantOf(access, ref);
  const c = parseCidr(text);
  if (!c.ok) throw badRequest('cidr', c.message);
  const clash = access.model.subnetsOf(plant.id).find((s) => overlaps(s.prefix, c.prefix));
  if (clash) throw conflict('subnet-overlap', `cidr: ${text} overlaps ${formatCidr(clash.prefix)} of plant ${plant.name}`, 'cidr');
  const cidr = formatCidr(c.prefix);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'cidr',
    event: { kind: 'org.subnet-added', details: { plant: plant.name, cidr } },
    edit: (orgs) => {
      const p = plantEntry(orgs, access, plant);
      const stored = p.subnets.find((s) => overlaps(parseCidrOrThrow(s), c.prefix));
      if (stored) throw conflict('subnet-overlap', `cidr: ${text} overlaps ${stored} of plant ${plant.name}`, 'cidr');
      p.subnets.push(cidr);
    },
  });
}

/** SPEC D8: a subnet with devices behind it is removed only when confirmed, and its devices with it. */
export async function removeSubnet(ctx: AppContext, access: OrgAccess, ref: string, subnetRef: string, confirm: boolean): Promise<OrgChange> {
  requireAction(access, 'plants.manage');
  const plant = plantOf(access, ref);
  const subnets = access.model.subnetsOf(plant.id);
  const subnet = subnets.find((s) => s.id === subnetRef || formatCidr(s.prefix) === subnetRef);
  if (!subnet) throw new ApiError(404, 'not-found', `subnet: no subnet ${subnetRef} in plant ${plant.name}`, { field: 'subnet' });
  const others = subnets.filter((s) => s.id !== subnet.id);
  const behind = (await devicesOfPlants(ctx.store.db, [plant.id])).filter((d) => inSubnet(d, subnet) && !others.some((o) => inSubnet(d, o)));
  const cidr = formatCidr(subnet.prefix);
  // A direct VPN's subnet leaves with the VPN (or its edit): removed here, the VPN would still route it.
  const owner = (await directVpnsOfPlant(ctx.store.db, plant.id)).find((v) => (JSON.parse(v.subnets) as string[]).includes(cidr));
  if (owner) throw conflict('subnet-of-direct-vpn', `subnet: ${cidr} of plant ${plant.name} belongs to direct VPN "${owner.name}": change it with site-vpn edit or delete the direct VPN`, 'subnet');
  if (behind.length > 0 && !confirm) {
    const named = behind.map((d) => `${d.name} (${d.ip})`).join(', ');
    throw conflict('subnet-has-devices', `confirm: subnet ${cidr} of plant ${plant.name} has ${behind.length} device(s) behind it: ${named}; they are removed with it: confirm with confirm=true`, 'confirm');
  }
  const gone = new Set(behind.map((d) => d.name));
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'subnet',
    event: { kind: 'org.subnet-removed', details: { plant: plant.name, cidr, mapped: formatCidr(subnet.mapped), devicesRemoved: [...gone] } },
    edit: (orgs) => {
      const p = plantEntry(orgs, access, plant);
      p.subnets = p.subnets.filter((s) => s !== cidr);
      p.devices = p.devices.filter((d) => !gone.has(d.name));
    },
  });
}

export type DeviceInput = { name: string; ip: string; kind: string; ports: number[] };

export async function addDevice(ctx: AppContext, access: OrgAccess, ref: string, device: DeviceInput): Promise<OrgChange> {
  requireAction(access, 'plants.manage');
  const plant = plantOf(access, ref);
  const devices = await devicesOfPlants(ctx.store.db, [plant.id]);
  if (devices.some((d) => d.name === device.name)) throw conflict('device-exists', `name: plant ${plant.name} has a device "${device.name}" already`, 'name');
  const ip = checkDeviceIp(access, plant, device.ip);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'ip',
    event: { kind: 'org.device-added', details: { plant: plant.name, device: device.name, ip } },
    edit: (orgs) => plantEntry(orgs, access, plant).devices.push({ ...device, ip }),
  });
}

export async function updateDevice(ctx: AppContext, access: OrgAccess, ref: string, deviceRef: string, device: DeviceInput): Promise<OrgChange> {
  requireAction(access, 'plants.manage');
  const plant = plantOf(access, ref);
  const devices = await devicesOfPlants(ctx.store.db, [plant.id]);
  const current = deviceOf(devices, plant, deviceRef);
  if (device.name !== current.name && devices.some((d) => d.name === device.name)) {
    throw conflict('device-exists', `name: plant ${plant.name} has a device "${device.name}" already`, 'name');
  }
  const ip = checkDeviceIp(access, plant, device.ip);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'ip',
    event: { kind: 'org.device-updated', details: { plant: plant.name, device: current.name, name: device.name, ip } },
    // Devices are not in the route engine's model: renaming one moves no route.
    prepareMovesModel: false,
    prepare: async (trx) => {
      if (device.name === current.name) return [];
      await renameDevice(trx, current.id, device.name);
      return [`~ device ${current.name} of plant ${plant.name} (${access.org.name}): renamed to ${device.name}`];
    },
    edit: (orgs) => {
      const d = plantEntry(orgs, access, plant).devices.find((x) => x.name === device.name);
      if (d) Object.assign(d, { ip, kind: device.kind, ports: device.ports });
    },
  });
}

export async function removeDevice(ctx: AppContext, access: OrgAccess, ref: string, deviceRef: string): Promise<OrgChange> {
  requireAction(access, 'plants.manage');
  const plant = plantOf(access, ref);
  const device = deviceOf(await devicesOfPlants(ctx.store.db, [plant.id]), plant, deviceRef);
  return editOrganizations(ctx, {
    actorUserId: access.caller.userId,
    orgIds: [access.org.id],
    field: 'device',
    event: { kind: 'org.device-removed', details: { plant: plant.name, device: device.name, ip: device.ip } },
    edit: (orgs) => {
      const p = plantEntry(orgs, access, plant);
      p.devices = p.devices.filter((d) => d.name !== device.name);
    },
  });
}

// ---- helpers ---------------------------------------------------------------------------

/** `:plant` (an id or the exact name) among the organization's own plants. */
export function plantOf(access: OrgAccess, ref: string): Plant {
  const model = access.model;
  const byId = model.plants.get(ref as PlantId);
  if (byId?.orgId === access.org.id) return byId;
  for (const id of model.plantsOf(access.org.id)) {
    const p = model.plants.get(id) as Plant;
    if (p.name === ref) return p;
  }
  throw new ApiError(404, 'not-found', `plant: no plant "${ref}" in ${access.org.name}`, { field: 'plant' });
}

export function sortedSubnets(model: FleetModel, plantId: PlantId): Subnet[] {
  return model.subnetsOf(plantId).sort((a, b) => a.prefix.start - b.prefix.start || a.prefix.length - b.prefix.length);
}

function summaryOf(ctx: AppContext, model: FleetModel, plant: Plant, devices: DeviceRow[], agent: AgentRow | undefined): PlantSummary {
  const ips = devices.map((d) => parseIpv4(d.ip) as number);
  return {
    id: plant.id,
    name: plant.name,
    subnets: sortedSubnets(model, plant.id).map((s) => ({
      id: s.id,
      cidr: formatCidr(s.prefix),
      mapped: formatCidr(s.mapped),
      devices: ips.filter((ip) => containsAddress(s.prefix, ip)).length,
    })),
    devices: devices.length,
    portfolios: [...model.portfoliosContaining(plant.id)]
      .map((id) => ({ id, name: model.portfolios.get(id)?.name ?? id }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    agent: agent ? agentLink(ctx, agent) : null,
  };
}

/** Which agent serves the plant and whether it is connected (seen within a minute; the status buffer knows newer reports than the table). */
function agentLink(ctx: AppContext, agent: AgentRow) {
  const buffered = ctx.daemonStatus.latestOf(agent.id);
  const lastSeenAt = buffered && (agent.last_seen_at === null || buffered.seenAt > agent.last_seen_at) ? buffered.seenAt : agent.last_seen_at;
  const connected = lastSeenAt !== null && ctx.now().getTime() - Date.parse(lastSeenAt) <= CONNECTED_WITHIN_MS;
  return { id: agent.id, name: agent.name, connected, lastSeenAt };
}

function refuseDuplicatePlant(access: OrgAccess, name: string): void {
  for (const id of access.model.plantsOf(access.org.id)) {
    if (access.model.plants.get(id)?.name === name) throw conflict('plant-exists', `name: ${access.org.name} has a plant "${name}" already`, 'name');
  }
}

function checkDeviceIp(access: OrgAccess, plant: Plant, text: string): string {
  const ip = parseIpv4(text);
  if (ip === null) throw badRequest('ip', `"${text}" is not an IPv4 address`);
  if (!access.model.subnetsOf(plant.id).some((s) => containsAddress(s.prefix, ip))) {
    throw badRequest('ip', `${text} lies in none of the subnets of plant ${plant.name}: add its subnet first`);
  }
  return formatIpv4(ip);
}

function deviceOf(devices: DeviceRow[], plant: Plant, ref: string): DeviceRow {
  const d = devices.find((x) => x.id === ref) ?? devices.find((x) => x.name === ref);
  if (!d) throw new ApiError(404, 'not-found', `device: no device "${ref}" in plant ${plant.name}`, { field: 'device' });
  return d;
}

function parseCidrOrThrow(text: string): Ipv4Prefix {
  const c = parseCidr(text);
  if (!c.ok) throw new Error(`stored subnet ${text} does not parse: ${c.message}`);
  return c.prefix;
}

function inSubnet(device: DeviceRow, subnet: Subnet): boolean {
  const ip = parseIpv4(device.ip);
  return ip !== null && containsAddress(subnet.prefix, ip);
}


function plantEntry(orgs: Map<string, OrgFleetEntry>, access: OrgAccess, plant: Plant): OrgFleetEntry['plants'][number] {
  const p = orgEntry(orgs, access.org.id).plants.find((x) => x.name === plant.name);
  if (!p) throw new ApiError(404, 'not-found', `plant: plant "${plant.name}" was removed meanwhile`, { field: 'plant' });
  return p;
}
