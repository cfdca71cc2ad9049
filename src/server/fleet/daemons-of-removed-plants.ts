import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import { ApiError } from '../http/errors.ts';

export type RemovedDaemon = { kind: 'gateway' | 'agent'; id: string; name: string; plant: string };

/**
 * Issue 7 #14: deleting a plant cascades to its agent, which is then refused and tears
 * its tunnels down. So a fleet apply that removes plants with enrolled daemons is refused
 * (409 naming them) unless `force`; with it the daemons are returned, to be named in the
 * answer and in one `daemon.removed` event each. `removedPlants`: plant id → `Org/Plant`.
 */
export async function daemonsOfRemovedPlants(trx: Transaction<Database>, removedPlants: ReadonlyMap<string, string>, force: boolean): Promise<RemovedDaemon[]> {
  if (removedPlants.size === 0) return [];
  const ids = [...removedPlants.keys()];
  const rows: Array<{ id: string; kind: 'gateway' | 'agent'; name: string; plant_id: string | null }> = [];
  for (let i = 0; i < ids.length; i += 500) {
    rows.push(...(await trx.selectFrom('daemons').select(['id', 'kind', 'name', 'plant_id']).where('plant_id', 'in', ids.slice(i, i + 500)).orderBy('name').execute()));
  }
  const daemons = rows.map((r) => ({ kind: r.kind, id: r.id, name: r.name, plant: removedPlants.get(r.plant_id as string) as string }));
  if (daemons.length > 0 && !force) {
    const named = daemons.map((d) => `${d.kind} ${d.name} (${d.id}) of plant ${d.plant}`).join(', ');
    throw new ApiError(409, 'daemons-enrolled', `force: this apply removes plants with enrolled daemons: ${named}; remove them first (plantgate admin agent remove ID) or apply with --force`, {
      field: 'force',
    });
  }
  return daemons;
}
