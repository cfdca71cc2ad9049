import type { FleetFile } from '../../../core/fleet-file/schema.ts';
import { validateFleetFile } from '../../../core/fleet-file/validate.ts';
import type { AppContext } from '../../context.ts';
import { inTransaction } from '../../db/handle.ts';
import { applyFleetFile } from '../../fleet/apply-fleet.ts';
import { ApiError, conflict, fromZodError } from '../../http/errors.ts';
import { directVpnSubnetsMissingFromPlants } from '../direct-vpn/store.ts';
import { exportFleetFile, knownOrganizationNames, knownUserEmails } from './store.ts';
import { writeFleetChange } from './write-fleet-change.ts';

class DryRun extends Error {
  readonly changes: string[];
  readonly kept: string[];
  constructor(changes: string[], kept: string[]) {
    super('dry run');
    this.changes = changes;
    this.kept = kept;
  }
}

/** The stored fleet as a fleet file that applies as "no changes" (users without passwords). */
export function exportFleet(ctx: AppContext): Promise<FleetFile> {
  return exportFleetFile(ctx.store.db);
}

export type FleetApplyFlags = { dryRun: boolean; prune: boolean; force: boolean };

/** `plantgate admin apply`: validate everything, apply in one transaction, record who lost or gained which routes. */
export async function applyFleetRequest(ctx: AppContext, actorUserId: string, document: unknown, flags: FleetApplyFlags) {
  const knownUsers = await knownUserEmails(ctx.store.db);
  const knownOrgs = await knownOrganizationNames(ctx.store.db);
  const complete = typeof document === 'object' && document !== null && (document as { complete?: unknown }).complete === true;
  const validation = validateFleetFile(document, {
    knownUserEmails: knownUsers,
    // A partial file may name a stored organization as a partner; a pruning one removes what it does not list.
    knownOrganizations: flags.prune || complete ? undefined : knownOrgs,
    reserved: [
      { name: 'tunnel range', prefix: ctx.addressing.tunnelRange },
      { name: 'mapped space', prefix: ctx.addressing.mappedSpace },
    ],
  });
  if (!validation.ok) {
    if (validation.zodError) throw fromZodError(validation.zodError);
    const first = validation.problems[0] as { field: string; message: string };
    const more = validation.problems.length > 1 ? ` (and ${validation.problems.length - 1} more)` : '';
    throw new ApiError(400, 'invalid', `${first.field}: ${first.message}${more}`, { field: first.field, problems: validation.problems });
  }
  const now = ctx.now().toISOString();
  const options = { mappedSpace: ctx.addressing.mappedSpace, now, prune: flags.prune || validation.fleet.complete === true, force: flags.force };
  if (flags.dryRun) {
    try {
      await inTransaction(ctx.store.db, async (trx) => {
        const { changes, kept } = await applyFleetFile(trx, validation.fleet, options);
        await refuseLostDirectVpnSubnets(trx);
        throw new DryRun(changes, kept);
      });
    } catch (e) {
      if (e instanceof DryRun) return { changes: e.changes, kept: e.kept, applied: false, revision: ctx.fleet.currentRevision() };
      throw e;
    }
  }
  const result = await writeFleetChange(
    ctx,
    { actorUserId, now, cause: 'fleet apply', orgId: null, daemonCause: 'its plant was removed by a fleet apply (--force)' },
    async (trx) => {
      const applied = await applyFleetFile(trx, validation.fleet, options);
      await refuseLostDirectVpnSubnets(trx);
      return {
        applied,
        events: [
          {
            kind: 'fleet.applied',
            actorUserId,
            subjectUserId: null,
            details: { changes: applied.changes.length, summary: applied.changes.slice(0, 200), prune: options.prune },
          },
        ],
      };
    },
  );
  return { changes: result.changes, kept: result.kept, applied: true, revision: ctx.fleet.currentRevision() };
}

/**
 * A fleet file that leaves out a subnet a direct VPN brought would remove it from the plant
 * while the direct VPN still routes it: refused whole (the transaction rolls back), naming it.
 */
async function refuseLostDirectVpnSubnets(trx: Parameters<typeof directVpnSubnetsMissingFromPlants>[0]): Promise<void> {
  const lost = await directVpnSubnetsMissingFromPlants(trx);
  if (lost.length === 0) return;
  const named = lost.map((l) => `${l.cidr} of plant ${l.plant} (direct VPN "${l.vpn}")`).join(', ');
  throw conflict(
    'subnet-of-direct-vpn',
    `document: the file leaves out ${named}: a direct VPN's subnets leave with the VPN (plantgate site-vpn edit or delete), so list them in the file`,
    'document',
  );
}
