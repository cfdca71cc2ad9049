import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DiscoveryViewWire, discoveryApi } from '../../core/wire/direct-vpn.ts';
import { orgApi } from '../../core/wire/org.ts';
import { callEndpoint } from '../api-client.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { renderDiscovery } from '../live-render.ts';
import { collect, portArgument } from '../org-args.ts';

/**
 * `plantgate plant discover` (SPEC D11): the plant's agent probes its real subnets (ICMP and
 * TCP connects to common ports, bounded in hosts, rate and time); the CLI waits for the
 * answer and lists what answered. `--save IP[=NAME]` saves found hosts as network devices.
 */
export function registerPlantCommands(program: Command, io: Io): void {
  const plant = program.command('plant').description("a plant's network: discover the devices behind its agent");
  plant
    .command('discover')
    .description("probe the plant's subnets from its agent (ICMP, TCP 22, 80, 443, 502, 102, 44818, 4840 by default) and list what answered")
    .requiredOption('--plant <plant>', 'the plant (its id, or its exact name)')
    .option('--subnet <cidr>', "a real subnet of the plant to probe (repeat; default: all the plant's subnets)", collect)
    .option('--port <port>', 'a TCP port to probe (repeat; replaces the default list)', portArgument)
    .option('--save <ip[=name]>', 'save a found host as a network device (repeat; needs --org)', collect)
    .option('--org <org>', "the plant's organization (for --save)")
    .option('--wait <seconds>', 'give up waiting after this long', (v) => Number(v), 180)
    .option('--json', 'print the discovery as JSON')
    .action(async (opts: { plant: string; subnet?: string[]; port?: number[]; save?: string[]; org?: string; wait: number; json?: boolean }) => {
      if (opts.save && !opts.org) throw new CliError('--save: name the organization with --org (devices belong to a plant of an organization)', 'usage');
      const api = client(io);
      let view: DiscoveryViewWire = await callEndpoint(api, discoveryApi.start, {
        params: { id: opts.plant },
        body: { subnets: opts.subnet, ports: opts.port },
        labels: { subnets: '--subnet', ports: '--port' },
      });
      const deadline = Date.now() + opts.wait * 1000;
      while (view.status === 'pending' && Date.now() < deadline) {
        await sleep(1000);
        view = await callEndpoint(api, discoveryApi.show, { params: { id: opts.plant, discovery: view.id } });
      }
      const saved: string[] = [];
      for (const entry of opts.save ?? []) {
        const [ip, name] = entry.split('=', 2);
        const host = view.hosts.find((h) => h.ip === ip);
        if (!host) throw new CliError(`--save: ${ip} did not answer the discovery`, 'not-found');
        await callEndpoint(api, orgApi.addDevice, {
          params: { org: opts.org as string, plant: opts.plant },
          body: { name: name || `device-${ip.replaceAll('.', '-')}`, ip, kind: 'device', ports: host.openPorts },
          labels: { name: '--save', ip: '--save' },
        });
        saved.push(`saved ${ip} as ${name || `device-${ip.replaceAll('.', '-')}`}`);
      }
      // under --json a run that did not finish prints only the {"error": …} document (one JSON document on stdout)
      if (!opts.json) io.out([renderDiscovery(view), ...saved].join('\n'));
      else if (view.status === 'done') printJson(io, view);
      if (view.status === 'pending') throw new CliError(`discovery ${view.id} still running after ${opts.wait} s: see it with the API (GET /plants/:id/discoveries/${view.id})`, 'error');
      if (view.status !== 'done') throw new CliError(`discovery ${view.id} ${view.status}: ${view.error ?? ''}`, 'error');
    });
}
