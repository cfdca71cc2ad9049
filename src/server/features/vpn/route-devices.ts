import { containsAddress, formatIpv4, type Ipv4Prefix, parseIpv4, translateAddress } from '../../../core/net/ipv4.ts';
import type { RouteDevice } from '../../../core/wire/api.ts';
import type { AppContext } from '../../context.ts';
import { allDevices } from './user-status-store.ts';

/** A plant's devices with their parsed addresses (devices are not in the route engine's model). */
export type StoredDevice = { name: string; ip: number; kind: string };
export type DevicesByPlant = ReadonlyMap<string, readonly StoredDevice[]>;

/**
 * Every plant's devices, read once per fleet revision (device writes are fleet writes and
 * bump it), so the route overview, the hottest read, adds no query per request.
 */
export async function devicesByPlant(ctx: AppContext): Promise<DevicesByPlant> {
  const loaded = await ctx.fleet.memo('route-devices', async () => {
    const rows = await allDevices(ctx.store.db);
    const byPlant = new Map<string, StoredDevice[]>();
    for (const r of rows) {
      const ip = parseIpv4(r.ip);
      if (ip === null) continue;
      const list = byPlant.get(r.plant_id);
      if (list) list.push({ name: r.name, ip, kind: r.kind });
      else byPlant.set(r.plant_id, [{ name: r.name, ip, kind: r.kind }]);
    }
    return byPlant as DevicesByPlant;
  });
  return loaded ?? new Map();
}

/** SPEC P5: the devices of `plantId` inside `subnet`, each with the same host part in `mapped`. */
export function devicesInRoute(devices: DevicesByPlant, plantId: string, subnet: Ipv4Prefix, mapped: Ipv4Prefix): RouteDevice[] {
  const out: RouteDevice[] = [];
  for (const d of devices.get(plantId) ?? []) {
    if (!containsAddress(subnet, d.ip)) continue;
    out.push({ name: d.name, ip: formatIpv4(d.ip), mappedIp: formatIpv4(translateAddress(d.ip, subnet, mapped)), kind: d.kind });
  }
  return out;
}
