import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { assertNetnsCapable, type LabProcess, NetnsLab } from './netns.ts';

/**
 * The lab of the OpenVPN profile scenarios (test/e2e/openvpn-profile.test.ts and
 * bench/openvpn-profile.ts): `plantgate server`, `plantgate gateway` (with its OpenVPN
 * servers) and two `plantgate agent`s as processes in network namespaces, users with their
 * own namespace each, real `openvpn` clients.
 *
 *   cp (control plane) ── veth ── gw, agents, users        (10.211.x.0/30, API only)
 *   users ── 10.201.n.0/30 ── gw ── 10.201.11.0/30 ── agent A ── 192.168.1.0/24 ── lan A ("plant-A")
 *                                └─ 10.201.12.0/30 ── agent B ── 192.168.2.0/24 ── lan B ("plant-B")
 *
 * Alice and Wes are Operators on Park A, Vic on Park B, Gus a guest with no route. Every
 * address lives in a namespace the lab creates and removes; processes stop by PID.
 */

const NODE = process.execPath;
const BIN = new URL('../../bin/plantgate.js', import.meta.url).pathname;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const DEVICES = {
  /** HTTP :80, ticks on :81 (test/e2e/fixtures/device-server.ts). */
  ticks: new URL('./fixtures/device-server.ts', import.meta.url).pathname,
  /** HTTP :80, an echo on :502 that a flow can time (test/e2e/fixtures/plant-device.ts). */
  echo: new URL('./fixtures/plant-device.ts', import.meta.url).pathname,
};
const OPERATOR = { email: 'ops@plantgate.test', password: 'operator-password-1' };
export const LAB_USERS = {
  alice: { email: 'alice@solarco.example', password: 'alice-password', link: 1 },
  vic: { email: 'vic@solarco.example', password: 'vic-password', link: 2 },
  gus: { email: 'gus@solarco.example', password: 'gus-password', link: 3 },
  wes: { email: 'wes@solarco.example', password: 'wes-password', link: 4 },
} as const;
export type Who = keyof typeof LAB_USERS;

const fleet = {
  users: Object.values(LAB_USERS).map((u) => ({ email: u.email, name: u.email.split('@')[0], password: u.password })),
  organizations: [
    {
      name: 'SolarCo',
      members: [
        { email: LAB_USERS.alice.email, role: 'admin' },
        { email: LAB_USERS.vic.email, role: 'member' },
        { email: LAB_USERS.gus.email, role: 'guest' },
        { email: LAB_USERS.wes.email, role: 'member' },
      ],
      portfolios: [],
      plants: [
        { name: 'Park A', subnets: ['192.168.1.0/24'], devices: [{ name: 'inverter-a', ip: '192.168.1.10', kind: 'inverter', ports: [80] }] },
        { name: 'Park B', subnets: ['192.168.2.0/24'], devices: [{ name: 'inverter-b', ip: '192.168.2.10', kind: 'inverter', ports: [80] }] },
      ],
      jobRoles: [
        { user: LAB_USERS.alice.email, plant: 'Park A', role: 'operator' },
        { user: LAB_USERS.vic.email, plant: 'Park B', role: 'operator' },
        { user: LAB_USERS.wes.email, plant: 'Park A', role: 'operator' },
      ],
      cooperations: [],
    },
  ],
};

export type OpenVpnProfileLab = Awaited<ReturnType<typeof startOpenVpnProfileLab>>;

export async function startOpenVpnProfileLab(options: { deviceLifetimeMs: number; device?: keyof typeof DEVICES }) {
  const DEVICE = DEVICES[options.device ?? 'ticks'];
  await assertNetnsCapable();
  const lab = new NetnsLab();
  const work = mkdtempSync(join(tmpdir(), 'pg-ovpn-'));
  const ns: Record<string, string> = {};
  const names = { users: lab.name('pgu'), sites: lab.name('pgs'), ovpnUdp: lab.name('pgo'), ovpnTcp: lab.name('pgt'), tunA: lab.name('pga'), tunB: lab.name('pgb') };
  const env = (who: string) => ({ ...process.env, PLANTGATE_CONFIG_DIR: join(work, who) });
  const clients: Partial<Record<Who, LabProcess>> = {};
  const mapped: Record<'A' | 'B', string> = { A: '', B: '' };

  const cli = async (where: string, who: string, args: string[], input?: string) => {
    const { stdout } = await lab.exec(ns[where] as string, NODE, [BIN, ...args], { env: env(who), stdin: input, timeoutMs: 30_000 });
    return stdout;
  };
  const http = async (from: string, url: string, timeoutMs = 1500) =>
    (await lab.exec(ns[from] as string, NODE, [PROBE, 'http', url, String(timeoutMs)], { timeoutMs: timeoutMs + 10_000 })).stdout.trim();
  /** Polls (bounded) until the probe's answer matches. */
  const eventually = async (from: string, url: string, pattern: RegExp, withinMs: number) => {
    const deadline = Date.now() + withinMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await http(from, url, 1000);
      if (pattern.test(last)) return last;
      await sleep(200);
    }
    assert.fail(`${url} from ${from}: expected ${pattern} within ${withinMs} ms, last answer ${last}`);
  };
  /** Starts the real openvpn client with a profile file; resolves when the tunnel is up (with the time it took). */
  const connect = async (who: Who, file: string): Promise<number> => {
    await clients[who]?.stop();
    const started = Date.now();
    const client = lab.startProcess(ns[who] as string, 'openvpn', ['--config', file]);
    clients[who] = client;
    await client.waitForLine(/Initialization Sequence Completed/, 30_000);
    return Date.now() - started;
  };
  const tunnelIp = async (who: Who, device = 'tun0') => {
    const { stdout } = await lab.exec(ns[who] as string, 'ip', ['-j', '-4', 'addr', 'show', 'dev', device]);
    return (JSON.parse(stdout) as Array<{ addr_info: Array<{ local: string }> }>)[0]?.addr_info[0]?.local ?? '';
  };
  const issue = async (who: Who, verb: 'issue' | 'rotate', type: 'openvpn' | 'wireguard' = 'openvpn') => {
    const file = join(work, `${who}-${verb}.${type === 'openvpn' ? 'ovpn' : 'conf'}`);
    const out = await cli(who, who, ['vpn', verb, ...(verb === 'issue' ? ['--type', type] : []), '--out', file, '--force']);
    return { file, out };
  };

  try {
    for (const role of ['cp', 'alice', 'vic', 'gus', 'wes', 'gw', 'agA', 'agB', 'lanA', 'lanB']) ns[role] = await lab.addNamespace(`o${role.slice(0, 4)}`);
    const at = (role: string) => ns[role] as string;
    let link = 0;
    for (const role of ['gw', 'agA', 'agB', 'alice', 'vic', 'gus', 'wes']) {
      link++;
      await lab.addVeth({ ns: at('cp'), iface: `c-${link}`, address: `10.211.${link}.1/30` }, { ns: at(role), iface: 'cp0', address: `10.211.${link}.2/30` });
    }
    for (const who of Object.keys(LAB_USERS) as Who[]) {
      const n = LAB_USERS[who].link;
      await lab.addVeth({ ns: at(who), iface: 'up0', address: `10.201.${n}.2/30` }, { ns: at('gw'), iface: `us${n}`, address: `10.201.${n}.1/30` });
      // the region endpoint is the gateway's first user address: the others route to it
      if (n !== 1) await lab.addRoute(at(who), ['10.201.1.0/30', 'via', `10.201.${n}.1`]);
    }
    await lab.addVeth({ ns: at('agA'), iface: 'up0', address: '10.201.11.2/30' }, { ns: at('gw'), iface: 'ag1', address: '10.201.11.1/30' });
    await lab.addVeth({ ns: at('agB'), iface: 'up0', address: '10.201.12.2/30' }, { ns: at('gw'), iface: 'ag2', address: '10.201.12.1/30' });
    await lab.addVeth({ ns: at('agA'), iface: 'lan0', address: '192.168.1.1/24' }, { ns: at('lanA'), iface: 'eth0', address: '192.168.1.10/24' });
    await lab.addVeth({ ns: at('agB'), iface: 'lan0', address: '192.168.2.1/24' }, { ns: at('lanB'), iface: 'eth0', address: '192.168.2.10/24' });
    await lab.enableForwarding(at('gw'));
    for (const name of [names.users, names.sites, names.tunA, names.tunB]) lab.trackWireGuardInterface(name);
    const lifetime = String(options.deviceLifetimeMs);
    await lab.startProcess(at('lanA'), NODE, [DEVICE, 'plant-A', lifetime]).waitForLine(/^listening/, 10_000);
    await lab.startProcess(at('lanB'), NODE, [DEVICE, 'plant-B', lifetime]).waitForLine(/^listening/, 10_000);

    const server = lab.startProcess(at('cp'), NODE, [BIN, 'server', '--listen', '0.0.0.0:8080', '--data-dir', join(work, 'cp'), '--admin-email', OPERATOR.email, '--admin-password', OPERATOR.password]);
    await server.waitForLine(/control plane on/, 30_000);
    await cli('cp', 'ops', ['login', '--server', 'http://10.211.1.1:8080', '--email', OPERATOR.email, '--password-stdin'], `${OPERATOR.password}\n`);
    writeFileSync(join(work, 'fleet.yaml'), stringify(fleet));
    await cli('cp', 'ops', ['admin', 'apply', '-f', join(work, 'fleet.yaml')]);
    await cli('cp', 'ops', ['admin', 'region', 'add', 'eu-central', '--endpoint', '10.201.1.1:51820']);
    const token = async (args: string[]) => /^(pge_\S+)$/m.exec(await cli('cp', 'ops', args))?.[1] ?? assert.fail('no enrolment token');
    const gatewayToken = await token(['admin', 'gateway', 'enrol', '--region', 'eu-central']);
    const gateway = lab.startProcess(at('gw'), NODE, [
      BIN, 'gateway', '--server', 'http://10.211.1.1:8080', '--token', gatewayToken, '--state-dir', join(work, 'gw'),
      '--site-endpoint', '10.201.11.1:51821', '--user-interface', names.users, '--site-interface', names.sites, '--reconcile-seconds', '5',
      '--openvpn', 'on', '--openvpn-interfaces', `${names.ovpnUdp},${names.ovpnTcp}`,
    ]);
    await gateway.waitForLine(/"msg":"applied"/, 30_000);
    for (const [plant, role, tun, cpLink, up] of [['Park A', 'agA', names.tunA, 2, '10.201.11.1'], ['Park B', 'agB', names.tunB, 3, '10.201.12.1']] as const) {
      const agentToken = await token(['admin', 'agent', 'enrol', '--plant', plant]);
      // each agent dials the gateway's site endpoint through its own link
      if (up !== '10.201.11.1') await lab.addRoute(at(role), ['10.201.11.0/30', 'via', up]);
      await lab
        .startProcess(at(role), NODE, [BIN, 'agent', '--server', `http://10.211.${cpLink}.1:8080`, '--token', agentToken, '--state-dir', join(work, role), '--lan-interface', 'lan0', '--tunnel-interface', tun, '--reconcile-seconds', '5'])
        .waitForLine(/"msg":"applied"/, 30_000);
    }
    for (const who of Object.keys(LAB_USERS) as Who[]) {
      const u = LAB_USERS[who];
      await cli(who, who, ['login', '--server', `http://10.211.${u.link + 3}.1:8080`, '--email', u.email, '--password', u.password]);
    }
    for (const [who, plant] of [['alice', 'A'], ['vic', 'B']] as const) {
      const routes = JSON.parse(await cli('cp', 'ops', ['admin', 'routes', '--user', LAB_USERS[who].email, '--json'])) as Array<{ mapped: string }>;
      mapped[plant] = (routes[0]?.mapped ?? assert.fail(`${who} has no route`)).replace(/\.0\/24$/, '.10');
    }
    /** The user's API base URL (from the user's namespace) and API token (for a process that calls the API itself). */
    const apiOf = (who: Who) => ({
      server: `http://10.211.${LAB_USERS[who].link + 3}.1:8080`,
      token: (JSON.parse(readFileSync(join(work, who, 'credentials.json'), 'utf8')) as { token: string }).token,
    });
    return {
      lab,
      apiOf,
      ns,
      work,
      gateway,
      clients,
      mapped,
      probe: PROBE,
      node: NODE,
      cli,
      http,
      eventually,
      connect,
      tunnelIp,
      issue,
      stop: async () => {
        await lab.cleanup();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await lab.cleanup();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}
