import type { Command } from 'commander';
import { directVpnApi } from '../../core/wire/direct-vpn.ts';
import { callEndpoint } from '../api-client.ts';
import { type Io, client, printJson } from '../context.ts';
import { renderDiagnosis, renderLogs } from '../live-render.ts';
import { renderChanges } from '../org-render.ts';

const PLANT_HELP = 'the plant (its id, or its exact name)';

/** `plantgate site-vpn restart|logs|diagnose` (D7): actions on a running direct VPN. */
export function registerSiteVpnOpsCommands(siteVpn: Command, io: Io): void {
  siteVpn
    .command('restart <vpn>')
    .description('tear the tunnel down and bring it up again (the agent does it within one sync)')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--json', 'print JSON')
    .action(async (vpn: string, opts: { plant: string; json?: boolean }) => {
      const result = await callEndpoint(client(io), directVpnApi.restart, { params: { id: opts.plant, vpn } });
      if (opts.json) return printJson(io, result);
      io.out(renderChanges({ changes: result.changes, revision: result.revision }));
    });

  siteVpn
    .command('logs <vpn>')
    .description("the tunnel's recent log lines as the plant's agent reported them (secrets redacted)")
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--json', 'print JSON')
    .action(async (vpn: string, opts: { plant: string; json?: boolean }) => {
      const logs = await callEndpoint(client(io), directVpnApi.logs, { params: { id: opts.plant, vpn } });
      if (opts.json) return printJson(io, logs);
      io.out(renderLogs(logs));
    });

  siteVpn
    .command('diagnose <vpn>')
    .description('why a tunnel is not connected: endpoint resolvable and reachable, handshake, routes, keys — each failed check says what to fix')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--json', 'print JSON')
    .action(async (vpn: string, opts: { plant: string; json?: boolean }) => {
      const diagnosis = await callEndpoint(client(io), directVpnApi.diagnose, { params: { id: opts.plant, vpn } });
      if (opts.json) return printJson(io, diagnosis);
      io.out(renderDiagnosis(vpn, diagnosis));
    });
}
