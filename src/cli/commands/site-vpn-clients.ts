import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { type DirectVpnClientCredentials, directVpnApi } from '../../core/wire/direct-vpn.ts';
import { callEndpoint } from '../api-client.ts';
import { pendingFile, type PendingFile } from '../config-file.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { collect } from '../org-args.ts';
import { renderChanges } from '../org-render.ts';
import { formatTable } from '../table.ts';

type Credentials = z.infer<typeof DirectVpnClientCredentials>;

const PLANT_HELP = 'the plant (its id, or its exact name)';

/**
 * Show-once profiles (issue 9, D6): written to `--out` (a new file, mode 0600, opened before
 * the server is asked so a bad path fails first) or printed; either way the user is told once
 * that plantgate keeps no copy. If writing fails after the server made the client, the
 * profile is printed rather than lost.
 */
export function profileTarget(out: string | undefined): PendingFile | null {
  if (out === undefined) return null;
  if (existsSync(out)) throw new CliError(`--out: ${out} exists; name a new file (the profile is shown only once and is never overwritten)`, 'usage');
  try {
    return pendingFile(out);
  } catch (e) {
    throw new CliError(`--out: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'usage');
  }
}

export function deliverProfile(io: Io, credentials: Credentials, target: PendingFile | null, out: string | undefined, quiet = false): void {
  const what = `${credentials.client.kind} client ${credentials.client.name} (${credentials.client.tunnelIp})`;
  if (target !== null && out !== undefined) {
    try {
      target.commit(credentials.profile, false);
      io.err(`profile of ${what} written to ${out} (mode 0600). It is shown only now: plantgate keeps no copy of its private key.`);
      return;
    } catch (e) {
      target.abandon();
      io.err(`--out: writing ${out} failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the profile follows instead.`);
    }
  }
  if (!quiet) io.err(`profile of ${what} (${credentials.fileName}) follows. It is shown only now: plantgate keeps no copy of its private key.`);
  io.out(credentials.profile.trimEnd());
}

/** `plantgate site-vpn client add|list|remove` for hosted servers (D9). */
export function registerSiteVpnClientCommands(siteVpn: Command, io: Io): void {
  const clients = siteVpn.command('client').description("a hosted server's site and user clients (show-once profiles)");

  clients
    .command('list <vpn>')
    .description('the clients of a hosted direct VPN (no keys)')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--json', 'print JSON')
    .action(async (vpn: string, opts: { plant: string; json?: boolean }) => {
      const list = await callEndpoint(client(io), directVpnApi.clients, { params: { id: opts.plant, vpn } });
      if (opts.json) return printJson(io, list);
      if (list.length === 0) return io.out(`direct VPN ${vpn} has no client`);
      io.out(
        formatTable(
          ['NAME', 'KIND', 'TUNNEL IP', 'SUBNETS', 'CONNECTED', 'CREATED'],
          list.map((c) => [c.name, c.kind, c.tunnelIp, c.subnets.join(', ') || '-', c.connected ? 'yes' : 'no', c.createdAt]),
        ),
      );
    });

  clients
    .command('add <vpn>')
    .description('add a site client (announcing --subnet) or a user client; its profile is shown only now')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .requiredOption('--name <name>', 'the client\u2019s name (its certificate\u2019s common name for OpenVPN)')
    .option('--kind <kind>', 'site | user', 'user')
    .option('--subnet <cidr>', 'site clients: a plant subnet behind it, within the direct VPN\u2019s (repeat)', collect)
    .option('--out <file>', 'write the profile to this new file (mode 0600) instead of printing it')
    .option('--json', 'print the client (and the profile, unless --out) as JSON')
    .action(async (vpn: string, opts: { plant: string; name: string; kind: string; subnet?: string[]; out?: string; json?: boolean }) => {
      const target = profileTarget(opts.out);
      let credentials: Credentials;
      try {
        credentials = await callEndpoint(client(io), directVpnApi.addClient, {
          params: { id: opts.plant, vpn },
          body: { name: opts.name, kind: opts.kind as 'user', subnets: opts.subnet },
          labels: { name: '--name', kind: '--kind', subnets: '--subnet' },
        });
      } catch (e) {
        target?.abandon();
        throw e;
      }
      if (opts.json && target === null) return printJson(io, credentials);
      if (opts.json) printJson(io, credentials.client);
      deliverProfile(io, credentials, target, opts.out, opts.json === true);
    });

  clients
    .command('remove <vpn> <client>')
    .description('remove a client: it is cut at once (WireGuard peer removed; OpenVPN certificate revoked, session killed)')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--json', 'print JSON')
    .action(async (vpn: string, name: string, opts: { plant: string; json?: boolean }) => {
      const result = await callEndpoint(client(io), directVpnApi.removeClient, { params: { id: opts.plant, vpn, client: name } });
      if (opts.json) return printJson(io, result);
      io.out(renderChanges({ changes: result.changes, revision: result.revision }));
    });
}
