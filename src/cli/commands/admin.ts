import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { FleetFileSchema } from '../../core/fleet-file/schema.ts';
import { AdminRouteReport, EventInfo, FleetApplyResponse, NoContent, RegionInfo, routeContractJson } from '../../core/wire/api.ts';
import { EnrolmentCreated } from '../../core/wire/daemon.ts';
import { DaemonListing } from '../../core/wire/daemon-view.ts';
import { apiToken } from '../../core/wire/formats.ts';
import { readCredentials } from '../config.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { enrolInstructions } from '../enrol-token.ts';
import { formatTable } from '../table.ts';
import { readStdin } from '../stdin.ts';
import { renderRoutes } from './vpn.ts';
import { addRegionCommands, printRegions } from './region.ts';

export function registerAdminCommands(program: Command, io: Io): void {
  const admin = program.command('admin').description('platform operator commands');

  admin
    .command('apply')
    .description('apply a fleet file (YAML or JSON): adds and updates; removes what the file lacks only with --prune; prints what changed')
    .requiredOption('-f, --file <file>', 'fleet file; - for standard input')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--prune', 'also remove what the file lacks (as a file with `complete: true` does)')
    .option('--force', 'remove plants even while agents are enrolled on them (the agents are removed too)')
    .option('--json', 'print JSON')
    .action(async (opts: { file: string; dryRun?: boolean; prune?: boolean; force?: boolean; json?: boolean }) => {
      const document = await readFleetFile(opts.file);
      const result = await client(io).post(
        '/admin/fleet',
        { document, dryRun: Boolean(opts.dryRun), prune: Boolean(opts.prune), force: Boolean(opts.force) },
        FleetApplyResponse,
      );
      if (opts.json) return printJson(io, result);
      const kept = result.kept;
      if (result.changes.length === 0) io.out('no changes: the fleet already matches the file');
      else {
        io.out(result.changes.join('\n'));
        io.out(`${result.changes.length} change${result.changes.length === 1 ? '' : 's'} ${result.applied ? 'applied' : 'would be applied (dry run)'}`);
      }
      if (kept.length > 0) {
        io.out(`nothing removed: ${kept.length} thing${kept.length === 1 ? '' : 's'} the file does not list ${kept.length === 1 ? 'was' : 'were'} kept (--prune removes them):`);
        io.out(kept.map((line) => `  kept: ${line.replace(/^- /, '')}`).join('\n'));
      }
    });

  admin
    .command('fleet')
    .description('the fleet as a file')
    .command('export')
    .description('write the current fleet as a fleet file that applies as "no changes" (users without passwords)')
    .option('-o, --out <file>', 'where to write it; standard output without it')
    .option('--format <format>', 'yaml or json (default: from the file name, else yaml)')
    .action(async (opts: { out?: string; format?: string }) => {
      const format = opts.format ?? (opts.out?.endsWith('.json') ? 'json' : 'yaml');
      if (format !== 'yaml' && format !== 'json') throw new CliError(`--format: "${format}" is neither yaml nor json`, 2);
      const fleet = await client(io).get('/admin/fleet', FleetFileSchema);
      const text = format === 'json' ? `${JSON.stringify(fleet, null, 2)}\n` : stringifyYaml(fleet);
      if (!opts.out || opts.out === '-') return io.out(text.trimEnd());
      try {
        writeFileSync(opts.out, text);
      } catch (e) {
        throw new CliError(`--out: cannot write ${opts.out}: ${(e as Error).message}`, 2);
      }
      io.out(`fleet written to ${opts.out} (${format})`);
    });

  const region = admin.command('region').description('regions where users\u2019 tunnels terminate');
  region
    .command('add <name>')
    .description('add a region')
    .requiredOption('--endpoint <host:port>', 'the address users\u2019 clients dial')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { endpoint: string; json?: boolean }) => {
      const created = await client(io).post('/admin/regions', { name, endpoint: opts.endpoint }, RegionInfo);
      if (opts.json) printJson(io, created);
      else io.out(`region ${created.name} added (endpoint ${created.endpoint})`);
    });
  region
    .command('list')
    .description('list regions')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => printRegions(io, opts.json === true));
  addRegionCommands(region, io, false);
  region
    .command('remove <name>')
    .description('remove a region; refused while gateways are enrolled in it')
    .option('--force', 'remove it with its gateways (their credentials stop working; an event names them)')
    .action(async (name: string, opts: { force?: boolean }) => {
      await client(io).delete(`/admin/regions/${encodeURIComponent(name)}${opts.force ? '?force=true' : ''}`, NoContent);
      io.out(`region ${name} removed`);
    });

  for (const kind of ['gateway', 'agent'] as const) {
    const group = admin.command(kind).description(kind === 'gateway' ? 'gateways of a region (terminate users\u2019 tunnels)' : 'plant agents (one per plant)');
    group
      .command('enrol')
      .description(`print a show-once, single-use enrolment token for a new ${kind}`)
      .requiredOption(kind === 'gateway' ? '--region <name>' : '--plant <plant>', kind === 'gateway' ? 'its region' : 'its plant: name, Org/Plant, or id')
      .option('--expires-in-minutes <n>', 'how long the token stays valid', '60')
      .option('--json', 'print JSON')
      .action(async (opts: { region?: string; plant?: string; expiresInMinutes: string; json?: boolean }) => {
        const minutes = Number(opts.expiresInMinutes);
        if (!Number.isInteger(minutes) || minutes < 1) throw new CliError(`--expires-in-minutes: "${opts.expiresInMinutes}" is not a positive whole number`, 2);
        const body = kind === 'gateway' ? { region: opts.region, expiresInMinutes: minutes } : { plant: opts.plant, expiresInMinutes: minutes };
        const created = await client(io).post(`/admin/${kind}s/enrolments`, body, EnrolmentCreated.extend({ token: apiToken }));
        if (opts.json) return printJson(io, created);
        io.out(created.token);
        io.out(`(enrolment token for a ${kind} of ${created.region ?? created.plant}; single use, valid until ${created.expiresAt}; shown once)`);
        io.out(enrolInstructions(kind, created.token, readCredentials(io.env).server ?? 'URL'));
      });
    group
      .command('list')
      .description(`list ${kind}s and what they last reported`)
      .option('--json', 'print JSON')
      .action(async (opts: { json?: boolean }) => {
        const daemons = await client(io).get(`/admin/${kind}s`, DaemonListing);
        if (opts.json) return printJson(io, daemons);
        const now = Date.now() / 1000;
        io.out(
          formatTable(
            ['ID', 'NAME', kind === 'gateway' ? 'REGION' : 'PLANT', 'TUNNEL IP', 'ENDPOINT', 'LAST SEEN', 'APPLIED', 'PEERS (HANDSHAKE < 3 MIN)', 'LAST ERROR'],
            daemons.map((d) => [
              d.id,
              d.name,
              (kind === 'gateway' ? d.region : d.plant) ?? '-',
              d.tunnelIp ?? '-',
              d.endpoint ?? '-',
              d.lastSeenAt ?? 'never',
              d.status ? String(d.status.appliedRevision) : '-',
              d.status
                ? `${d.status.peersWithRecentHandshake ?? d.status.peers.filter((p) => p.latestHandshake > now - 180).length}/${d.status.peerCount ?? d.status.peers.length}`
                : '-',
              d.status?.lastError ?? '',
            ]),
          ),
        );
      });
    group
      .command('remove <id>')
      .description(`remove a ${kind}; its credential stops working at once`)
      .action(async (id: string) => {
        await client(io).delete(`/admin/${kind}s/${encodeURIComponent(id)}`, NoContent);
        io.out(`${kind} ${id} removed`);
      });
  }

  admin
    .command('routes')
    .description('any user\u2019s routes, and the rule that granted or denied every plant they relate to')
    .requiredOption('--user <email>', 'the user')
    .option('--json', 'print the routes as JSON (the same shape as vpn routes --json)')
    .option('--explain-json', 'print routes and per-plant rules as JSON')
    .action(async (opts: { user: string; json?: boolean; explainJson?: boolean }) => {
      const report = await client(io).get(`/admin/routes?user=${encodeURIComponent(opts.user)}`, AdminRouteReport);
      if (opts.json) return printJson(io, report.routes.map(routeContractJson));
      if (opts.explainJson) return printJson(io, { ...report, routes: report.routes.map(routeContractJson) });
      io.out(`${report.user.name} <${report.user.email}>\n`);
      io.out(renderRoutes(report.routes));
      io.out('\nWhy, per related plant:');
      io.out(
        formatTable(
          ['ORGANIZATION', 'PLANT', 'ACCESS', 'VIA', 'RULE', 'ALL RULES'],
          report.plants.map((p) => [p.organization, p.plant, p.granted ? 'granted' : 'denied', p.via ?? '-', p.rule, p.rules.join('; ')]),
        ),
      );
    });

  admin
    .command('events')
    .description('profile and permission events (SPEC A4), newest first')
    .option('--user <email>', 'only events about this user')
    .option('--kind <kind>', 'only this kind (profile.issued, routes.changed, …)')
    .option('--limit <n>', 'how many', '200')
    .option('--json', 'print JSON')
    .action(async (opts: { user?: string; kind?: string; limit: string; json?: boolean }) => {
      const query = new URLSearchParams({ limit: opts.limit, ...(opts.user ? { user: opts.user } : {}), ...(opts.kind ? { kind: opts.kind } : {}) });
      const events = await client(io).get(`/admin/events?${query}`, z.array(EventInfo));
      if (opts.json) return printJson(io, events);
      io.out(formatTable(['ID', 'AT', 'KIND', 'ACTOR', 'SUBJECT', 'DETAILS'], events.map((e) => [String(e.id), e.at, e.kind, e.actor ?? '-', e.subject ?? '-', summarise(e.details)])));
    });
}

async function readFleetFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`-f: cannot read ${file}: ${(e as Error).message}`, 2);
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new CliError(`${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`, 2);
  }
}

function summarise(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (Array.isArray(value)) parts.push(`${key}: ${value.length ? value.slice(0, 3).join(', ') + (value.length > 3 ? ` (+${value.length - 3})` : '') : '-'}`);
    else parts.push(`${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join('; ');
}
