import type { Command } from 'commander';
import { orgApi } from '../../core/wire/org.ts';
import { callEndpoint, serverCode } from '../api-client.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { collect, portArgument } from '../org-args.ts';
import { renderPlant, renderPlants } from '../org-render.ts';
import { formatTable } from '../table.ts';
import { JSON_HELP, printChange } from './org-common.ts';

/** `org plants`, `org plant …`, `org subnet …`, `org device …`. */
export function registerOrgPlantCommands(org: Command, io: Io): void {
  org
    .command('plants <org>')
    .description('plants with their subnets (native → mapped prefix), devices, portfolios and agent')
    .option('--json', JSON_HELP)
    .action(async (name: string, opts: { json?: boolean }) => {
      const plants = await callEndpoint(client(io), orgApi.plants, { params: { org: name } });
      if (opts.json) return printJson(io, plants);
      io.out(renderPlants(plants));
    });

  const plant = org.command('plant').description('one plant: show, add, rename, remove');
  plant
    .command('show <org> <plant>')
    .description('subnets with their mapped prefixes, devices with their mapped addresses, the agent and whether it is connected')
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, opts: { json?: boolean }) => {
      const detail = await callEndpoint(client(io), orgApi.plant, { params: { org: name, plant: plantName } });
      if (opts.json) return printJson(io, detail);
      io.out(renderPlant(detail));
    });
  plant
    .command('add <org> <name>')
    .description('add a plant; each subnet gets its own mapped prefix at once')
    .option('--subnet <cidr>', 'a subnet of the plant\u2019s network (repeat for more)', collect)
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, opts: { subnet?: string[]; json?: boolean }) => {
      const result = await callEndpoint(client(io), orgApi.createPlant, {
        params: { org: name },
        body: { name: plantName, subnets: opts.subnet ?? [] },
        labels: { name: 'NAME', subnets: '--subnet' },
      });
      printChange(io, result, opts.json);
    });
  plant
    .command('rename <org> <plant> <new-name>')
    .description('rename a plant (its subnets, mapped prefixes and job roles stay)')
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, newName: string, opts: { json?: boolean }) => {
      const result = await callEndpoint(client(io), orgApi.renamePlant, { params: { org: name, plant: plantName }, body: { name: newName }, labels: { name: 'NEW-NAME' } });
      printChange(io, result, opts.json);
    });
  plant
    .command('remove <org> <plant>')
    .description('remove a plant with its subnets, devices and job roles; every route to it ends (Admins only)')
    .option('--force', 'also when its agent is enrolled (the agent is removed too and stops working)')
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, opts: { force?: boolean; json?: boolean }) => {
      const result = await callEndpoint(client(io), orgApi.removePlant, { params: { org: name, plant: plantName }, query: { force: opts.force ? 'true' : undefined } }).catch(
        (e: unknown) => {
          if (serverCode(e) === 'plant-has-agent') throw new CliError(`${(e as Error).message}\nre-run with --force to remove the plant and its agent`, 'conflict');
          throw e;
        },
      );
      printChange(io, result, opts.json);
    });

  const subnet = org.command('subnet').description('a plant\u2019s subnets');
  subnet
    .command('add <org> <plant> <cidr>')
    .description('add a subnet; it gets its own mapped prefix (same size, host part kept)')
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, cidr: string, opts: { json?: boolean }) => {
      printChange(io, await callEndpoint(client(io), orgApi.addSubnet, { params: { org: name, plant: plantName }, body: { cidr }, labels: { cidr: 'CIDR' } }), opts.json);
    });
  subnet
    .command('remove <org> <plant> <cidr>')
    .description('remove a subnet; with devices behind it, lists them and changes nothing unless --yes')
    .option('--yes', 'remove it although devices are behind it')
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, cidr: string, opts: { yes?: boolean; json?: boolean }) => {
      const api = client(io);
      const params = { org: name, plant: plantName, subnet: cidr };
      const result = await callEndpoint(api, orgApi.removeSubnet, { params, query: { confirm: opts.yes ? 'true' : undefined } }).catch(async (e: unknown) => {
        if (serverCode(e) !== 'subnet-has-devices') throw e;
        // SPEC D8: say which devices are behind it before anything changes (the server's message speaks of confirm=true; here it is --yes).
        const detail = await callEndpoint(api, orgApi.plant, { params: { org: name, plant: plantName } }).catch(() => null);
        const subnetCidr = detail?.subnets.find((s) => s.cidr === cidr || s.id === cidr)?.cidr;
        const devices = detail?.devicesList.filter((d) => d.subnet !== null && d.subnet === subnetCidr) ?? [];
        if (!detail || devices.length === 0) throw new CliError(`${(e as Error).message}\nnothing was changed; re-run with --yes to remove the subnet and its devices`, 'conflict');
        const table = formatTable(['DEVICE', 'IP', 'MAPPED ADDRESS', 'KIND'], devices.map((d) => [d.name, d.ip, d.mappedIp ?? '-', d.kind]));
        throw new CliError(
          `subnet ${subnetCidr} of ${detail.name} has ${devices.length} device${devices.length === 1 ? '' : 's'} behind it; ${devices.length === 1 ? 'it is' : 'they are'} removed with it:\n${table}\nnothing was changed; re-run with --yes to remove the subnet and these devices`,
          'conflict',
        );
      });
      printChange(io, result, opts.json);
    });

  const device = org.command('device').description('network devices of a plant');
  device
    .command('add <org> <plant> <name>')
    .description('add a network device; it is reachable at its mapped address through the personal VPN')
    .requiredOption('--ip <ip>', 'its address in one of the plant\u2019s subnets')
    .option('--kind <kind>', 'what it is (inverter, logger, …)', 'device')
    .option('--port <port>', 'a port it serves (repeat for more)', portArgument)
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, deviceName: string, opts: { ip: string; kind: string; port?: number[]; json?: boolean }) => {
      const result = await callEndpoint(client(io), orgApi.addDevice, {
        params: { org: name, plant: plantName },
        body: { name: deviceName, ip: opts.ip, kind: opts.kind, ports: opts.port ?? [] },
        labels: { name: 'NAME', ip: '--ip', kind: '--kind', ports: '--port' },
      });
      printChange(io, result, opts.json);
    });
  device
    .command('set <org> <plant> <device>')
    .description('change a network device: what you do not give stays as it is')
    .option('--rename <new-name>', 'its new name')
    .option('--ip <ip>', 'its new address')
    .option('--kind <kind>', 'what it is')
    .option('--port <port>', 'a port it serves (repeat for more; replaces the list)', portArgument)
    .option('--no-ports', 'it serves no listed port')
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, deviceName: string, opts: { rename?: string; ip?: string; kind?: string; port?: number[]; ports: boolean; json?: boolean }) => {
      if (!opts.ports && opts.port) throw new CliError('--port and --no-ports: give only one', 'usage');
      const api = client(io);
      // PUT replaces the whole device: start from what it is now.
      const detail = await callEndpoint(api, orgApi.plant, { params: { org: name, plant: plantName } });
      const current = detail.devicesList.find((d) => d.name === deviceName || d.id === deviceName);
      if (!current) throw new CliError(`DEVICE: no device "${deviceName}" in ${detail.name}`, 'not-found');
      const result = await callEndpoint(api, orgApi.updateDevice, {
        params: { org: name, plant: plantName, device: current.id },
        body: { name: opts.rename ?? current.name, ip: opts.ip ?? current.ip, kind: opts.kind ?? current.kind, ports: opts.ports ? (opts.port ?? current.ports) : [] },
        labels: { name: '--rename', ip: '--ip', kind: '--kind', ports: '--port' },
      });
      printChange(io, result, opts.json);
    });
  device
    .command('remove <org> <plant> <device>')
    .description('remove a network device')
    .option('--json', JSON_HELP)
    .action(async (name: string, plantName: string, deviceName: string, opts: { json?: boolean }) => {
      printChange(io, await callEndpoint(client(io), orgApi.removeDevice, { params: { org: name, plant: plantName, device: deviceName } }), opts.json);
    });
}
