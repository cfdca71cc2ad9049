import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { assertNetnsCapable, type LabProcess, NetnsLab } from './netns.ts';

/**
 * OpenVPN certificate profiles end to end (issue 11 items 5–7, SPEC P9): `plantgate server`,
 * `plantgate gateway` (with its OpenVPN servers) and two `plantgate agent`s as processes in
 * network namespaces; users run Debian's real `openvpn` client with the `.ovpn` that
 * `plantgate vpn issue --type openvpn` wrote.
 *
 *   cp (control plane) ── veth ── gw, agents, users        (10.211.x.0/30, API only)
 *   alice, vic, gus ── 10.201.x.0/30 ── gw ── 10.201.1x.0/30 ── agent A ── 192.168.1.0/24 ── lan A ("plant-A")
 *                                          └─────────────────── agent B ── 192.168.2.0/24 ── lan B ("plant-B")
 *
 * Alice is Operator on Park A (UDP), Vic on Park B (TCP), Gus is a guest with no route.
 * Every address lives in a namespace this test creates and removes; processes stop by PID.
 */

const NODE = process.execPath;
const BIN = new URL('../../bin/plantgate.js', import.meta.url).pathname;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const DEVICE = new URL('./fixtures/device-server.ts', import.meta.url).pathname;
const OPERATOR = { email: 'ops@plantgate.test', password: 'operator-password-1' };
const USERS = {
  alice: { email: 'alice@solarco.example', password: 'alice-password', link: 1 },
  vic: { email: 'vic@solarco.example', password: 'vic-password', link: 2 },
  gus: { email: 'gus@solarco.example', password: 'gus-password', link: 3 },
} as const;
type Who = keyof typeof USERS;

const fleet = {
  users: Object.values(USERS).map((u) => ({ email: u.email, name: u.email.split('@')[0], password: u.password })),
  organizations: [
    {
      name: 'SolarCo',
      members: [
        { email: USERS.alice.email, role: 'admin' },
        { email: USERS.vic.email, role: 'member' },
        { email: USERS.gus.email, role: 'guest' },
      ],
      portfolios: [],
      plants: [
        { name: 'Park A', subnets: ['192.168.1.0/24'], devices: [{ name: 'inverter-a', ip: '192.168.1.10', kind: 'inverter', ports: [80] }] },
        { name: 'Park B', subnets: ['192.168.2.0/24'], devices: [{ name: 'inverter-b', ip: '192.168.2.10', kind: 'inverter', ports: [80] }] },
      ],
      jobRoles: [
        { user: USERS.alice.email, plant: 'Park A', role: 'operator' },
        { user: USERS.vic.email, plant: 'Park B', role: 'operator' },
      ],
      cooperations: [],
    },
  ],
};

describe('OpenVPN certificate profiles end to end (real openvpn client and server, network namespaces)', { timeout: 180_000 }, () => {
  const lab = new NetnsLab();
  const work = mkdtempSync(join(tmpdir(), 'pg-ovpn-'));
  const ns: Record<string, string> = {};
  const names = { users: lab.name('pgu'), sites: lab.name('pgs'), ovpnUdp: lab.name('pgo'), ovpnTcp: lab.name('pgt'), tunA: lab.name('pga'), tunB: lab.name('pgb') };
  const env = (who: string) => ({ ...process.env, PLANTGATE_CONFIG_DIR: join(work, who) });
  const clients: Partial<Record<Who, LabProcess>> = {};
  let gateway: LabProcess;
  const mapped: Record<'A' | 'B', string> = { A: '', B: '' };

  const cli = async (where: string, who: string, args: string[], input?: string) => {
    const { stdout } = await lab.exec(ns[where], NODE, [BIN, ...args], { env: env(who), stdin: input, timeoutMs: 30_000 });
    return stdout;
  };
  const http = async (from: string, url: string, timeoutMs = 1500) =>
    (await lab.exec(ns[from], NODE, [PROBE, 'http', url, String(timeoutMs)], { timeoutMs: timeoutMs + 10_000 })).stdout.trim();
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
    const client = lab.startProcess(ns[who], 'openvpn', ['--config', file]);
    clients[who] = client;
    await client.waitForLine(/Initialization Sequence Completed/, 30_000);
    return Date.now() - started;
  };
  const tunnelIp = async (who: Who) => {
    const { stdout } = await lab.exec(ns[who], 'ip', ['-j', '-4', 'addr', 'show', 'dev', 'tun0']);
    return (JSON.parse(stdout) as Array<{ addr_info: Array<{ local: string }> }>)[0]?.addr_info[0]?.local ?? '';
  };
  const issue = async (who: Who, verb: 'issue' | 'rotate') => {
    const file = join(work, `${who}-${verb}.ovpn`);
    const out = await cli(who, who, ['vpn', verb, ...(verb === 'issue' ? ['--type', 'openvpn'] : []), '--out', file, '--force']);
    return { file, out };
  };

  before(async () => {
    await assertNetnsCapable();
    for (const role of ['cp', 'alice', 'vic', 'gus', 'gw', 'agA', 'agB', 'lanA', 'lanB']) ns[role] = await lab.addNamespace(`o${role.slice(0, 4)}`);
    let link = 0;
    for (const role of ['gw', 'agA', 'agB', 'alice', 'vic', 'gus']) {
      link++;
      await lab.addVeth({ ns: ns.cp, iface: `c-${link}`, address: `10.211.${link}.1/30` }, { ns: ns[role], iface: 'cp0', address: `10.211.${link}.2/30` });
    }
    for (const who of Object.keys(USERS) as Who[]) {
      const n = USERS[who].link;
      await lab.addVeth({ ns: ns[who], iface: 'up0', address: `10.201.${n}.2/30` }, { ns: ns.gw, iface: `us${n}`, address: `10.201.${n}.1/30` });
      // the region endpoint is the gateway's first user address: the others route to it
      if (n !== 1) await lab.addRoute(ns[who], ['10.201.1.0/30', 'via', `10.201.${n}.1`]);
    }
    await lab.addVeth({ ns: ns.agA, iface: 'up0', address: '10.201.11.2/30' }, { ns: ns.gw, iface: 'ag1', address: '10.201.11.1/30' });
    await lab.addVeth({ ns: ns.agB, iface: 'up0', address: '10.201.12.2/30' }, { ns: ns.gw, iface: 'ag2', address: '10.201.12.1/30' });
    await lab.addVeth({ ns: ns.agA, iface: 'lan0', address: '192.168.1.1/24' }, { ns: ns.lanA, iface: 'eth0', address: '192.168.1.10/24' });
    await lab.addVeth({ ns: ns.agB, iface: 'lan0', address: '192.168.2.1/24' }, { ns: ns.lanB, iface: 'eth0', address: '192.168.2.10/24' });
    await lab.enableForwarding(ns.gw);
    for (const name of [names.users, names.sites, names.tunA, names.tunB]) lab.trackWireGuardInterface(name);
    await lab.startProcess(ns.lanA, NODE, [DEVICE, 'plant-A', '170000']).waitForLine(/^listening/, 10_000);
    await lab.startProcess(ns.lanB, NODE, [DEVICE, 'plant-B', '170000']).waitForLine(/^listening/, 10_000);

    const server = lab.startProcess(ns.cp, NODE, [BIN, 'server', '--listen', '0.0.0.0:8080', '--data-dir', join(work, 'cp'), '--admin-email', OPERATOR.email, '--admin-password', OPERATOR.password]);
    await server.waitForLine(/control plane on/, 30_000);
    await cli('cp', 'ops', ['login', '--server', 'http://10.211.1.1:8080', '--email', OPERATOR.email, '--password-stdin'], `${OPERATOR.password}\n`);
    writeFileSync(join(work, 'fleet.yaml'), stringify(fleet));
    await cli('cp', 'ops', ['admin', 'apply', '-f', join(work, 'fleet.yaml')]);
    await cli('cp', 'ops', ['admin', 'region', 'add', 'eu-central', '--endpoint', '10.201.1.1:51820']);
    const token = async (args: string[]) => /^(pge_\S+)$/m.exec(await cli('cp', 'ops', args))?.[1] ?? assert.fail('no enrolment token');
    const gatewayToken = await token(['admin', 'gateway', 'enrol', '--region', 'eu-central']);
    gateway = lab.startProcess(ns.gw, NODE, [
      BIN, 'gateway', '--server', 'http://10.211.1.1:8080', '--token', gatewayToken, '--state-dir', join(work, 'gw'),
      '--site-endpoint', '10.201.11.1:51821', '--user-interface', names.users, '--site-interface', names.sites, '--reconcile-seconds', '5',
      '--openvpn', 'on', '--openvpn-interfaces', `${names.ovpnUdp},${names.ovpnTcp}`,
    ]);
    await gateway.waitForLine(/"msg":"applied"/, 30_000);
    for (const [plant, role, tun, cpLink, up] of [['Park A', 'agA', names.tunA, 2, '10.201.11.1'], ['Park B', 'agB', names.tunB, 3, '10.201.12.1']] as const) {
      const agentToken = await token(['admin', 'agent', 'enrol', '--plant', plant]);
      // each agent dials the gateway's site endpoint through its own link
      if (up !== '10.201.11.1') await lab.addRoute(ns[role], ['10.201.11.0/30', 'via', up]);
      await lab
        .startProcess(ns[role], NODE, [BIN, 'agent', '--server', `http://10.211.${cpLink}.1:8080`, '--token', agentToken, '--state-dir', join(work, role), '--lan-interface', 'lan0', '--tunnel-interface', tun, '--reconcile-seconds', '5'])
        .waitForLine(/"msg":"applied"/, 30_000);
    }
    for (const who of Object.keys(USERS) as Who[]) {
      const u = USERS[who];
      await cli(who, who, ['login', '--server', `http://10.211.${u.link + 3}.1:8080`, '--email', u.email, '--password', u.password]);
    }
    for (const [who, plant] of [['alice', 'A'], ['vic', 'B']] as const) {
      const routes = JSON.parse(await cli('cp', 'ops', ['admin', 'routes', '--user', USERS[who].email, '--json'])) as Array<{ mapped: string }>;
      mapped[plant] = (routes[0]?.mapped ?? assert.fail(`${who} has no route`)).replace(/\.0\/24$/, '.10');
    }
  });

  after(async () => {
    await lab.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('P9: vpn issue --type openvpn writes a .ovpn (ca, cert, key inline; remote-cert-tls server); the real openvpn client connects over UDP and reaches its plant by mapped and native address, nothing else', async () => {
    const { file, out } = await issue('alice', 'issue');
    assert.match(out, /profile issued: openvpn, certificate [0-9a-f]+, tunnel IP (100\.\d+\.\d+\.\d+)/);
    const text = readFileSync(file, 'utf8');
    for (const line of ['client', 'dev tun', 'remote-cert-tls server', 'remote 10.201.1.1 1194 udp', '<key>', '<cert>', '<ca>', '<tls-crypt>']) assert.ok(text.split('\n').includes(line), line);
    const connectMs = await connect('alice', file);
    console.log(`openvpn connect (UDP): ${connectMs} ms`);
    const shown = JSON.parse(await cli('alice', 'alice', ['vpn', 'show', '--json'])) as { profile: { tunnelIp: string; kind: string } };
    assert.equal(shown.profile.kind, 'openvpn');
    assert.equal(await tunnelIp('alice'), shown.profile.tunnelIp, 'the tunnel IP the gateway pushed is the profile\u2019s');
    assert.equal(await eventually('alice', `http://${mapped.A}/`, /^OK/, 10_000), 'OK plant-A');
    assert.equal(await http('alice', 'http://192.168.1.10/whoami', 3000), 'OK plant-A from 192.168.1.1', 'native address (pushed route, nft native map)');
    assert.match(await http('alice', `http://${mapped.B}/`), /^ERR/, 'Park B is not Alice\u2019s');
    assert.match(await http('alice', 'http://192.168.2.10/'), /^ERR/);
  });

  it('P9: over TCP the same kind of profile reaches only its own plant (Vic: Park B)', async () => {
    const { file } = await issue('vic', 'issue');
    // only the TCP remote: this client must not fall back to UDP
    const tcpOnly = join(work, 'vic-tcp.ovpn');
    writeFileSync(tcpOnly, readFileSync(file, 'utf8').replace(/^remote .* udp\n/gm, ''), { mode: 0o600 });
    await connect('vic', tcpOnly);
    assert.equal(await eventually('vic', `http://${mapped.B}/`, /^OK/, 10_000), 'OK plant-B');
    assert.match(await http('vic', `http://${mapped.A}/`), /^ERR/);
  });

  it('P9: a user with no routes connects and reaches nothing', async () => {
    const { file } = await issue('gus', 'issue');
    await connect('gus', file);
    assert.match(await tunnelIp('gus'), /^100\./);
    assert.match(await http('gus', `http://${mapped.A}/`), /^ERR/);
    assert.match(await http('gus', `http://${mapped.B}/`), /^ERR/);
    assert.match(await http('gus', 'http://192.168.1.10/'), /^ERR/);
  });

  it('P2/P9: rotate re-issues (new certificate, same tunnel IP); the gateway ends the old certificate\u2019s session', async () => {
    const before = JSON.parse(await cli('alice', 'alice', ['vpn', 'show', '--json'])) as { profile: { tunnelIp: string; certificate: { serial: string } } };
    const old = clients.alice as LabProcess;
    const { file } = await issue('alice', 'rotate');
    const after = JSON.parse(await cli('alice', 'alice', ['vpn', 'show', '--json'])) as { profile: { tunnelIp: string; certificate: { serial: string } } };
    assert.notEqual(after.profile.certificate.serial, before.profile.certificate.serial);
    assert.equal(after.profile.tunnelIp, before.profile.tunnelIp);
    // the old certificate's session is killed by the gateway and its reconnect refused (CRL, and no such peer)
    const deadline = Date.now() + 10_000;
    while (!/(SIGUSR1|SIGHUP|RESTART|TLS Error)/.test(old.output()) && Date.now() < deadline) await sleep(100);
    assert.match(old.output(), /SIGUSR1|RESTART|TLS Error/, 'the old session was ended by the gateway');
    await old.stop();
    await connect('alice', file);
    assert.equal(await tunnelIp('alice'), before.profile.tunnelIp, 'same tunnel IP');
    assert.equal(await eventually('alice', `http://${mapped.A}/`, /^OK/, 10_000), 'OK plant-A');
  });

  it('P3/P9: revoke cuts an open flow within a second, ends the session, and the CRL refuses the reconnect', async () => {
    const ticker = lab.startProcess(ns.alice, NODE, [PROBE, 'ticks', mapped.A, '81', '15000']);
    await ticker.waitForLine(/^connected/, 5000);
    const client = clients.alice as LabProcess;
    const completions = () => (client.output().match(/Initialization Sequence Completed/g) ?? []).length;
    const upBefore = completions();
    await cli('alice', 'alice', ['vpn', 'revoke']);
    const revokedAt = Date.now();
    await sleep(2500);
    const ticks = [...ticker.output().matchAll(/^tick (\d+)$/gm)].map((match) => Number(match[1]));
    assert.ok(ticks.some((tick) => tick < revokedAt), 'the flow carried data before');
    assert.deepEqual(ticks.filter((tick) => tick > revokedAt + 1000), [], `no data more than 1 s after the revoke (last tick ${Math.max(...ticks) - revokedAt} ms after)`);
    await ticker.stop();
    assert.match(gateway.output(), /openvpn sessions ended/);
    // the client tries again (openvpn restarts on its own) and is refused: no new tunnel
    await sleep(4000);
    assert.equal(completions(), upBefore, 'no reconnect succeeded');
    assert.match(gateway.output(), /"msg":"openvpn handshake refused".*certificate revoked/, 'the gateway\u2019s OpenVPN server refused the certificate by its CRL');
    assert.match(await http('alice', `http://${mapped.A}/`), /^ERR/);
    // the others are untouched
    assert.equal(await http('vic', `http://${mapped.B}/`, 3000), 'OK plant-B');
  });
});
