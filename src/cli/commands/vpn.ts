import { existsSync, readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { dialEndpoint, regionComment, renderProfileConf } from '../../core/render/profile-conf.ts';
import { readOwnedLines, updateOwnedLines } from '../../core/render/wireguard-conf-update.ts';
import { renderOpenVpnProfile } from '../../core/render/openvpn-profile.ts';
import { chooseRegion, openVpnRemotes, type RegionEndpoint } from '../../core/render/profile-endpoints.ts';
import { ProfileConfigParts, ProfileGatewayStatus, ProfileInfo, type ProfileKeyRequest, type ProfileType, RouteView, routeContractJson } from '../../core/wire/api.ts';
import { generateWireGuardKeyPair, wireGuardPublicKey } from '../../crypto/wireguard-keys.ts';
import { type PendingFile, pendingFile } from '../config-file.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { formatBytes } from '../../core/render/format-bytes.ts';
import { formatTable } from '../table.ts';
import { ownClientStatus, registerOwnClientCommands } from './vpn-client.ts';
import { registerVpnSessionsCommand } from './vpn-sessions.ts';
import { DEFAULT_STATE_DIR } from '../../own-client/state-file.ts';

export function registerVpnCommands(program: Command, io: Io): void {
  const vpn = program.command('vpn').description('your personal VPN profile and its routes');

  vpn
    .command('issue')
    .description(
      'generate a key pair here, register the public key (WireGuard) or have a certificate signed (OpenVPN), write the complete config (shown once)',
    )
    .requiredOption('--out <file>', 'where to write the config (mode 0600); - for standard output')
    .addOption(new Option('--type <type>', 'wireguard (.conf) or openvpn (.ovpn: OpenVPN 2.6, OpenVPN Connect)').choices(['wireguard', 'openvpn']).default('wireguard'))
    .option('--region <name>', 'region to dial (default: the first region)')
    .option('--force', 'overwrite an existing file')
    .action(async (opts: { out: string; type: ProfileType; region?: string; force?: boolean }) => {
      await writeProfile(io, opts, opts.type, (body) => client(io).post('/vpn/profile', body, ProfileConfigParts), 'issued');
    });

  vpn
    .command('rotate')
    .description('replace the key pair (OpenVPN: and the certificate; same tunnel IP and route preferences); writes the new config')
    .requiredOption('--out <file>', 'where to write the config (mode 0600); - for standard output')
    .option('--region <name>', 'region to dial (default: the first region)')
    .option('--force', 'overwrite an existing file')
    .action(async (opts: { out: string; region?: string; force?: boolean }) => {
      // a rotate keeps the profile's type: ask which it is
      const current = await client(io).get('/vpn/profile', ProfileConfigParts);
      await writeProfile(io, opts, current.profile.kind, (body) => client(io).post('/vpn/profile/rotate', body, ProfileConfigParts), 'rotated');
    });

  vpn
    .command('refresh')
    .description('update a config file you already have with the current routes (AllowedIPs) and region endpoint; the key and your own lines (MTU, DNS, comments) stay')
    .requiredOption('--config <file>', 'the WireGuard config written by issue or rotate')
    .option('--region <name>', 'region to dial (default: the one in the file, else the first)')
    .action(async (opts: { config: string; region?: string }) => {
      let text: string;
      try {
        text = readFileSync(opts.config, 'utf8');
      } catch (e) {
        throw new CliError(`--config: cannot read ${opts.config}: ${(e as Error).message}`, 'usage');
      }
      const current = readOwnedLines(text);
      if (!current.privateKey) throw new CliError(`--config: ${opts.config} has no PrivateKey line`, 'usage');
      let publicKey: string;
      try {
        publicKey = wireGuardPublicKey(current.privateKey);
      } catch {
        throw new CliError(`--config: ${opts.config} has a PrivateKey that is not a WireGuard key`, 'usage');
      }
      const file = openPending(opts.config, '--config');
      try {
        const parts = await client(io).get('/vpn/profile', ProfileConfigParts);
        if (parts.profile.kind === 'openvpn') throw new CliError('your profile is an OpenVPN profile: its routes are pushed at every connect, there is nothing to refresh', 'conflict');
        if (publicKey !== parts.profile.publicKey) {
          throw new CliError(`--config: ${opts.config} holds another key than your active profile (rotated or revoked?): use plantgate vpn rotate --out FILE`, 'conflict');
        }
        const fromFile = parts.regions.find((r) => r.name === current.region) ?? parts.regions.find((r) => r.endpoint === current.endpoint);
        const region = pickRegion(parts, opts.region ?? fromFile?.name);
        const updated = updateOwnedLines(text, {
          peerPublicKey: parts.servicePublicKey,
          endpoint: dialEndpoint(parts, region),
          allowedIps: parts.allowedIps,
          regionComment: regionComment(parts, region),
        });
        if (!updated.ok) throw new CliError(`--config: ${opts.config}: ${updated.message}`, updated.reason === 'no-service-peer' ? 'usage' : 'error');
        file.commit(updated.text, true);
        io.out(`${opts.config} refreshed: AllowedIPs ${parts.allowedIps.join(', ')}; ${dialsWhat(parts, region)}. Reload it in your WireGuard client.`);
      } catch (e) {
        file.abandon();
        throw e;
      }
    });

  vpn
    .command('revoke')
    .description('revoke your profile at once; every gateway drops it')
    .action(async () => {
      const revoked = await client(io).post('/vpn/profile/revoke', {}, ProfileInfo);
      io.out(`profile revoked (tunnel IP ${revoked.tunnelIp}); issue a new one with plantgate vpn issue`);
    });

  vpn
    .command('show')
    .description('your active profile')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const parts = await client(io).get('/vpn/profile', ProfileConfigParts);
      if (opts.json) return printJson(io, parts);
      const p = parts.profile;
      io.out(
        [
          `profile     ${p.id} (${p.kind}, ${p.status})`,
          `tunnel IP   ${p.tunnelIp}`,
          p.certificate ? `certificate ${p.certificate.serial} (SHA-256 ${p.certificate.fingerprint}, valid until ${p.certificate.notAfter})` : `public key  ${p.publicKey}`,
          `issued      ${p.createdAt}${p.rotatedAt ? `, rotated ${p.rotatedAt}` : ''}`,
          `regions     ${parts.regions.map((r) => `${r.name} (${r.endpoint})`).join(', ') || 'none'}`,
          `${p.kind === 'openvpn' ? 'routes now ' : 'AllowedIPs  '}${parts.allowedIps.join(', ')}`,
        ].join('\n'),
      );
    });

  vpn
    .command('status')
    .description('the tunnel of plantgate vpn up when it runs here (region, gateway, endpoint, handshake, bytes, routes); else what each gateway last reported about your profile')
    .option('--json', 'print JSON')
    .option('--state-dir <dir>', 'where vpn up keeps its status', DEFAULT_STATE_DIR)
    .action(async (opts: { json?: boolean; stateDir: string }) => {
      if (ownClientStatus(io, opts.stateDir, Boolean(opts.json))) return;
      const rows = await client(io).get('/vpn/profile/status', ProfileStatusRows);
      if (opts.json) return printJson(io, rows);
      if (rows.length === 0) return io.out('no gateway has seen a handshake yet (gateways report every few seconds once your WireGuard client connects)');
      io.out(
        formatTable(
          // The gateway counts from its side: what it received is what you sent.
          ['REGION', 'GATEWAY', 'LAST HANDSHAKE', 'SENT BY YOU', 'RECEIVED BY YOU', 'REPORTED'],
          rows.map((r) => [r.region, r.gateway, r.lastHandshakeAt ?? 'none yet', formatBytes(r.rxBytes), formatBytes(r.txBytes), r.reportedAt]),
        ),
      );
    });

  registerVpnSessionsCommand(vpn, io);
  registerOwnClientCommands(vpn, io);

  vpn
    .command('routes')
    .description('every plant subnet you reach, its mapped prefix, native state and conflicts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const routes = await client(io).get('/vpn/routes', RouteViews);
      if (opts.json) printJson(io, routes.map(routeContractJson));
      else io.out(renderRoutes(routes));
    });

  vpn
    .command('prefer')
    .description('make this plant the priority of its conflict group (its native addresses win)')
    .requiredOption('--plant <plant>', 'plant name, Org/Plant, or id')
    .requiredOption('--subnet <cidr>', 'the plant subnet')
    .option('--json', 'print the new routes as JSON')
    .action(async (opts: { plant: string; subnet: string; json?: boolean }) => {
      const routes = await client(io).put('/vpn/routes/priority', { plant: opts.plant, subnet: opts.subnet }, RouteViews);
      if (opts.json) return printJson(io, routes.map(routeContractJson));
      io.out(`${opts.plant} ${opts.subnet} now has priority.\n${renderRoutes(routes)}`);
      io.out(NATIVE_HINT);
    });

  const route = vpn.command('route').description('switch single routes off and on');
  for (const action of ['disable', 'enable'] as const) {
    route
      .command(action)
      .description(action === 'disable' ? 'switch a route off (neither native nor mapped addresses)' : 'switch a route back on')
      .requiredOption('--plant <plant>', 'plant name, Org/Plant, or id')
      .requiredOption('--subnet <cidr>', 'the plant subnet')
      .option('--json', 'print the new routes as JSON')
      .action(async (opts: { plant: string; subnet: string; json?: boolean }) => {
        const path = action === 'disable' ? '/vpn/routes/disabled' : '/vpn/routes/enabled';
        const routes = await client(io).put(path, { plant: opts.plant, subnet: opts.subnet }, RouteViews);
        if (opts.json) return printJson(io, routes.map(routeContractJson));
        io.out(`${opts.plant} ${opts.subnet} ${action}d.\n${renderRoutes(routes)}`);
      });
  }
}

const RouteViews = z.array(RouteView);
const ProfileStatusRows = z.array(ProfileGatewayStatus);

const NATIVE_HINT =
  'Mapped addresses work at once. For native addresses your WireGuard config needs the prefix in AllowedIPs: run `plantgate vpn refresh --config FILE`.';

export function renderRoutes(routes: RouteView[]): string {
  if (routes.length === 0) return 'no routes: your permissions open no plant subnet';
  return formatTable(
    ['ORGANIZATION', 'PLANT', 'SUBNET', 'MAPPED', 'NATIVE', 'STATE', 'VIA', 'CONFLICTS WITH'],
    routes.map((r) => [
      r.organization,
      r.plant,
      r.subnet,
      r.mapped,
      r.native ? 'yes' : 'no',
      r.state === 'conflict' ? 'CONFLICT' : r.state,
      r.via,
      r.conflictsWith.map((c) => `${c.plant} ${c.subnet}`).join(', '),
    ]),
  );
}

function pickRegion(parts: ProfileConfigParts, name: string | undefined): { name: string; endpoint: string } {
  const region = name ? parts.regions.find((r) => r.name === name) : parts.regions[0];
  if (!region) throw new CliError(`--region: no region "${name}" (have: ${parts.regions.map((r) => r.name).join(', ') || 'none'})`, 'usage');
  return region;
}

function openPending(path: string, flag: string): PendingFile {
  try {
    return pendingFile(path);
  } catch (e) {
    throw new CliError(`${flag}: cannot write beside ${path}: ${(e as Error).message}`, 'usage');
  }
}

/**
 * The private key exists only here: generated, written into the config file, forgotten.
 * The temporary file is created before the server is asked (a profile is never
 * registered for a config that could not be written), and renamed over `--out` only
 * once the server has answered and the whole config is on disk: with the server away,
 * the old file and its key stay as they were (issue 7 item 11).
 */
async function writeProfile(
  io: Io,
  opts: { out: string; region?: string; force?: boolean },
  type: ProfileType,
  register: (body: ProfileKeyRequest) => Promise<ProfileConfigParts>,
  verb: string,
): Promise<void> {
  const toStdout = opts.out === '-';
  if (!toStdout && existsSync(opts.out) && !opts.force) throw new CliError(`--out: ${opts.out} exists; pass --force to overwrite it`, 'usage');
  const file: PendingFile | null = toStdout ? null : openPending(opts.out, '--out');
  let registered = false;
  try {
    const device = await deviceCredential(type);
    const parts = await register(device.body);
    registered = true;
    // The key is registered now: a config must be written even if --region names no region.
    const region = chooseRegion(parts.regions, opts.region) ?? pickRegion(parts, undefined);
    if (opts.region !== undefined && region.name !== opts.region) {
      io.err(`warning: --region: no region "${opts.region}" (have: ${parts.regions.map((r) => r.name).join(', ')}); wrote the config for ${region.name} (switch with plantgate vpn refresh --region NAME)`);
    }
    const text = device.render(parts, region, verb);
    if (file === null) return io.out(text.trimEnd());
    file.commit(text, Boolean(opts.force));
    const what = type === 'openvpn' ? `certificate ${parts.profile.certificate?.serial ?? ''}, ` : '';
    io.out(`profile ${verb}: ${type}, ${what}tunnel IP ${parts.profile.tunnelIp}, ${dialsWhat(parts, region)}; config written to ${opts.out} (mode 0600). The private key exists only in that file.`);
  } catch (e) {
    file?.abandon();
    if (registered && !(e instanceof CliError)) {
      throw new CliError(`the profile was ${verb} but its config could not be written (${(e as Error).message}); run plantgate vpn rotate --out FILE to get a working one`);
    }
    throw e;
  }
}

type DeviceCredential = { body: ProfileKeyRequest; render: (parts: ProfileConfigParts, region: RegionEndpoint, verb: string) => string };

/** The key pair made here: WireGuard (the public key is sent) or OpenVPN (a CSR is sent; the .ovpn is assembled here around the signed certificate). */
async function deviceCredential(type: ProfileType): Promise<DeviceCredential> {
  if (type === 'wireguard') {
    const keys = generateWireGuardKeyPair();
    return { body: { publicKey: keys.publicKey }, render: (parts, region, verb) => renderProfileConf(parts, keys.privateKey, region, verb, new Date()) };
  }
  // loaded only here: the X.509 library is not needed by any other command
  const { createDeviceCsr } = await import('../../crypto/profile-csr.ts');
  const device = await createDeviceCsr();
  return {
    body: { type: 'openvpn', csr: device.csrPem },
    render: (parts, region, verb) => {
      const openvpn = parts.openvpn;
      if (!openvpn?.certificate) throw new Error('the control plane answered without a signed certificate');
      const result = renderOpenVpnProfile({
        profileId: parts.profile.id,
        verb,
        at: new Date(),
        remotes: openVpnRemotes(parts.regions, region, openvpn.port, parts.serviceEndpoint),
        ca: openvpn.ca,
        certificate: openvpn.certificate,
        privateKey: device.privateKeyPem,
        tlsCrypt: openvpn.tlsCrypt,
      });
      if (!result.ok) throw new Error(`${result.field} ${result.message}`);
      return result.text;
    },
  };
}

/** "endpoint vpn.example.com:51820 (every region)" or "region eu-central (host:port)". */
function dialsWhat(parts: ProfileConfigParts, region: { name: string; endpoint: string }): string {
  return parts.serviceEndpoint ? `endpoint ${parts.serviceEndpoint} (every region: ${parts.regions.map((r) => r.name).join(', ')})` : `region ${region.name} (${region.endpoint})`;
}
