import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import type { FleetFile } from '../../src/core/fleet-file/schema.ts';
import { WireGuardGoDriver } from '../../src/os/wireguard/wireguard-go-driver.ts';
import { type LabProcess, NetnsLab } from './netns.ts';
import { wgQuickUp } from './wg-quick.ts';

/**
 * The whole product in network namespaces, driven the way people drive it: the real
 * `plantgate` binary for the control plane, the gateway, the agents and every CLI call,
 * and a standard WireGuard client (wireguard-go + `wg setconf`, wg-quick's addresses and
 * routes) per user, fed with the file `plantgate vpn issue --out` wrote.
 *
 *                       ┌─ cp      10.10.0.2   plantgate server
 *                       ├─ gw      10.10.1.2   plantgate gateway (default route → inet)
 *   inet (router, 10.10.N.1; owns 192.168.1.10 "internet" as a trap)
 *                       ├─ agentA  10.10.2.2   plantgate agent ── lanA 192.168.1.10 "plant-A"
 *                       ├─ agentB  10.10.3.2   plantgate agent ── lanB 192.168.1.10 "plant-B"
 *                       └─ user i  10.10.(10+i).2   wireguard-go client (no default route)
 *
 * Every address lives only in namespaces this lab creates and removes (cleanup()).
 */

export const NODE = process.execPath;
const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/plantgate.js');
const DEVICE = new URL('./fixtures/plant-device.ts', import.meta.url).pathname;
export const FLOW = new URL('./fixtures/flow.ts', import.meta.url).pathname;
const DEVICE_LIFETIME_MS = '1800000';

export const SERVER_IP = '10.10.0.2';
export const SERVER_URL = `http://${SERVER_IP}:8080`;
export const GATEWAY_IP = '10.10.1.2';
export const DEVICE_IP = '192.168.1.10';
/** An "internet" address: only the gateway's default route leads there (a trap). */
export const INTERNET_IP = '198.18.0.1';
export const ADMIN = { email: 'admin@plantgate.local', password: 'admin-password-e2e' };
export const REGION = 'e2e';

export type Run = { code: number; stdout: string; stderr: string; ms: number };

export type LabUser = {
  email: string;
  password: string;
  ns: string;
  env: NodeJS.ProcessEnv;
  iface: string;
  confPath: string;
  driver: WireGuardGoDriver;
  up: boolean;
};

/** How the control plane is started: extra CLI options and environment (a database URL, a master key, …). */
export type ServerOptions = { args?: string[]; env?: NodeJS.ProcessEnv; readyTimeoutMs?: number };

/** The URL of a control-plane process on `port` in the cp namespace. */
export const serverUrl = (port: number) => `http://${SERVER_IP}:${port}`;

export type FlowSample = {
  connectedAt: number | null;
  sent: Map<number, number>;
  received: Map<number, number>;
  revoke: { start: number; end: number; status: string } | null;
  /** The other change the flow sent itself (startFlow's `request`). */
  request: { start: number; end: number; status: string } | null;
  done: boolean;
  errors: string[];
};

export class ScenarioLab {
  readonly lab = new NetnsLab();
  readonly work = mkdtempSync(join(tmpdir(), 'plantgate-scenarios-'));
  readonly ns: Record<string, string> = {};
  readonly users = new Map<string, LabUser>();
  server: LabProcess | null = null;
  gateway: LabProcess | null = null;
  readonly agents = new Map<string, LabProcess>();
  private nextLink = 10;
  private readonly adminEnv = { PLANTGATE_CONFIG_DIR: join(this.work, 'admin') };
  readonly ifaces = { users: this.lab.name('pgu'), sites: this.lab.name('pgs') };

  /** Namespaces, links, routes, the three devices. */
  async build(): Promise<void> {
    const { lab } = this;
    for (const role of ['inet', 'cp', 'gw', 'agentA', 'agentB', 'lanA', 'lanB']) this.ns[role] = await lab.addNamespace(role.slice(0, 2) + role.slice(-1));
    const links: Array<[string, number]> = [['cp', 0], ['gw', 1], ['agentA', 2], ['agentB', 3]];
    for (const [role, n] of links) {
      await lab.addVeth({ ns: this.ns.inet, iface: `to${role}`.slice(0, 15), address: `10.10.${n}.1/24` }, { ns: this.ns[role], iface: 'up0', address: `10.10.${n}.2/24` });
      if (role === 'gw') await lab.addRoute(this.ns.gw, ['default', 'via', '10.10.1.1']);
      else await lab.addRoute(this.ns[role], ['10.10.0.0/16', 'via', `10.10.${n}.1`]);
    }
    await lab.enableForwarding(this.ns.inet);
    // A packet the gateway forwards where it must not (a native address it did not
    // translate) follows its default route to "inet", which answers as "internet".
    await lab.addAddress(this.ns.inet, 'lo', `${DEVICE_IP}/32`);
    // And so does an address that only the gateway's default route leads to.
    await lab.addAddress(this.ns.inet, 'lo', `${INTERNET_IP}/32`);
    for (const [agent, lan] of [['agentA', 'lanA'], ['agentB', 'lanB']]) {
      await lab.addVeth({ ns: this.ns[agent], iface: 'lan0', address: '192.168.1.1/24' }, { ns: this.ns[lan], iface: 'eth0', address: `${DEVICE_IP}/24` });
    }
    for (const [role, name] of [['lanA', 'plant-A'], ['lanB', 'plant-B'], ['inet', 'internet']]) {
      await lab.startProcess(this.ns[role], NODE, [DEVICE, name, DEVICE_LIFETIME_MS]).waitForLine(/^listening/, 15_000);
    }
  }

  // ---- control plane --------------------------------------------------------

  /** Options of every later startServer() (kept across restarts). */
  serverOptions: ServerOptions = {};

  async startServer(): Promise<void> {
    this.server = await this.startServerProcess(8080, 'data', this.serverOptions);
  }

  /** One `plantgate server` in the cp namespace on `port` with its own data dir (several make replicas). */
  async startServerProcess(port: number, dataDir: string, options: ServerOptions = {}): Promise<LabProcess> {
    const server = this.lab.startProcess(
      this.ns.cp,
      NODE,
      [
        BIN, 'server', '--listen', `${SERVER_IP}:${port}`, '--data-dir', join(this.work, dataDir),
        '--admin-email', ADMIN.email, '--admin-password', ADMIN.password, ...(options.args ?? []),
      ],
      { ...process.env, ...options.env },
    );
    await server.waitForLine(/control plane on http/, options.readyTimeoutMs ?? 30_000);
    return server;
  }

  async stopServer(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }

  /** How long one CLI call may take (a 10,000-user fleet apply needs more than the default). */
  cliTimeoutMs = 60_000;

  /** The real binary in a namespace; never throws, the exit code is part of the answer. */
  cli(ns: string, env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<Run> {
    const started = Date.now();
    return new Promise((resolve) => {
      const child = execFile('ip', ['netns', 'exec', ns, NODE, BIN, ...args], { env: { ...process.env, ...env }, timeout: this.cliTimeoutMs, maxBuffer: 256 * 2 ** 20 }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  async admin(args: string[]): Promise<Run> {
    return this.must(await this.cli(this.ns.cp, this.adminEnv, args), `plantgate ${args.join(' ')}`);
  }

  async loginAdmin(server = SERVER_URL): Promise<void> {
    await this.admin(['login', '--server', server, '--email', ADMIN.email, '--password', ADMIN.password]);
  }

  async applyFleet(fleet: FleetFile): Promise<Run> {
    const file = join(this.work, 'fleet.yaml');
    writeFileSync(file, stringify(fleet));
    // The scenarios remove roles, cooperations and plants (with their agents) on purpose.
    return this.admin(['admin', 'apply', '-f', file, '--prune', '--force']);
  }

  // ---- daemons ----------------------------------------------------------------

  private async enrol(kind: 'gateway' | 'agent', scope: string): Promise<string> {
    const run = await this.admin(['admin', kind, 'enrol', kind === 'gateway' ? '--region' : '--plant', scope, '--json']);
    return JSON.parse(run.stdout).token as string;
  }

  private gatewayToken = '';

  /** `server`: what `--server` gets (one URL, or several separated by commas); reconcile: 10 s unless told. */
  async startGateway(options: { server?: string; reconcileSeconds?: number; args?: string[] } = {}): Promise<LabProcess> {
    if (!this.gatewayToken) this.gatewayToken = await this.enrol('gateway', REGION);
    for (const name of Object.values(this.ifaces)) this.lab.trackWireGuardInterface(name);
    this.gateway = this.lab.startProcess(this.ns.gw, NODE, [
      BIN, 'gateway', '--server', options.server ?? SERVER_URL, '--token', this.gatewayToken, '--state-dir', join(this.work, 'gw-state'),
      '--name', 'gw-e2e-1', '--site-endpoint', `${GATEWAY_IP}:51821`, '--user-port', '51820', '--site-port', '51821',
      '--user-interface', this.ifaces.users, '--site-interface', this.ifaces.sites, '--reconcile-seconds', String(options.reconcileSeconds ?? 10),
      ...(options.args ?? []),
    ]);
    return this.gateway;
  }

  private regionTokens = new Map<string, string>();

  /**
   * A gateway of another region in a namespace of its own (issue 11): enrolled once per
   * region, restarted from its state dir. `ifaces` must be run-unique (lab.name).
   */
  async startRegionGateway(o: { ns: string; region: string; name: string; ip: string; ifaces: { users: string; sites: string }; server?: string }): Promise<LabProcess> {
    let token = this.regionTokens.get(o.region);
    if (!token) {
      token = await this.enrol('gateway', o.region);
      this.regionTokens.set(o.region, token);
    }
    for (const name of Object.values(o.ifaces)) this.lab.trackWireGuardInterface(name);
    return this.lab.startProcess(o.ns, NODE, [
      BIN, 'gateway', '--server', o.server ?? SERVER_URL, '--token', token, '--state-dir', join(this.work, `${o.name}-state`),
      '--name', o.name, '--site-endpoint', `${o.ip}:51821`, '--user-port', '51820', '--site-port', '51821',
      '--user-interface', o.ifaces.users, '--site-interface', o.ifaces.sites, '--reconcile-seconds', '10',
    ]);
  }

  private agentTokens = new Map<string, string>();

  /** `args`: extra flags (e.g. `--flow-capture on --flow-report-seconds 2`). */
  async startAgent(role: 'agentA' | 'agentB', plant: string, options: { server?: string; args?: string[] } = {}): Promise<LabProcess> {
    let token = this.agentTokens.get(role);
    if (!token) {
      token = await this.enrol('agent', plant);
      this.agentTokens.set(role, token);
    }
    const iface = this.lab.name(role === 'agentA' ? 'pga' : 'pgb');
    this.lab.trackWireGuardInterface(iface);
    const agent = this.lab.startProcess(this.ns[role], NODE, [
      BIN, 'agent', '--server', options.server ?? SERVER_URL, '--token', token, '--lan-interface', 'lan0', '--state-dir', join(this.work, `${role}-state`),
      '--tunnel-interface', iface,
      ...(options.args ?? []),
    ]);
    this.agents.set(role, agent);
    return agent;
  }

  // ---- users ----------------------------------------------------------------

  /** A user with a namespace of their own, logged in through the CLI from inside it. */
  async addUser(email: string, password: string, options: { server?: string } = {}): Promise<LabUser> {
    const n = this.nextLink++;
    const short = email.split('@')[0]?.slice(0, 3) ?? 'usr';
    const ns = await this.lab.addNamespace(`u${n}${short}`);
    await this.lab.addVeth({ ns: this.ns.inet, iface: `tou${n}`, address: `10.10.${n}.1/24` }, { ns, iface: 'up0', address: `10.10.${n}.2/24` });
    await this.lab.addRoute(ns, ['10.10.0.0/16', 'via', `10.10.${n}.1`]);
    const configDir = join(this.work, 'users', short + n);
    mkdirSync(configDir, { recursive: true });
    const user: LabUser = {
      email,
      password,
      ns,
      env: { PLANTGATE_CONFIG_DIR: configDir },
      iface: this.lab.name(`wu${n}`),
      confPath: join(configDir, 'plantgate.conf'),
      driver: new WireGuardGoDriver({ netns: ns }),
      up: false,
    };
    this.lab.trackWireGuardInterface(user.iface);
    this.users.set(email, user);
    await this.as(user, ['login', '--server', options.server ?? SERVER_URL, '--email', email, '--password', password]);
    return user;
  }

  async as(user: LabUser, args: string[]): Promise<Run> {
    return this.must(await this.cli(user.ns, user.env, args), `${user.email}: plantgate ${args.join(' ')}`);
  }

  config(user: LabUser): string {
    return readFileSync(user.confPath, 'utf8');
  }

  /** wg-quick up with the file the CLI wrote (down first when it is already up). */
  async clientUp(user: LabUser, configText = this.config(user)): Promise<void> {
    await this.clientDown(user);
    await wgQuickUp(this.lab, user.ns, user.iface, configText, user.driver);
    user.up = true;
  }

  async clientDown(user: LabUser): Promise<void> {
    if (!user.up) return;
    await user.driver.deleteInterface(user.iface);
    user.up = false;
  }

  /** `vpn issue --out FILE` then wg-quick up. */
  async issueAndConnect(user: LabUser): Promise<void> {
    rmSync(user.confPath, { force: true });
    await this.as(user, ['vpn', 'issue', '--out', user.confPath]);
    await this.clientUp(user);
  }

  /** The user's refresh of AllowedIPs: `vpn refresh --config FILE` (the key stays), then down/up. */
  async refreshConfig(user: LabUser): Promise<void> {
    await this.as(user, ['vpn', 'refresh', '--config', user.confPath]);
    await this.clientUp(user);
  }

  async routes(user: LabUser): Promise<Array<{ plant: string; subnet: string; mapped: string; native: boolean; state: string }>> {
    return JSON.parse((await this.as(user, ['vpn', 'routes', '--json'])).stdout);
  }

  // ---- probes ---------------------------------------------------------------

  async http(user: LabUser, host: string, timeoutMs = 1500): Promise<string> {
    const { stdout } = await this.lab.exec(user.ns, NODE, [new URL('./fixtures/probe.ts', import.meta.url).pathname, 'http', `http://${host}/`, String(timeoutMs)], { timeoutMs: timeoutMs + 15_000 });
    return stdout.trim();
  }

  async tcp(user: LabUser, host: string, timeoutMs = 1500, port = 502): Promise<string> {
    const { stdout } = await this.lab.exec(user.ns, NODE, [FLOW, 'tcp', host, String(port), String(timeoutMs)], { timeoutMs: timeoutMs + 15_000 });
    return stdout.trim();
  }

  /** HTTP :80 and TCP :502 both; "plant-A" / "plant-B" / "internet" or "none". */
  async whoAnswers(user: LabUser, host: string, timeoutMs = 1500): Promise<string> {
    const [http, tcp] = await Promise.all([this.http(user, host, timeoutMs), this.tcp(user, host, timeoutMs)]);
    const name = (line: string) => (line.startsWith('OK ') ? line.slice(3) : 'none');
    if (name(http) !== name(tcp)) return `mixed(http=${http}, tcp=${tcp})`;
    return name(http);
  }

  /** Polls until `host` answers as `expected` (bounded); returns the last answer. */
  async waitForAnswer(user: LabUser, host: string, expected: string, withinMs: number): Promise<string> {
    const deadline = Date.now() + withinMs;
    let last = '';
    do {
      last = await this.whoAnswers(user, host, 1000);
      if (last === expected) return last;
      await sleep(200);
    } while (Date.now() < deadline);
    return last;
  }

  /**
   * `server`: where the flow sends its revoke (default: the first control plane);
   * `request`: POST this JSON file to this API path instead of the revoke (with `token`).
   */
  startFlow(
    user: LabUser,
    host: string,
    options: { intervalMs: number; durationMs: number; revokeAtMs?: number; token?: string; server?: string; request?: { path: string; bodyFile: string } },
  ): LabProcess {
    const change = options.request ? [options.request.path, options.request.bodyFile] : [];
    const revoke = options.revokeAtMs !== undefined && options.token ? [String(options.revokeAtMs), options.server ?? SERVER_URL, options.token, ...change] : [];
    return this.lab.startProcess(user.ns, NODE, [FLOW, 'flow', host, '502', String(options.intervalMs), String(options.durationMs), ...revoke]);
  }

  token(user: LabUser): string {
    return JSON.parse(readFileSync(join(user.env.PLANTGATE_CONFIG_DIR as string, 'credentials.json'), 'utf8')).token;
  }

  /** The platform operator's API token (after loginAdmin). */
  adminToken(): string {
    return JSON.parse(readFileSync(join(this.adminEnv.PLANTGATE_CONFIG_DIR, 'credentials.json'), 'utf8')).token;
  }

  /** Everything the server, the gateway and the agents printed (for a failure report). */
  daemonOutput(): string {
    const parts = [['server', this.server], ['gateway', this.gateway], ...[...this.agents].map(([role, p]) => [role, p] as const)] as const;
    return parts.map(([label, p]) => `--- ${label}\n${p?.output() ?? '(not running)'}`).join('\n');
  }

  async cleanup(): Promise<void> {
    const keep = process.env.PLANTGATE_E2E_LOG;
    if (keep) writeFileSync(keep, this.daemonOutput());
    for (const user of this.users.values()) await this.clientDown(user).catch(() => {});
    await this.lab.cleanup();
    rmSync(this.work, { recursive: true, force: true });
  }

  private must(run: Run, what: string): Run {
    if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr || run.stdout}`);
    return run;
  }
}

export function parseFlow(output: string): FlowSample {
  const sample: FlowSample = { connectedAt: null, sent: new Map(), received: new Map(), revoke: null, request: null, done: false, errors: [] };
  for (const line of output.split('\n')) {
    const [kind, a, b, c] = line.split(' ');
    if (kind === 'connected') sample.connectedAt = Number(a);
    else if (kind === 'send') sample.sent.set(Number(a), Number(b));
    else if (kind === 'recv') sample.received.set(Number(a), Number(b));
    else if (kind === 'revoke') sample.revoke = { start: Number(a), end: Number(b), status: c ?? '' };
    else if (kind === 'request') sample.request = { start: Number(a), end: Number(b), status: c ?? '' };
    else if (kind === 'done') sample.done = true;
    else if (kind === 'ERR') sample.errors.push(line);
  }
  return sample;
}

/** When the flow's last echo arrived, and when the first message that never got one was sent. */
export function flowCut(sample: FlowSample): { lastReceivedAt: number | null; firstLostSentAt: number | null; received: number } {
  const received = [...sample.received.values()];
  const lastReceivedAt = received.length ? Math.max(...received) : null;
  let firstLostSentAt: number | null = null;
  const lastSeq = Math.max(0, ...sample.received.keys());
  const firstLost = sample.sent.get(lastSeq + 1);
  if (firstLost !== undefined) firstLostSentAt = firstLost;
  return { lastReceivedAt, firstLostSentAt, received: received.length };
}

export { sleep };
