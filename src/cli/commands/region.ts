import type { Command } from 'commander';
import { z } from 'zod';
import { RegionInfo } from '../../core/wire/api.ts';
import { type Io, client, printJson } from '../context.ts';
import { formatTable } from '../table.ts';

/**
 * Region health and drain (issue 11): `plantgate region list|drain|undrain`, also under
 * `plantgate admin region`. A drained region leaves the service name's DNS answers while
 * another healthy region exists (docs/regions.md).
 */
export function registerRegionCommands(program: Command, io: Io): void {
  addRegionCommands(program.command('region').description('regions: health, drain (docs/regions.md)'), io, true);
}

/** `withList`: the top-level group lists too (under `admin region`, list is declared with add/remove). */
export function addRegionCommands(region: Command, io: Io, withList: boolean): void {
  if (withList) {
    region
      .command('list')
      .description('list regions with their health and drain state')
      .option('--json', 'print JSON')
      .action(async (opts: { json?: boolean }) => printRegions(io, opts.json === true));
  }
  for (const drained of [true, false]) {
    region
      .command(`${drained ? 'drain' : 'undrain'} <name>`)
      .description(
        drained
          ? 'drain a region: the service name stops answering with it while another healthy region exists (sessions already up stay up)'
          : 'put a drained region back into the service name\u2019s answers',
      )
      .option('--json', 'print JSON')
      .action(async (name: string, opts: { json?: boolean }) => {
        const result = await client(io).post(`/admin/regions/${encodeURIComponent(name)}/${drained ? 'drain' : 'undrain'}`, {}, RegionInfo);
        if (opts.json) printJson(io, result);
        else io.out(drained ? `region ${name} drained since ${result.drainedAt}` : `region ${name} in service (${result.healthy ? 'healthy' : 'not healthy: no gateway reported lately'})`);
      });
  }
}

export async function printRegions(io: Io, json: boolean): Promise<void> {
  const regions = await client(io).get('/admin/regions', z.array(RegionInfo));
  if (json) return printJson(io, regions);
  io.out(
    formatTable(
      ['NAME', 'ENDPOINT', 'HEALTH', 'GATEWAYS', 'DRAINED', 'CREATED'],
      regions.map((r) => [r.name, r.endpoint, r.healthy ? 'healthy' : 'down', `${r.liveGateways}/${r.gateways}`, r.drainedAt ?? '-', r.createdAt]),
    ),
  );
}
