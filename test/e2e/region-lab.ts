import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LabProcess } from './netns.ts';
import { GATEWAY_IP, type LabUser, REGION, SERVER_IP, ScenarioLab, sleep } from './scenario-lab.ts';
import { PEOPLE, PLANT_A, PLANT_B, passwordOf, scenarioFleet } from './scenario-fleet.ts';

/**
 * Issue 11's lab (test/e2e/region-failover.test.ts, bench/region-failover.ts): the
 * scenario lab plus a second region's gateway (namespace gw2), the control plane
 * answering the service name over DNS, and alice (Operator of Plant A only) whose
 * namespace resolves through it (/etc/netns/<ns>/resolv.conf, bind-mounted by `ip netns exec`).
 */

export const SERVICE = 'vpn.e2e.test';
export const REGION2 = 'e2f'; // sorts after REGION ('e2e'): with no geo-IP place (lab addresses), nearest = by name
export const GATEWAY2_IP = '10.10.4.2';
export const REGION1_ENDPOINT = `${GATEWAY_IP}:51820`;
export const REGION2_ENDPOINT = `${GATEWAY2_IP}:51820`;
const WG_QUICK = '/usr/bin/wg-quick';
const OPENVPN = '/usr/sbin/openvpn';

export class RegionLab {
  readonly s = new ScenarioLab();
  readonly ifaces2 = { users: this.s.lab.name('pgv'), sites: this.s.lab.name('pgt') };
  alice!: LabUser;
  /** dave (Operator of Plant A only) connects with an OpenVPN certificate profile and the real `openvpn` client. */
  dave!: LabUser;
  ovpnPath = '';
  ovpnClient: LabProcess | null = null;
  mappedAForDave = '';
  gateway2: LabProcess | null = null;
  mappedA = '';
  mappedB = '';
  private readonly resolvDirs: string[] = [];

  async build(): Promise<void> {
    const { s } = this;
    await s.build();
    s.ns.gw2 = await s.lab.addNamespace('gw2');
    await s.lab.addVeth({ ns: s.ns.inet, iface: 'togw2', address: '10.10.4.1/24' }, { ns: s.ns.gw2, iface: 'up0', address: `${GATEWAY2_IP}/24` });
    await s.lab.addRoute(s.ns.gw2, ['default', 'via', '10.10.4.1']);
    s.serverOptions = { args: ['--service-name', SERVICE, '--dns-listen', `${SERVER_IP}:53`] };
    await s.startServer();
    await s.loginAdmin();
    await s.admin(['admin', 'region', 'add', REGION, '--endpoint', REGION1_ENDPOINT]);
    await s.admin(['admin', 'region', 'add', REGION2, '--endpoint', REGION2_ENDPOINT]);
    await s.applyFleet(scenarioFleet());
    s.gateway = await s.startGateway();
    this.gateway2 = await s.startRegionGateway({ ns: s.ns.gw2, region: REGION2, name: 'gw-e2e-2', ip: GATEWAY2_IP, ifaces: this.ifaces2 });
    await s.startAgent('agentA', PLANT_A);
    await s.startAgent('agentB', PLANT_B);
    this.alice = await s.addUser(PEOPLE.alice, passwordOf(PEOPLE.alice));
    // wg-quick names the interface after the file: a run-unique name, since wireguard-go's
    // socket (/var/run/wireguard/<name>.sock) is shared by every namespace on the machine.
    this.alice.confPath = join(dirname(this.alice.confPath), `${this.alice.iface}.conf`);
    this.resolveThroughProduct(this.alice.ns);
    this.dave = await s.addUser(PEOPLE.dave, passwordOf(PEOPLE.dave));
    this.resolveThroughProduct(this.dave.ns);
    this.ovpnPath = join(dirname(this.dave.confPath), 'plantgate.ovpn');
    const routeA = (await s.routes(this.alice)).find((r) => r.plant === PLANT_A);
    if (!routeA) throw new Error('alice has no route to Plant A');
    this.mappedA = routeA.mapped.replace(/\.0\/24$/, '.10');
    const daveA = (await s.routes(this.dave)).find((r) => r.plant === PLANT_A);
    if (!daveA) throw new Error('dave has no route to Plant A');
    this.mappedAForDave = daveA.mapped.replace(/\.0\/24$/, '.10');
    // Plant B's mapped device address, from bob's routes (Operator of both): alice must never reach it.
    const bob = await s.addUser(PEOPLE.bob, passwordOf(PEOPLE.bob));
    const routeB = (await s.routes(bob)).find((r) => r.plant === PLANT_B);
    if (!routeB) throw new Error('bob has no route to Plant B');
    this.mappedB = routeB.mapped.replace(/\.0\/24$/, '.10');
  }

  /** The namespace's resolver is the control plane's DNS (/etc/netns/<ns>/resolv.conf, bind-mounted by `ip netns exec`). */
  private resolveThroughProduct(ns: string): void {
    const dir = `/etc/netns/${ns}`;
    mkdirSync(dir, { recursive: true });
    this.resolvDirs.push(dir);
    writeFileSync(`${dir}/resolv.conf`, `nameserver ${SERVER_IP}\noptions timeout:1 attempts:2\n`);
  }

  output(): string {
    return `${this.s.daemonOutput()}\n--- gateway 2\n${this.gateway2?.output() ?? ''}\n--- openvpn client\n${this.ovpnClient?.output() ?? ''}`;
  }

  /**
   * dave's (re)connect: the real `openvpn --config FILE` (the issued file unchanged) started
   * afresh, as a user restarts the client; it resolves the service name itself. Returns the
   * gateway address it connected to, or '' when the tunnel was not up within `withinMs`.
   */
  async openVpnConnect(withinMs: number): Promise<string> {
    await this.ovpnClient?.stop();
    const client = this.s.lab.startProcess(this.dave.ns, OPENVPN, ['--config', this.ovpnPath]);
    this.ovpnClient = client;
    try {
      await client.waitForLine(/Initialization Sequence Completed/, withinMs);
    } catch {
      await client.stop();
      return '';
    }
    const peers = [...client.output().matchAll(/Peer Connection Initiated with \[AF_INET\]([\d.]+):\d+/g)];
    return peers.at(-1)?.[1] ?? '';
  }

  async openVpnTunnelIp(): Promise<string> {
    const { stdout } = await this.s.lab.exec(this.dave.ns, 'ip', ['-j', '-4', 'addr', 'show', 'dev', 'tun0']);
    return (JSON.parse(stdout) as Array<{ addr_info: Array<{ local: string }> }>)[0]?.addr_info[0]?.local ?? '';
  }

  /** After region 1 died: restarts the OpenVPN client until it is up through region 2 and reaches Plant A (0: not within `withinMs`). */
  async openVpnFailover(killedAt: number, withinMs: number): Promise<{ ms: number; lastGateway: string }> {
    let last = '';
    while (Date.now() - killedAt < withinMs) {
      last = await this.openVpnConnect(5000);
      if (last === GATEWAY2_IP && (await this.s.whoAnswers(this.dave, this.mappedAForDave, 1500)) === 'plant-A') return { ms: Date.now() - killedAt, lastGateway: last };
      await sleep(500);
    }
    return { ms: 0, lastGateway: last };
  }

  /** What wg resolved the file's Endpoint to. */
  async endpoint(): Promise<string> {
    const { stdout } = await this.s.lab.exec(this.alice.ns, 'wg', ['show', this.alice.iface, 'endpoints']);
    return stdout.trim().split('\t')[1] ?? '';
  }

  /**
   * The user's reconnect with the same, unchanged file: the real `wg-quick down` (when up)
   * then `wg-quick up`, which resolves the Endpoint name itself; returns where it dialed.
   * No kernel WireGuard here: wg-quick's `ip link add … type wireguard` fails and it falls
   * back to its userspace implementation, named explicitly.
   */
  async reconnect(): Promise<string> {
    const { alice } = this;
    if (alice.up) await this.wgQuick('down');
    await this.wgQuick('up');
    alice.up = true;
    return this.endpoint();
  }

  async wgQuick(verb: 'up' | 'down'): Promise<void> {
    await this.s.lab.exec(this.alice.ns, WG_QUICK, [verb, this.alice.confPath], { env: { ...process.env, WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go' }, timeoutMs: 20_000 });
    if (verb === 'down') this.alice.up = false;
  }

  /** Waits until the gateway has written down where its agents are (it does so with each status report). */
  async gatewayRemembersAgents(withinMs = 25_000): Promise<void> {
    const remembered = join(this.s.work, 'gw-state', 'site-endpoints.json');
    await waitFor(async () => existsSync(remembered) && Object.keys(JSON.parse(readFileSync(remembered, 'utf8'))).length === 2, withinMs);
  }

  /**
   * After region 1 was killed (`killed`, killRegion1), alice reconnects every second until a
   * connection lands in region 2 and reaches Plant A. Returns the time from the kill to that
   * connection (0: not within `withinMs`).
   */
  /** Kills every process of region 1's gateway namespace (gateway, wireguard-go, openvpn servers) by PID; returns when. */
  killRegion1(): number {
    const at = Date.now();
    killNamespace(this.s.ns.gw);
    this.s.gateway = null;
    return at;
  }

  async failover(withinMs: number, killed = Date.now()): Promise<{ ms: number; lastEndpoint: string }> {
    let last = '';
    while (Date.now() - killed < withinMs) {
      last = await this.reconnect();
      if (last === REGION2_ENDPOINT && (await this.s.whoAnswers(this.alice, this.mappedA, 1500)) === 'plant-A') return { ms: Date.now() - killed, lastEndpoint: last };
      await sleep(1000);
    }
    return { ms: 0, lastEndpoint: last };
  }

  /**
   * Starts region 1's gateway again; returns when agent A handshook with it: `fromReadyMs`
   * since its sites interface had its key (from then on it is the agents' turn), and
   * `fromSpawnMs` since the process was started (0s: not within 30 s).
   */
  async restartRegion1(): Promise<{ fromReadyMs: number; fromSpawnMs: number }> {
    const { s } = this;
    const spawned = Date.now();
    s.gateway = await s.startGateway();
    const agentIface = s.lab.name('pga');
    // wireguard-go first comes up without a key ("(none)"): the interface is ready once it has its own.
    const key = await waitFor(() => s.lab.exec(s.ns.gw, 'wg', ['show', s.ifaces.sites, 'public-key']).then((r) => (/^[A-Za-z0-9+/]{43}=$/.test(r.stdout.trim()) ? r.stdout.trim() : '')), 20_000);
    const ready = Date.now();
    while (Date.now() < ready + 30_000) {
      const { stdout } = await s.lab.exec(s.ns.agentA, 'wg', ['show', agentIface, 'latest-handshakes']);
      const at = Number(stdout.split('\n').find((l) => l.startsWith(key))?.split('\t')[1] ?? 0) * 1000;
      if (at >= Math.floor(spawned / 1000) * 1000) return { fromReadyMs: Date.now() - ready, fromSpawnMs: Date.now() - spawned };
      await sleep(50);
    }
    return { fromReadyMs: 0, fromSpawnMs: 0 };
  }

  /** Both site interfaces as wg shows them (for a failure message; no private keys). */
  async sitePlanes(): Promise<string> {
    const agent = (await this.s.lab.exec(this.s.ns.agentA, 'wg', ['show', this.s.lab.name('pga')])).stdout;
    const gateway = (await this.s.lab.exec(this.s.ns.gw, 'wg', ['show', this.s.ifaces.sites]).catch(() => ({ stdout: '(none)' }))).stdout;
    return `--- agent A wg\n${agent}\n--- gateway 1 sites wg\n${gateway}`;
  }

  async cleanup(): Promise<void> {
    if (this.alice?.up) await this.wgQuick('down').catch(() => undefined);
    await this.ovpnClient?.stop();
    await this.s.cleanup();
    for (const dir of this.resolvDirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** SIGKILL to every process in the namespace, by PID (`ip netns pids`). */
export function killNamespace(ns: string): void {
  const stdout = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000 });
  for (const pid of stdout.split('\n').map(Number).filter((n) => n > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

export async function waitFor<T>(read: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  throw new Error(`nothing within ${withinMs} ms: ${String(lastError)}`);
}
