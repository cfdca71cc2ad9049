import type { Transaction } from 'kysely';
import { formatCidr, overlaps, parseCidr } from '../../../core/net/ipv4.ts';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../db/schema.ts';
import { ApiError, conflict } from '../../http/errors.ts';
import type { EventKind } from '../events/store.ts';
import { type OrgChange, editOrganizations, orgEntry } from '../organizations/org-edit.ts';
import type { PlantScope } from './plant-scope.ts';

export type DirectVpnChangeSpec = {
  kind: Extract<EventKind, `direct-vpn.${string}`>;
  details: Record<string, unknown>;
  /** Subnets that become plant subnets. */
  add: string[];
  /** Subnets that stop being plant subnets (their routes go). */
  remove: string[];
  /** Device names removed with them (confirmed, SPEC D8). */
  devicesRemoved: string[];
  /** The direct_vpns row's own write, in the same transaction. */
  write: (trx: Transaction<Database>) => Promise<string[]>;
};

/**
 * One direct VPN change = one organization change: the row is written in the fleet
 * write's transaction, its subnets join or leave the plant's subnets (mapped prefixes,
 * routes, gateways, as SPEC P4–P6), and the event is recorded — all or nothing.
 */
export async function applyDirectVpnChange(ctx: AppContext, scope: PlantScope, spec: DirectVpnChangeSpec): Promise<OrgChange> {
  const plantName = scope.plant.name;
  return editOrganizations(ctx, {
    actorUserId: scope.caller.userId,
    orgIds: [scope.plant.orgId],
    field: 'subnets',
    event: { kind: spec.kind, details: { plant: plantName, plantId: scope.plant.id, ...spec.details, ...(spec.devicesRemoved.length > 0 ? { devicesRemoved: spec.devicesRemoved } : {}) } },
    // The row is not in the route engine's model; the subnets the edit moves are.
    prepareMovesModel: false,
    prepare: spec.write,
    edit: (orgs) => {
      const plant = orgEntry(orgs, scope.plant.orgId).plants.find((p) => p.name === plantName);
      if (!plant) throw new ApiError(404, 'not-found', `plant: plant "${plantName}" was removed meanwhile`, { field: 'plant' });
      const leaving = new Set(spec.remove);
      plant.subnets = plant.subnets.filter((s) => !leaving.has(s));
      const gone = new Set(spec.devicesRemoved);
      plant.devices = plant.devices.filter((d) => !gone.has(d.name));
      for (const cidr of spec.add) {
        const prefix = parseCidr(cidr);
        if (!prefix.ok) throw new Error(`direct VPN subnet ${cidr} is not IPv4: refused before`);
        // Checked again on the stored state: the plant may have gained a subnet since the D4 check.
        const clash = plant.subnets.find((s) => {
          const other = parseCidr(s);
          return other.ok && overlaps(other.prefix, prefix.prefix);
        });
        if (clash) throw conflict('subnet-overlap', `subnets: ${cidr} overlaps ${clash}, a subnet of plant ${plantName} (added meanwhile)`, 'subnets');
        plant.subnets.push(formatCidr(prefix.prefix));
      }
    },
  });
}
