import { chmodSync, closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { renderWireGuardConf } from '../../core/render/wireguard-conf.ts';
import type { ProfileConfigParts, RouteView } from '../../core/wire/api.ts';
import { generateWireGuardKeyPair, publicKeyOf } from '../../crypto/wireguard-keys.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { formatTable } from '../table.ts';

export function registerVpnCommands(program: Command, io: Io): void {
  const vpn = program.command('vpn').description('your personal VPN profile and its routes');

  vpn
    .command('issue')
    .description('generate a key pair here, register the public key, write the complete WireGuard config (shown once)')
    .requiredOption('--out <file>', 'where to write the config (mode 0600); - for standard output')
    .option('--region <name>', 'region to dial (default: the first region)')
    .option('--force', 'overwrite an existing file')
    .action(async (opts: { out: string; region?: string; force?: boolean }) => {
      await writeProfile(io, opts, (publicKey) => client(io).post<ProfileConfigParts>('/vpn/profile', { publicKey }), 'issued');
    });

  vpn
    .command('rotate')
    .description('replace the key pair (same tunnel IP and route preferences); writes the new config')
    .requiredOption('--out <file>', 'where to write the config (mode 0600); - for standard output')
    .option('--region <name>', 'region to dial (default: the first region)')
    .option('--force', 'overwrite an existing file')
    .action(async (opts: { out: string; region?: string; force?: boolean }) => {
      await writeProfile(io, opts, (publicKey) => client(io).post<ProfileConfigParts>('/vpn/profile/rotate', { publicKey }), 'rotated');
    });

  vpn
    .command('refresh')
    .description('rewrite a config file you already have with the current routes (AllowedIPs) and regions; the key stays')
    .requiredOption('--config <file>', 'the WireGuard config written by issue or rotate')
    .option('--region <name>', 'region to dial (default: the one in the file, else the first)')
    .action(async (opts: { config: string; region?: string }) => {
      let text: string;
      try {
        text = readFileSync(opts.config, 'utf8');
      } catch (e) {
        throw new CliError(`--config: cannot read ${opts.config}: ${(e as Error).message}`, 2);
      }
      const privateKey = /^\s*PrivateKey\s*=\s*(\S+)\s*$/m.exec(text)?.[1];
      if (!privateKey) throw new CliError(`--config: ${opts.config} has no PrivateKey line`, 2);
      const parts = await client(io).get<ProfileConfigParts>('/vpn/profile');
      if (publicKeyOf(privateKey) !== parts.profile.publicKey) {
        throw new CliError(`--config: ${opts.config} holds another key than your active profile (rotated or revoked?): use plantgate vpn rotate --out FILE`);
      }
      const current = /^# region (\S+)/m.exec(text)?.[1];
      const region = pickRegion(parts, opts.region ?? (parts.regions.some((r) => r.name === current) ? current : undefined));
      writeFileSync(opts.config, renderProfile(parts, privateKey, region, 'refreshed'), { mode: 0o600 });
      chmodSync(opts.config, 0o600);
      io.out(`${opts.config} refreshed: AllowedIPs ${parts.allowedIps.join(', ')}; region ${region.name} (${region.endpoint}). Reload it in your WireGuard client.`);
    });

  vpn
    .command('revoke')
    .description('revoke your profile at once; every gateway drops it')
    .action(async () => {
      const revoked = await client(io).post<{ tunnelIp: string }>('/vpn/profile/revoke');
      io.out(`profile revoked (tunnel IP ${revoked.tunnelIp}); issue a new one with plantgate vpn issue`);
    });

  vpn
    .command('show')
    .description('your active profile')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const parts = await client(io).get<ProfileConfigParts>('/vpn/profile');
      if (opts.json) return printJson(io, parts);
      const p = parts.profile;
      io.out(
        [
          `profile     ${p.id} (${p.kind}, ${p.status})`,
          `tunnel IP   ${p.tunnelIp}`,
          `public key  ${p.publicKey}`,
          `issued      ${p.createdAt}${p.rotatedAt ? `, rotated ${p.rotatedAt}` : ''}`,
          `regions     ${parts.regions.map((r) => `${r.name} (${r.endpoint})`).join(', ') || 'none'}`,
          `AllowedIPs  ${parts.allowedIps.join(', ')}`,
        ].join('\n'),
      );
    });

  vpn
    .command('routes')
    .description('every plant subnet you reach, its mapped prefix, native state and conflicts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const routes = await client(io).get<RouteView[]>('/vpn/routes');
      if (opts.json) printJson(io, routes);
      else io.out(renderRoutes(routes));
    });

  vpn
    .command('prefer')
    .description('make this plant the priority of its conflict group (its native addresses win)')
    .requiredOption('--plant <plant>', 'plant name, Org/Plant, or id')
    .requiredOption('--subnet <cidr>', 'the plant subnet')
    .option('--json', 'print the new routes as JSON')
    .action(async (opts: { plant: string; subnet: string; json?: boolean }) => {
      const routes = await client(io).put<RouteView[]>('/vpn/routes/priority', { plant: opts.plant, subnet: opts.subnet });
      if (opts.json) return printJson(io, routes);
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
        const routes = await client(io).put<RouteView[]>(path, { plant: opts.plant, subnet: opts.subnet });
        if (opts.json) return printJson(io, routes);
        io.out(`${opts.plant} ${opts.subnet} ${action}d.\n${renderRoutes(routes)}`);
      });
  }
}

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
  if (!region) throw new CliError(`--region: no region "${name}" (have: ${parts.regions.map((r) => r.name).join(', ') || 'none'})`, 2);
  return region;
}

function renderProfile(parts: ProfileConfigParts, privateKey: string, region: { name: string; endpoint: string }, verb: string): string {
  const others = parts.regions.filter((r) => r.name !== region.name);
  return renderWireGuardConf({
    comments: [
      `plantgate personal VPN profile ${parts.profile.id}, ${verb} ${new Date().toISOString()}`,
      `region ${region.name}${others.length ? `; other regions: ${others.map((r) => `${r.name} ${r.endpoint}`).join(', ')}` : ''}`,
    ],
    privateKey,
    addresses: [`${parts.profile.tunnelIp}/32`],
    peers: [{ publicKey: parts.servicePublicKey, endpoint: region.endpoint, allowedIps: parts.allowedIps, persistentKeepalive: 25 }],
  });
}

/**
 * The private key exists only here: generated, written into the config file, forgotten.
 * The file is opened before the server is asked, so a profile is never registered for a
 * config that could not be written.
 */
async function writeProfile(
  io: Io,
  opts: { out: string; region?: string; force?: boolean },
  register: (publicKey: string) => Promise<ProfileConfigParts>,
  verb: string,
): Promise<void> {
  const toStdout = opts.out === '-';
  if (!toStdout && existsSync(opts.out) && !opts.force) throw new CliError(`--out: ${opts.out} exists; pass --force to overwrite it`, 2);
  const fd = toStdout ? null : openSync(opts.out, opts.force ? 'w' : 'wx', 0o600);
  try {
    const keys = generateWireGuardKeyPair();
    const parts = await register(keys.publicKey);
    const region = pickRegion(parts, opts.region);
    const text = renderProfile(parts, keys.privateKey, region, verb);
    if (fd === null) io.out(text.trimEnd());
    else {
      writeSync(fd, text);
      io.out(`profile ${verb}: tunnel IP ${parts.profile.tunnelIp}, region ${region.name} (${region.endpoint}); config written to ${opts.out} (mode 0600). The private key exists only in that file.`);
    }
  } catch (e) {
    if (fd !== null && !opts.force) {
      closeSync(fd);
      const { rmSync } = await import('node:fs');
      rmSync(opts.out, { force: true });
      throw e;
    }
    throw e;
  } finally {
    try {
      if (fd !== null) closeSync(fd);
    } catch {
      // already closed on the error path
    }
  }
}
