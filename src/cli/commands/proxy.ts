import { type Command, InvalidArgumentError } from 'commander';
import { type WebTargetView, proxyApi } from '../../core/wire/proxy.ts';
import { callEndpoint } from '../api-client.ts';
import { CliError, type Io, client, printJson } from '../context.ts';
import { formatTable } from '../table.ts';

const PLANT_HELP = 'the plant (its id, or its exact name)';
const JSON_HELP = 'print JSON instead of a table';
const LABELS = { device: '--device', scheme: '--scheme', port: '--port', path: '--path', name: '--name' };

/**
 * `plantgate proxy` (issue 12, SPEC O2; docs/browser-proxy.md): a plant's web targets — network
 * devices opened in the browser through the region gateways, no VPN client — and `open`, which
 * prints a one-time URL for one target (valid about 30 s, bound to this login).
 */
export function registerProxyCommands(program: Command, io: Io): void {
  const proxy = program.command('proxy').description('browser proxy: open a plant device\u2019s web interface in the browser, no VPN client');
  const targets = proxy.command('targets').description("a plant's web targets (managed by its organization's Admins and Moderators and its Operator job role)");

  targets
    .command('list')
    .description('the web targets of a plant, or (without --plant) every target you may open')
    .option('--plant <plant>', PLANT_HELP)
    .option('--json', JSON_HELP)
    .action(async (opts: { plant?: string; json?: boolean }) => {
      const api = client(io);
      const list = opts.plant === undefined ? await callEndpoint(api, proxyApi.mine) : await callEndpoint(api, proxyApi.list, { params: { id: opts.plant } });
      if (opts.json) return printJson(io, list);
      if (list.length === 0) return io.out(opts.plant === undefined ? 'no web target you may open' : `no web target on plant ${opts.plant}`);
      io.out(
        formatTable(
          ['NAME', 'PLANT', 'DEVICE', 'OPENS', 'HOST', 'YOU'],
          list.map((t) => [t.label, t.plant, `${t.device} (${t.deviceIp})`, `${t.scheme}://:${t.port}${t.path}`, t.host, may(t)]),
        ),
      );
    });

  targets
    .command('add')
    .description('mark a network device of the plant as a web target')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .requiredOption('--device <device>', 'the network device: its name, id or IP address')
    .option('--scheme <scheme>', 'http (default) or https')
    .option('--port <port>', 'the device\u2019s port (default 80 for http, 443 for https)', onePort)
    .option('--path <path>', 'where the browser lands (default /)')
    .option('--name <name>', 'shown instead of the device\u2019s name')
    .option('--json', 'print the target as JSON')
    .action(async (opts: { plant: string; device: string; scheme?: string; port?: number; path?: string; name?: string; json?: boolean }) => {
      const r = await callEndpoint(client(io), proxyApi.create, {
        params: { id: opts.plant },
        body: { device: opts.device, scheme: opts.scheme as Scheme | undefined, port: opts.port, path: opts.path, name: opts.name },
        labels: LABELS,
      });
      if (opts.json) return printJson(io, r.target);
      io.out(`added web target ${r.target?.label} (${r.target?.host}) on plant ${r.target?.plant}: open it with plantgate proxy open ${r.target?.host}`);
    });

  targets
    .command('edit <target>')
    .description('change a web target (id, host label or name)')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--device <device>', 'another network device: its name, id or IP address')
    .option('--scheme <scheme>', 'http or https')
    .option('--port <port>', 'the device\u2019s port', onePort)
    .option('--path <path>', 'where the browser lands')
    .option('--name <name>', 'shown instead of the device\u2019s name ("" for the device\u2019s name)')
    .option('--json', 'print the target as JSON')
    .action(async (target: string, opts: { plant: string; device?: string; scheme?: string; port?: number; path?: string; name?: string; json?: boolean }) => {
      const body = { device: opts.device, scheme: opts.scheme as Scheme | undefined, port: opts.port, path: opts.path, name: opts.name === '' ? null : opts.name };
      if (Object.values(body).every((v) => v === undefined)) throw new CliError('nothing to change: give --device, --scheme, --port, --path or --name', 'usage');
      const r = await callEndpoint(client(io), proxyApi.update, { params: { id: opts.plant, target }, body, labels: LABELS });
      if (opts.json) return printJson(io, r.target);
      io.out(`changed web target ${r.target?.label} (${r.target?.host}): ${r.target?.scheme}://${r.target?.deviceIp}:${r.target?.port}${r.target?.path}`);
    });

  targets
    .command('remove <target>')
    .description('remove a web target (id, host label or name); its open browser sessions end at once')
    .requiredOption('--plant <plant>', PLANT_HELP)
    .option('--json', 'print the result as JSON')
    .action(async (target: string, opts: { plant: string; json?: boolean }) => {
      const r = await callEndpoint(client(io), proxyApi.remove, { params: { id: opts.plant, target } });
      if (opts.json) return printJson(io, r);
      io.out(`removed web target ${target} from plant ${opts.plant}`);
    });

  proxy
    .command('open <target>')
    .description('print a one-time URL that opens the target in the browser (about 30 s to use it; id, host label or name)')
    .option('--plant <plant>', 'the plant, when several targets you may open share the name')
    .option('--json', 'print url, grantExpiresAt, expiresAt, sessionId and the target as JSON')
    .action(async (target: string, opts: { plant?: string; json?: boolean }) => {
      const api = client(io);
      const ref = /^t-[a-z0-9]+$/.test(target) ? target : await targetByName(await callEndpoint(api, proxyApi.mine), target, opts.plant);
      const opened = await callEndpoint(api, proxyApi.open, { params: { target: ref } });
      if (opts.json) return printJson(io, opened);
      io.out(opened.url);
      io.err(`open it within 30 s (until ${opened.grantExpiresAt}); the session ends at ${opened.expiresAt} at the latest, or when you log out`);
    });
}

/** Checked by the request schema (a usage error naming --scheme), typed here. */
type Scheme = 'http' | 'https';

function onePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port (1–65535)`);
  return n;
}

function may(t: WebTargetView): string {
  return [t.canOpen ? 'open' : null, t.canManage ? 'manage' : null].filter((x) => x !== null).join(', ') || '-';
}

/** A target the caller may open, by id or label (within --plant when given); ambiguity is an error naming the hosts. */
function targetByName(list: readonly WebTargetView[], ref: string, plant: string | undefined): string {
  const byId = list.find((t) => t.id === ref);
  if (byId) return byId.id;
  const named = list.filter((t) => t.label === ref && (plant === undefined || t.plant === plant || t.plantId === plant));
  if (named.length === 1) return (named[0] as WebTargetView).id;
  if (named.length > 1) throw new CliError(`target: ${named.length} targets you may open are named "${ref}": name it by host (${named.map((t) => `${t.host} on ${t.plant}`).join(', ')}) or give --plant`, 'usage');
  // Let the server answer: the same 404 as for any target the caller may not open.
  return ref;
}
