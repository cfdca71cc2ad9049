import type { OrgId, PlantId } from '../../../core/model.ts';
import { orgVpnSiteNetworks } from '../../../core/org-vpn/site-networks.ts';
import type { Transaction } from 'kysely';
import type { FleetFile } from '../../../core/fleet-file/schema.ts';
import { validateFleetFile } from '../../../core/fleet-file/validate.ts';
import type { AppContext } from '../../context.ts';
import type { Database } from '../../db/schema.ts';
import type { EventKind, NewEvent } from '../events/store.ts';
import { applyFleetFile } from '../../fleet/apply-fleet.ts';
import { exportFleetFile } from '../fleet/store.ts';
import { writeFleetChange } from '../fleet/write-fleet-change.ts';
import { ApiError } from '../../http/errors.ts';
import { knownOrgNames, knownUserEmails, orgNamesById } from './org-store.ts';

export type OrgFleetEntry = FleetFile['organizations'][number];

export type OrgEdit = {
  actorUserId: string;
  /** The organizations whose part of the fleet file the edit changes; the first one owns the event. */
  orgIds: string[];
  event: { kind: EventKind; subjectUserId?: string | null; details: Record<string, unknown>; alsoFor?: string[] };
  /** The request field a validation problem of the edited file is reported under (`cidr`, not `organizations[0].plants[3].subnets[1]`). */
  field: string;
  /** Remove plants with an enrolled agent (the agent goes with them). */
  force?: boolean;
  /** Writes a fleet file cannot say (renames keep ids and mapped prefixes): run first, in the same transaction; returns change lines. */
  prepare?: (trx: Transaction<Database>) => Promise<string[]>;
  /** Whether what `prepare` writes is in the route engine's model (then it is reloaded); a device rename is not. Default true. */
  prepareMovesModel?: boolean;
  /** Plants whose agent document this edit changes beyond the model (issue 9: their agent revision moves). */
  touchPlants?: PlantId[];
  /** Changes the exported organizations in place; throws an ApiError to refuse. */
  edit: (orgs: Map<string, OrgFleetEntry>, fleet: FleetFile) => void;
};

export type OrgChange = { changes: string[]; revision: number };

/**
 * Every organization change takes this one path, so it moves routes and gateways exactly
 * as a fleet apply does: inside the serialised fleet write, the organizations' current
 * part of the fleet file is exported through the write's transaction (a concurrent edit
 * is never lost), edited in memory, validated like an uploaded file, and applied with
 * removals limited to the listed organizations.
 */
export async function editOrganizations(ctx: AppContext, spec: OrgEdit): Promise<OrgChange> {
  const now = ctx.now().toISOString();
  const owner = spec.orgIds[0] as string;
  // SPEC D4: plant subnets must not overlap the organization VPN routes (the networks its VPN sites announce).
  const vpnModel = await ctx.fleet.current();
  const vpnRoutes = spec.orgIds.flatMap((orgId) => orgVpnSiteNetworks(vpnModel, orgId as OrgId)).map((n) => ({ name: `organization VPN route (${n.owner})`, prefix: n.prefix }));
  const applied = await writeFleetChange(
    ctx,
    { actorUserId: spec.actorUserId, now, cause: `organization change: ${spec.event.kind}`, orgId: owner, daemonCause: 'its plant was removed by an organization admin (force)' },
    async (trx) => {
      const prepared = spec.prepare ? await spec.prepare(trx) : [];
      const fleet = await exportFleetFile(trx, new Set(spec.orgIds));
      const byId = new Map<string, OrgFleetEntry>();
      const names = await orgNamesById(trx, spec.orgIds);
      for (const [id, name] of names) {
        const entry = fleet.organizations.find((o) => o.name === name);
        if (entry) byId.set(id, entry);
      }
      spec.edit(byId, fleet);
      const validation = validateFleetFile(fleet, {
        knownUserEmails: await knownUserEmails(trx),
        knownOrganizations: await knownOrgNames(trx),
        reserved: [
          { name: 'tunnel range', prefix: ctx.addressing.tunnelRange },
          { name: 'mapped space', prefix: ctx.addressing.mappedSpace },
          ...vpnRoutes,
        ],
      });
      if (!validation.ok) {
        const message = validation.zodError ? (validation.zodError.issues[0]?.message ?? 'is invalid') : (validation.problems[0]?.message ?? 'is invalid');
        throw new ApiError(400, 'invalid', `${spec.field}: ${withoutFilePaths(message)}`, { field: spec.field });
      }
      const result = await applyFleetFile(trx, validation.fleet, {
        mappedSpace: ctx.addressing.mappedSpace,
        now,
        prune: true,
        force: spec.force ?? false,
        scope: 'listed-organizations',
      });
      const changes = [...prepared, ...result.changes];
      const events: NewEvent[] =
        changes.length === 0
          ? []
          : [owner, ...(spec.event.alsoFor ?? [])].map((orgId) => ({
              kind: spec.event.kind,
              actorUserId: spec.actorUserId,
              subjectUserId: spec.event.subjectUserId ?? null,
              orgId,
              details: { ...spec.event.details, changes: changes.slice(0, 200) },
            }));
      return { applied: { ...result, changes }, events, structural: prepared.length > 0 && spec.prepareMovesModel !== false, touchPlants: spec.touchPlants };
    },
  );
  return { changes: applied.changes, revision: ctx.fleet.currentRevision() };
}

/** The organization's entry in the exported file (it is always there unless the organization was removed meanwhile). */
export function orgEntry(orgs: Map<string, OrgFleetEntry>, orgId: string): OrgFleetEntry {
  const entry = orgs.get(orgId);
  if (!entry) throw new ApiError(404, 'not-found', 'org: the organization was removed meanwhile', { field: 'org' });
  return entry;
}

/** The validator's messages cite other entries by their path in the file; the caller never saw that file. */
function withoutFilePaths(message: string): string {
  return message.replace(/\s*\((?:also )?organizations\[[^)]*\)/g, '').replace(/organizations\[\d+\][.\w[\]]*/g, 'it');
}
