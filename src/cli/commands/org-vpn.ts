import type { Command } from 'commander';
import { formatBytes } from '../../core/render/format-bytes.ts';
import { renderOrgVpnConf, renderOrgVpnOvpn } from '../../core/render/org-vpn-conf.ts';
import { SESSION_PAGE_MAX, type SessionPage, type VpnSession, sessionContractJson } from '../../core/wire/sessions.ts';
import { type OrgVpnClientCredentials, type OrgVpnView, orgVpnApi } from '../../core/wire/org-vpn.ts';
import { generateWireGuardKeyPair } from '../../crypto/wireguard-keys.ts';
import { callEndpoint } from '../api-client.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { collect } from '../org-args.ts';
import { formatTable } from '../table.ts';
import { profileTarget } from './site-vpn-clients.ts';

const ORG_HELP = 'the organization (its id, or its exact name)';

/**
 * `plantgate org-vpn …` (issue 12, SPEC O1): an organization's shared VPN in one region, the
 * plants routed through it and its clients. A client's key pair is made here; only the
 * public key goes to the server, and the config file is written once (--out, mode 0600).
 */
export function registerOrgVpnCommands(program: Command, io: Io): void {
  const vpn = program.command('org-vpn').description('organization VPNs: a shared tunnel in a region for the whole team (SPEC O1)');

  vpn
    .command('list')
    .description("the organization's VPNs")
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; json?: boolean }) => {
      const list = await callEndpoint(client(io), orgVpnApi.list, { params: { org: opts.org } });
      if (opts.json) return printJson(io, list);
      if (list.length === 0) return io.out(`${opts.org} has no organization VPN (plantgate org-vpn create NAME --org ${opts.org} --region REGION)`);
      io.out(formatTable(['NAME', 'REGION', 'PLANTS', 'CLIENTS', 'ROUTES'], list.map((v) => [v.name, v.region, String(v.plants.length), String(v.clients.length), String(v.routes.length)])));
    });

  vpn
    .command('show <vpn>')
    .description('one VPN: plants, clients and routes')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { org: string; json?: boolean }) => {
      const view = await callEndpoint(client(io), orgVpnApi.show, { params: { org: opts.org, vpn: name } });
      if (opts.json) return printJson(io, view);
      io.out(renderVpn(view));
    });

  vpn
    .command('create <name>')
    .description('create an organization VPN in a region (WireGuard, or OpenVPN with certificates)')
    .requiredOption('--org <org>', ORG_HELP)
    .requiredOption('--region <region>', 'the region its clients connect to')
    .option('--plant <plant>', 'a plant to route through it: own, or shared with Operator (repeat)', collect)
    .option('--protocol <protocol>', 'wireguard (default) | openvpn: what its clients run; chosen once', 'wireguard')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { org: string; region: string; plant?: string[]; protocol: string; json?: boolean }) => {
      if (opts.protocol !== 'wireguard' && opts.protocol !== 'openvpn') throw new CliError(`--protocol: "${opts.protocol}" is not wireguard or openvpn`, 'usage');
      const view = await callEndpoint(client(io), orgVpnApi.create, {
        params: { org: opts.org },
        body: { name, region: opts.region, plants: opts.plant, ...(opts.protocol === 'openvpn' ? { protocol: 'openvpn' as const } : {}) },
        labels: { region: '--region', plants: '--plant', protocol: '--protocol' },
      });
      if (opts.json) return printJson(io, view);
      io.out(renderVpn(view));
    });

  vpn
    .command('edit <vpn>')
    .description('rename an organization VPN')
    .requiredOption('--org <org>', ORG_HELP)
    .requiredOption('--name <name>', 'the new name')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { org: string; name: string; json?: boolean }) => {
      const view = await callEndpoint(client(io), orgVpnApi.update, { params: { org: opts.org, vpn: name }, body: { name: opts.name }, labels: { name: '--name' } });
      if (opts.json) return printJson(io, view);
      io.out(renderVpn(view));
    });

  vpn
    .command('delete <vpn>')
    .description('delete an organization VPN: every client is cut at once')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { org: string; json?: boolean }) => {
      const result = await callEndpoint(client(io), orgVpnApi.remove, { params: { org: opts.org, vpn: name } });
      if (opts.json) return printJson(io, result);
      io.out(`organization VPN ${name} deleted; its clients are cut (revision ${result.revision})`);
    });

  const plant = vpn.command('plant').description('plants routed through a VPN');
  for (const [verb, endpoint, help] of [
    ['add', orgVpnApi.addPlant, 'route a plant through the VPN'],
    ['remove', orgVpnApi.removePlant, 'take a plant out: its routes go, open connections are cut'],
  ] as const) {
    plant
      .command(`${verb} <vpn> <plant>`)
      .description(help)
      .requiredOption('--org <org>', ORG_HELP)
      .option('--json', 'print JSON')
      .action(async (name: string, plantRef: string, opts: { org: string; json?: boolean }) => {
        const view =
          endpoint === orgVpnApi.addPlant
            ? await callEndpoint(client(io), orgVpnApi.addPlant, { params: { org: opts.org, vpn: name }, body: { plant: plantRef } })
            : await callEndpoint(client(io), orgVpnApi.removePlant, { params: { org: opts.org, vpn: name, plant: plantRef } });
        if (opts.json) return printJson(io, view);
        io.out(renderVpn(view));
      });
  }

  const clients = vpn.command('client').description("a VPN's sites (office routers) and devices (shared machines)");
  clients
    .command('list <vpn>')
    .description('the clients (public keys or certificate serials only)')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { org: string; json?: boolean }) => {
      const list = await callEndpoint(client(io), orgVpnApi.clients, { params: { org: opts.org, vpn: name } });
      if (opts.json) return printJson(io, list);
      if (list.length === 0) return io.out(`${name} has no client`);
      io.out(formatTable(['NAME', 'KIND', 'TUNNEL IP', 'NETWORKS', 'CREATED'], list.map((c) => [c.name, c.kind, c.tunnelIp, c.networks.join(', ') || '-', c.createdAt])));
    });

  clients
    .command('add <vpn>')
    .description('add a site or a device; the key pair is made here and the config is shown only now')
    .requiredOption('--org <org>', ORG_HELP)
    .requiredOption('--name <name>', 'the client\u2019s name')
    .requiredOption('--kind <kind>', 'site (an office/control-room router) | device (a shared machine)')
    .option('--network <cidr>', 'sites: a network behind the router, an organization VPN route (repeat)', collect)
    .option('--out <file>', 'write the config (.conf for WireGuard, .ovpn for OpenVPN) to this new file (mode 0600) instead of printing it')
    .option('--json', 'print the client (and the config, unless --out) as JSON')
    .action(async (name: string, opts: { org: string; name: string; kind: string; network?: string[]; out?: string; json?: boolean }) => {
      if (opts.kind !== 'site' && opts.kind !== 'device') throw new CliError(`--kind: "${opts.kind}" is not site or device`, 'usage');
      const api = client(io);
      // the VPN's protocol decides what is made here: a WireGuard pair, or an ECDSA key and its CSR
      const { protocol } = await callEndpoint(api, orgVpnApi.show, { params: { org: opts.org, vpn: name } });
      const device = await clientKeys(protocol);
      const target = profileTarget(opts.out);
      let credentials: OrgVpnClientCredentials;
      try {
        credentials = await callEndpoint(api, orgVpnApi.addClient, {
          params: { org: opts.org, vpn: name },
          body: { name: opts.name, kind: opts.kind, networks: opts.network, ...device.body },
          labels: { name: '--name', kind: '--kind', networks: '--network' },
        });
      } catch (e) {
        target?.abandon();
        throw e;
      }
      const text = device.render(credentials, new Date());
      const what = `${credentials.client.kind} ${credentials.client.name} (${credentials.client.tunnelIp})`;
      if (opts.json) printJson(io, target === null ? { client: credentials.client, config: text } : credentials.client);
      if (target !== null && opts.out !== undefined) {
        try {
          target.commit(text, false);
          io.err(`config of ${what} written to ${opts.out} (mode 0600). It is shown only now: plantgate keeps no copy of its private key.`);
          return;
        } catch (e) {
          target.abandon();
          io.err(`--out: writing ${opts.out} failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the config follows instead.`);
        }
      } else if (opts.json) return;
      io.err(`config of ${what} follows. It is shown only now: plantgate keeps no copy of its private key.`);
      io.out(text.trimEnd());
    });

  clients
    .command('sessions <vpn> <client>')
    .description("a client's current and past sessions, newest first: start, end, source address, country, bytes, region and gateway")
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'print JSON (per session: start, end, sourceAddress, country, bytesIn, bytesOut, region, gateway)')
    .option('--limit <n>', 'how many sessions (newest first)', '50')
    .option('--all', 'every session (pages through all of them)')
    .action(async (name: string, clientRef: string, opts: { org: string; json?: boolean; limit: string; all?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit: must be a whole number of at least 1', 'usage');
      const sessions: VpnSession[] = [];
      let cursor: string | null = null;
      do {
        const want = opts.all ? SESSION_PAGE_MAX : Math.min(SESSION_PAGE_MAX, limit - sessions.length);
        const page: SessionPage = await callEndpoint(client(io), orgVpnApi.clientSessions, {
          params: { org: opts.org, vpn: name, client: clientRef },
          query: { limit: want, ...(cursor ? { cursor } : {}) },
        });
        sessions.push(...page.sessions);
        cursor = page.next;
      } while (cursor && (opts.all || sessions.length < limit));
      if (opts.json) return printJson(io, sessions.map(sessionContractJson));
      if (sessions.length === 0) return io.out(`${clientRef} has no session yet (one starts when a gateway reports the client connected)`);
      io.out(
        formatTable(
          // the gateway counts from its side: what it received is what the client sent
          ['START', 'END', 'SOURCE', 'COUNTRY', 'SENT BY CLIENT', 'RECEIVED BY CLIENT', 'REGION', 'GATEWAY'],
          sessions.map((s) => [s.start, s.end ?? 'connected', s.sourceAddress ?? '-', s.country ?? '-', formatBytes(s.bytesIn), formatBytes(s.bytesOut), s.region, s.gateway]),
        ),
      );
    });

  clients
    .command('remove <vpn> <client>')
    .description('remove a client: it is cut at once')
    .requiredOption('--org <org>', ORG_HELP)
    .option('--json', 'print JSON')
    .action(async (name: string, clientRef: string, opts: { org: string; json?: boolean }) => {
      const result = await callEndpoint(client(io), orgVpnApi.removeClient, { params: { org: opts.org, vpn: name, client: clientRef } });
      if (opts.json) return printJson(io, result);
      io.out(`client ${clientRef} removed from ${name}; it is cut (revision ${result.revision})`);
    });
}

type ClientKeys = { body: { publicKey: string } | { csr: string }; render: (credentials: OrgVpnClientCredentials, now: Date) => string };

/** The key made here; only its public half (WireGuard) or a CSR over it (OpenVPN) is sent. */
async function clientKeys(protocol: OrgVpnView['protocol']): Promise<ClientKeys> {
  if (protocol === 'wireguard') {
    const keys = generateWireGuardKeyPair();
    return { body: { publicKey: keys.publicKey }, render: (credentials, now) => renderOrgVpnConf(credentials, keys.privateKey, now) };
  }
  // loaded only here, as for `vpn issue --type openvpn`: the X.509 library is not needed by any other command
  const { createDeviceCsr } = await import('../../crypto/profile-csr.ts');
  const device = await createDeviceCsr();
  return {
    body: { csr: device.csrPem },
    render: (credentials, now) => {
      const result = renderOrgVpnOvpn(credentials, device.privateKeyPem, now);
      if (!result.ok) throw new CliError(`the control plane's answer cannot make a .ovpn: ${result.field} ${result.message}`);
      return result.text;
    },
  };
}

function renderVpn(view: OrgVpnView): string {
  const lines = [`${view.name}  (organization ${view.organization}, region ${view.region}, ${view.protocol}, id ${view.id})`, '', 'PLANTS'];
  if (view.plants.length === 0) lines.push('  none (plantgate org-vpn plant add VPN PLANT)');
  for (const p of view.plants) lines.push(`  ${p.name} (${p.organization}, ${p.via ?? 'not routed'}${p.routed ? '' : ': cooperation ended or no Operator'})`);
  lines.push('', 'CLIENTS');
  if (view.clients.length === 0) lines.push('  none (plantgate org-vpn client add VPN --kind site|device)');
  for (const c of view.clients) lines.push(`  ${c.name}  ${c.kind}  ${c.tunnelIp}${c.certificate ? `  certificate ${c.certificate.serial}` : ''}${c.networks.length ? `  networks ${c.networks.join(', ')}` : ''}`);
  lines.push('', 'ROUTES');
  if (view.routes.length === 0) lines.push('  none');
  else lines.push(formatTable(['PLANT', 'SUBNET', 'MAPPED', 'NATIVE'], view.routes.map((r) => [r.plant, r.subnet, r.mapped, r.native ? 'yes' : 'no (conflict: mapped only)'])));
  return lines.join('\n');
}
