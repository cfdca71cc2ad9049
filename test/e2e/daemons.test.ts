import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { WireGuardGoDriver } from '../../src/os/wireguard/wireguard-go-driver.ts';
import { assertNetnsCapable, type LabProcess, NetnsLab } from './netns.ts';
import { wgQuickUp } from './wg-quick.ts';

/**
 * The daemons for real: `plantgate server`, `plantgate gateway` and `plantgate agent` as
 * processes in network namespaces, enrolled through the CLI, and a user's standard
 * WireGuard client from the file `plantgate vpn issue` wrote.
 *
 *   cp (control plane, 0.0.0.0:8080) ── veth ── gw, agent, user   (10.210.x.0/30, API only)
 *   user ── 10.200.1.0/30 ── gw ── 10.200.3.0/30 ── agent ── 192.168.1.0/24 ── lan (device "plant-A")
 *
 * Every address lives in a namespace this test creates and removes; processes are
 * stopped by PID.
 */

const NODE = process.execPath;
const BIN = new URL('../../bin/plantgate.js', import.meta.url).pathname;
const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const DEVICE = new URL('./fixtures/device-server.ts', import.meta.url).pathname;
const OPERATOR = { email: 'ops@plantgate.test', password: 'operator-password-1' };

const fleet = {
  users: [
    { email: 'alice@solarco.example', name: 'Alice', password: 'alice-password' },
    { email: 'vic@solarco.example', name: 'Vic', password: 'vic-password' },
  ],
  organizations: [
    {
      name: 'SolarCo',
      members: [
        { email: 'alice@solarco.example', role: 'admin' },
        { email: 'vic@solarco.example', role: 'member' },
      ],
      portfolios: [],
      plants: [{ name: 'Park A', subnets: ['192.168.1.0/24'], devices: [{ name: 'inverter-1', ip: '192.168.1.10', kind: 'inverter', ports: [80] }] }],
      jobRoles: [
        { user: 'alice@solarco.example', plant: 'Park A', role: 'operator' },
        { user: 'vic@solarco.example', plant: 'Park A', role: 'viewer' },
      ],
      cooperations: [],
    },
  ],
};

describe('plantgate gateway + agent daemons end to end (processes in network namespaces)', { timeout: 300_000 }, () => {
  const lab = new NetnsLab();
  const work = mkdtempSync(join(tmpdir(), 'pg-daemons-'));
  const ns: Record<string, string> = {};
  const names = { users: lab.name('pgu'), sites: lab.name('pgs'), tunnel: lab.name('pga'), client: lab.name('wgu'), vic: lab.name('wgv') };
  const env = (who: string) => ({ ...process.env, PLANTGATE_CONFIG_DIR: join(work, who) });
  let server: LabProcess;
  let gateway: LabProcess;
  let agent: LabProcess;
  let mappedDevice = '';

  const cli = async (where: string, who: string, args: string[], input?: string) => {
    const { stdout } = await lab.exec(ns[where], NODE, [BIN, ...args], { env: env(who), stdin: input, timeoutMs: 30_000 });
    return stdout;
  };
  const http = async (from: string, url: string, timeoutMs = 1500) =>
    (await lab.exec(ns[from], NODE, [PROBE, 'http', url, String(timeoutMs)], { timeoutMs: timeoutMs + 10_000 })).stdout.trim();
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
  const startServer = () => {
    server = lab.startProcess(ns.cp, NODE, [BIN, 'server', '--listen', '0.0.0.0:8080', '--data-dir', join(work, 'cp'), '--admin-email', OPERATOR.email, '--admin-password', OPERATOR.password]);
    return server.waitForLine(/control plane on/, 30_000);
  };
  const startGateway = (token?: string) => {
    gateway = lab.startProcess(ns.gw, NODE, [
      BIN, 'gateway', '--server', 'http://10.210.1.1:8080', ...(token ? ['--token', token] : []), '--state-dir', join(work, 'gw-state'),
      '--site-endpoint', '10.200.3.1:51821', '--user-interface', names.users, '--site-interface', names.sites, '--reconcile-seconds', '2',
    ]);
    return gateway;
  };
  const startAgent = (token?: string) => {
    agent = lab.startProcess(ns.agent, NODE, [
      BIN, 'agent', '--server', 'http://10.210.2.1:8080', ...(token ? ['--token', token] : []), '--state-dir', join(work, 'agent-state'),
      '--lan-interface', 'lan0', '--tunnel-interface', names.tunnel, '--reconcile-seconds', '2',
    ]);
    return agent;
  };

  before(async () => {
    await assertNetnsCapable();
    for (const role of ['cp', 'user', 'vic', 'gw', 'agent', 'lan']) ns[role] = await lab.addNamespace(`d${role.slice(0, 3)}`);
    // API links to the control plane
    await lab.addVeth({ ns: ns.cp, iface: 'c-gw', address: '10.210.1.1/30' }, { ns: ns.gw, iface: 'cp0', address: '10.210.1.2/30' });
    await lab.addVeth({ ns: ns.cp, iface: 'c-ag', address: '10.210.2.1/30' }, { ns: ns.agent, iface: 'cp0', address: '10.210.2.2/30' });
    await lab.addVeth({ ns: ns.cp, iface: 'c-us', address: '10.210.3.1/30' }, { ns: ns.user, iface: 'cp0', address: '10.210.3.2/30' });
    await lab.addVeth({ ns: ns.cp, iface: 'c-vi', address: '10.210.4.1/30' }, { ns: ns.vic, iface: 'cp0', address: '10.210.4.2/30' });
    // data path
    await lab.addVeth({ ns: ns.user, iface: 'up0', address: '10.200.1.2/30' }, { ns: ns.gw, iface: 'us0', address: '10.200.1.1/30' });
    await lab.addVeth({ ns: ns.vic, iface: 'up0', address: '10.200.2.2/30' }, { ns: ns.gw, iface: 'vi0', address: '10.200.2.1/30' });
    await lab.addVeth({ ns: ns.agent, iface: 'up0', address: '10.200.3.2/30' }, { ns: ns.gw, iface: 'ag0', address: '10.200.3.1/30' });
    await lab.addVeth({ ns: ns.agent, iface: 'lan0', address: '192.168.1.1/24' }, { ns: ns.lan, iface: 'eth0', address: '192.168.1.10/24' });
    for (const name of Object.values(names)) lab.trackWireGuardInterface(name);
    await lab.startProcess(ns.lan, NODE, [DEVICE, 'plant-A', '280000']).waitForLine(/^listening/, 10_000);

    await startServer();
    await cli('cp', 'ops', ['login', '--server', 'http://10.210.1.1:8080', '--email', OPERATOR.email, '--password-stdin'], `${OPERATOR.password}\n`);
    writeFileSync(join(work, 'fleet.yaml'), stringify(fleet));
    await cli('cp', 'ops', ['admin', 'apply', '-f', join(work, 'fleet.yaml')]);
    await cli('cp', 'ops', ['admin', 'region', 'add', 'eu-central', '--endpoint', '10.200.1.1:51820']);
    const gatewayToken = /^(pge_\S+)$/m.exec(await cli('cp', 'ops', ['admin', 'gateway', 'enrol', '--region', 'eu-central']))?.[1];
    const agentToken = /^(pge_\S+)$/m.exec(await cli('cp', 'ops', ['admin', 'agent', 'enrol', '--plant', 'Park A']))?.[1];
    assert.ok(gatewayToken && agentToken);

    await startGateway(gatewayToken).waitForLine(/"msg":"applied"/, 30_000);
    await startAgent(agentToken).waitForLine(/"msg":"applied"/, 30_000);

    // Users: the profile the CLI wrote, brought up as wg-quick would, by a standard client.
    for (const [who, email, password, iface] of [['user', 'alice@solarco.example', 'alice-password', names.client], ['vic', 'vic@solarco.example', 'vic-password', names.vic]]) {
      const server = who === 'user' ? 'http://10.210.3.1:8080' : 'http://10.210.4.1:8080';
      await cli(who, who, ['login', '--server', server, '--email', email, '--password', password]);
      const conf = join(work, `${who}.conf`);
      await cli(who, who, ['vpn', 'issue', '--out', conf]);
      await wgQuickUp(lab, ns[who], iface, readFileSync(conf, 'utf8'), new WireGuardGoDriver({ netns: ns[who] }));
    }
    const routes = JSON.parse(await cli('user', 'user', ['vpn', 'routes', '--json'])) as Array<{ mapped: string }>;
    mappedDevice = routes[0].mapped.replace(/\.0\/24$/, '.10');
  });

  after(async () => {
    await lab.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('an Operator reaches the device through gateway and agent: mapped address, and native (no conflict)', async () => {
    assert.equal(await eventually('user', `http://${mappedDevice}/`, /^OK/, 15_000), 'OK plant-A');
    assert.equal(await http('user', 'http://192.168.1.10/whoami', 3000), 'OK plant-A from 192.168.1.1');
  });

  it('a Viewer reaches nothing', async () => {
    assert.match(await http('vic', `http://${mappedDevice}/`), /^ERR/);
    assert.match(await http('vic', 'http://192.168.1.10/'), /^ERR/);
  });

  it('both daemons report status and serve /metrics; the user sees handshake and bytes of their own profile, and a P7 session (source address, region, gateway, bytes)', async () => {
    const gwMetrics = await http('gw', 'http://127.0.0.1:9586/metrics', 3000);
    assert.match(gwMetrics, /^plantgate_gateway_applied_revision \d+$/m);
    assert.match(gwMetrics, /^plantgate_gateway_apply_duration_seconds_count\{reason="reconnect"\} 1$/m);
    assert.match(gwMetrics, /^plantgate_gateway_nft_set_elements\{set="allowed"\} 1$/m);
    assert.match(gwMetrics, /^plantgate_gateway_control_plane_connected 1$/m);
    const agentMetrics = await http('agent', 'http://127.0.0.1:9587/metrics', 3000);
    assert.match(agentMetrics, /^plantgate_agent_translations 1$/m);
    // status reports every 10 s: the gateway list shows peers with handshakes, the agent its revision
    const deadline = Date.now() + 25_000;
    for (;;) {
      const gateways = JSON.parse(await cli('cp', 'ops', ['admin', 'gateway', 'list', '--json'])) as Array<{ status: { peers: Array<{ latestHandshake: number }> } | null }>;
      const agents = JSON.parse(await cli('cp', 'ops', ['admin', 'agent', 'list', '--json'])) as Array<{ status: { appliedRevision: number; peers: Array<{ latestHandshake: number }> } | null }>;
      const gatewayOk = (gateways[0]?.status?.peers ?? []).some((peer) => peer.latestHandshake > 0);
      const agentOk = (agents[0]?.status?.appliedRevision ?? -1) >= 0 && (agents[0]?.status?.peers ?? []).some((peer) => peer.latestHandshake > 0);
      if (gatewayOk && agentOk) break;
      assert.ok(Date.now() < deadline, `no status reports with handshakes: ${JSON.stringify({ gateways, agents })}`);
      await sleep(1000);
    }
    // The user sees the same report for their own profile (the web UI's Personal VPN status): handshake and bytes.
    const own = JSON.parse(await cli('user', 'user', ['vpn', 'status', '--json'])) as Array<{ region: string; lastHandshakeAt: string | null; rxBytes: number; txBytes: number }>;
    assert.equal(own.length, 1, JSON.stringify(own));
    assert.equal(own[0]?.region, 'eu-central');
    assert.ok(own[0]?.lastHandshakeAt && Date.now() - Date.parse(own[0].lastHandshakeAt) < 5 * 60_000, JSON.stringify(own));
    assert.ok((own[0]?.rxBytes ?? 0) > 0 && (own[0]?.txBytes ?? 0) > 0, `the gateway counted traffic both ways: ${JSON.stringify(own)}`);
    assert.match(await cli('user', 'user', ['vpn', 'status']), /^eu-central\s+\S+\s+\d{4}-\d\d-\d\dT\S+\s+[\d.]+ (B|KiB|MiB)/m);
    // P7: the same reports became a session (written in the status buffer's 15 s flush): open,
    // from the user's namespace address (private: no country), with region, gateway and bytes.
    const sessionDeadline = Date.now() + 30_000;
    for (;;) {
      const sessions = JSON.parse(await cli('user', 'user', ['vpn', 'sessions', '--json'])) as Array<Record<string, unknown>>;
      if (sessions.length > 0) {
        assert.equal(sessions.length, 1, JSON.stringify(sessions));
        const [session] = sessions;
        assert.equal(session?.end, null, 'still connected');
        assert.match(String(session?.sourceAddress), /^10\.200\.1\.\d+:\d+$/);
        assert.equal(session?.country, null);
        assert.equal(session?.region, 'eu-central');
        assert.match(String(session?.gateway), /\S/);
        assert.ok(Number(session?.bytesIn) > 0 && Number(session?.bytesOut) > 0, JSON.stringify(session));
        break;
      }
      assert.ok(Date.now() < sessionDeadline, 'no session 30 s after the status reports');
      await sleep(1000);
    }
  });

  it('reconcile repairs drift: an nft element deleted by hand is back within one cycle (2 s here)', async () => {
    const before = gateway.output().length;
    // the user's mapped prefix is a /24: its pair lives in set allowed_24 as user . network address (decision 0003)
    const table = (await lab.exec(ns.gw, 'nft', ['-j', 'list', 'set', 'ip', 'plantgate', 'allowed_24'])).stdout;
    const element = JSON.parse(table).nftables.find((item: Record<string, unknown>) => 'set' in item).set.elem[0].concat;
    const text = `${element[0]} . ${element[1]}`;
    const repaired = gateway.waitForLine(/"msg":"drift repaired".*allowed \+1 -0/, 6000);
    await lab.exec(ns.gw, 'nft', ['delete', 'element', 'ip', 'plantgate', 'allowed_24', `{ ${text} }`]);
    const deletedAt = Date.now();
    await repaired;
    assert.ok(Date.now() - deletedAt < 4000, 'repaired within two cycles');
    assert.match((await lab.exec(ns.gw, 'nft', ['list', 'set', 'ip', 'plantgate', 'allowed_24'])).stdout, new RegExp(element[0].replaceAll('.', '\\.')));
    assert.equal(await http('user', `http://${mappedDevice}/`, 3000), 'OK plant-A');
    assert.ok(gateway.output().length > before);
  });

  it('fail static: with the control plane stopped forwarding goes on; a restarted gateway rebuilds from its state dir', async () => {
    await server.stop();
    await sleep(500);
    assert.equal(await http('user', `http://${mappedDevice}/`, 3000), 'OK plant-A');
    await gateway.stop(); // SIGTERM: removes its interfaces and table
    assert.match(await http('user', `http://${mappedDevice}/`), /^ERR/);
    await startGateway().waitForLine(/"msg":"starting from the desired state in the state dir"/, 30_000);
    assert.equal(await eventually('user', `http://${mappedDevice}/`, /^OK/, 15_000), 'OK plant-A');
  });

  it('the control plane returns: daemons reconnect; P3 revoke cuts the user within about a second', async () => {
    const reconnected = gateway.waitForLine(/"msg":"applied".*"reason":"reconnect"/, 40_000);
    await startServer();
    await reconnected;
    // an open TCP connection (the device streams a tick every 50 ms) must stop passing
    const ticker = lab.startProcess(ns.user, NODE, [PROBE, 'ticks', mappedDevice, '81', '20000']);
    await ticker.waitForLine(/^connected/, 5000);
    await cli('user', 'user', ['vpn', 'revoke']);
    const revokedAt = Date.now(); // the API call has returned: the change is committed
    await sleep(2500);
    const ticks = [...ticker.output().matchAll(/^tick (\d+)$/gm)].map((match) => Number(match[1]));
    assert.ok(ticks.some((tick) => tick < revokedAt), 'the connection carried data before');
    const late = ticks.filter((tick) => tick > revokedAt + 1000);
    assert.deepEqual(late, [], `no data more than 1 s after the revoke (last tick ${Math.max(...ticks) - revokedAt} ms after it)`);
    await ticker.stop();
    assert.match(await http('user', `http://${mappedDevice}/`), /^ERR/);
  });

  it('SIGTERM: each daemon removes its interfaces and its table', async () => {
    await agent.stop();
    await gateway.stop();
    for (const [where, iface] of [['gw', names.users], ['gw', names.sites], ['agent', names.tunnel]]) {
      await assert.rejects(lab.exec(ns[where], 'ip', ['link', 'show', iface]), /does not exist/);
    }
    await assert.rejects(lab.exec(ns.gw, 'nft', ['list', 'table', 'ip', 'plantgate']), /No such file/);
    await assert.rejects(lab.exec(ns.agent, 'nft', ['list', 'table', 'ip', 'plantgate']), /No such file/);
  });
});
