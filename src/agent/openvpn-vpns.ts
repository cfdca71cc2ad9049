import { diagnoseOpenVpnLog, type OpenVpnCheck, redactOpenVpnLogLine } from '../core/direct-vpn/openvpn-diagnosis.ts';
import { type ManagementNotification, parseLogLine, parseStateLine, parseStatus3 } from '../core/direct-vpn/openvpn-management.ts';
import type { OpenVpnUpload } from '../core/direct-vpn/openvpn-config.ts';
import { renderOpenVpnClientConfig } from '../core/direct-vpn/openvpn-render.ts';
import { clientConfigFileName, managementQuoted, renderOpenVpnClientConfigDirEntry, renderOpenVpnServerConfig } from '../core/direct-vpn/openvpn-server-render.ts';
import type { AgentDirectVpn, AgentOpenVpnClientVpn, AgentOpenVpnServerVpn, DirectVpnStatusReport } from '../core/wire/daemon.ts';
import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { OpenVpnDriver, OpenVpnInstance } from '../os/openvpn/openvpn-driver.ts';
import { openVpnPaths } from '../os/openvpn/openvpn-driver.ts';
import { directVpnInterfaceName } from './direct-vpns.ts';
import type { DirectVpnApplyResult, DirectVpnTunnelRunner } from './tunnel-runner.ts';

/**
 * Issue 9: the agent runs each enabled OpenVPN direct VPN of its plant as a supervised
 * `openvpn` child (src/os/openvpn), in a 0700 directory of its own under the agent's state
 * dir. Outgoing: a client config rendered from the parsed model (renderOpenVpnClientConfig:
 * pushed routes and redirect-gateway filtered, routes = the VPN's subnets); once connected the
 * agent reads the tun's kernel routes back and removes any that is not one of the subnets
 * (a default route the server pushed included). Hosted: a server config with one
 * client-config-dir file per client and the CRL in a file; a client or CRL change rewrites
 * those (openvpn reads them at each handshake) and `kill`s the removed or changed clients —
 * the others stay connected. A new restartGeneration, or any other change, restarts it; a VPN
 * that leaves the document is stopped and its files removed; an openvpn that exits on its own
 * is restarted with backoff (1 s doubling to 60 s) and reported down meanwhile.
 */

export type OpenVpnVpn = AgentOpenVpnClientVpn | AgentOpenVpnServerVpn;

export type OpenVpnRunnerDeps = {
  openvpn: OpenVpnDriver;
  ip: IpConfigDriver;
  /** Absolute; each VPN gets `<directory>/<interface>`. */
  directory: string;
  now: () => number;
  /** Runs `run` after `ms`; returns a cancel function (timers are ports, for the unit tests). */
  schedule: (ms: number, run: () => void) => () => void;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * D7: checks of a remote the agent dials (resolves, answers, TCP port open), run in the
   * background while an outgoing VPN is not connected, at most every 30 s (absent: log checks only).
   */
  checkEndpoint?: (endpoint: { host: string; port: number; transport: 'udp' | 'tcp' }) => Promise<OpenVpnCheck[]>;
};

type Entry = {
  vpn: OpenVpnVpn;
  iface: string;
  processKey: string;
  clientsKey: string;
  instance: OpenVpnInstance | null;
  state: DirectVpnStatusReport['state'];
  since: number;
  bytesIn: number;
  bytesOut: number;
  logs: Array<{ at: number; text: string }>;
  clients: NonNullable<DirectVpnStatusReport['clients']>;
  failures: number;
  cancelRestart: (() => void) | null;
  cancelPoll: (() => void) | null;
  stopping: boolean;
  /** Hosted: the client-config-dir files and CRL last written (what a client change is compared with). */
  clientFiles: Record<string, string>;
  /** Outgoing, while not connected: the last endpoint checks and when they ran (null: running or never). */
  endpointChecks: OpenVpnCheck[];
  endpointCheckedAt: number | null;
};

const LOG_LINES = 200;
const BACKOFF_MAX_MS = 60_000;
const CLIENT_POLL_MS = 5_000;
const ENDPOINT_CHECK_EVERY_MS = 30_000;

export function isOpenVpn(vpn: AgentDirectVpn): vpn is OpenVpnVpn {
  return vpn.protocol === 'openvpn';
}

export class OpenVpnRunner implements DirectVpnTunnelRunner {
  private readonly deps: OpenVpnRunnerDeps;
  private readonly entries = new Map<string, Entry>();
  /** The leftovers of an earlier run being cleaned up (adopt); the first apply waits for it. */
  private adopting: Promise<void> = Promise.resolve();

  constructor(deps: OpenVpnRunnerDeps) {
    this.deps = deps;
  }

  /** Directories an earlier run may have left (crash, --keep-on-exit): their openvpn is stopped by pid file, files removed. */
  adopt(vpns: AgentDirectVpn[]): void {
    const directories = vpns.filter(isOpenVpn).map((vpn) => this.directoryOf(directVpnInterfaceName(vpn.id)));
    this.adopting = (async () => {
      for (const directory of directories) await this.deps.openvpn.cleanUp(directory).catch(() => {});
    })();
  }

  interfaces(): string[] {
    return [...this.entries.keys()].sort();
  }

  async apply(vpns: AgentDirectVpn[], observe: boolean): Promise<DirectVpnApplyResult> {
    await this.adopting;
    const changes: string[] = [];
    const failed: string[] = [];
    const wanted = new Map(vpns.filter(isOpenVpn).map((vpn) => [directVpnInterfaceName(vpn.id), vpn] as const));
    for (const [iface, entry] of [...this.entries]) {
      if (wanted.has(iface)) continue;
      await this.remove(entry);
      changes.push(`direct VPN ${entry.vpn.name} stopped (openvpn on ${iface} ended, files removed)`);
    }
    for (const [iface, vpn] of wanted) {
      const current = this.entries.get(iface);
      const keys = keysOf(vpn);
      try {
        if (current && current.processKey === keys.processKey) {
          current.vpn = vpn;
          if (current.clientsKey !== keys.clientsKey && vpn.direction === 'hosted') {
            const note = await this.updateClients(current, vpn);
            current.clientsKey = keys.clientsKey;
            changes.push(`direct VPN ${vpn.name}: ${note}`);
          }
          if (observe && current.instance === null && current.cancelRestart === null) {
            await this.start(current);
            changes.push(`direct VPN ${vpn.name} started again on ${iface}`);
          }
          continue;
        }
        if (current) await this.stopProcess(current);
        const entry: Entry = current ?? newEntry(vpn, iface, this.deps.now());
        Object.assign(entry, { vpn, ...keys, stopping: false, failures: 0 });
        this.entries.set(iface, entry);
        await this.start(entry);
        changes.push(`direct VPN ${vpn.name} ${current ? 'restarted' : 'started'} (openvpn on ${iface}, ${vpn.subnets.join(', ')})`);
      } catch (error) {
        failed.push(`direct VPN ${vpn.name} not started: ${shortError(error)}`);
      }
    }
    return { changes, failed };
  }

  /** D7: one report per OpenVPN direct VPN (state, traffic, clients, redacted logs, checks while down). */
  async status(_nowMs?: number): Promise<DirectVpnStatusReport[]> {
    return this.statusNow();
  }

  statusNow(): DirectVpnStatusReport[] {
    return [...this.entries.values()].map((entry) => {
      const logs = entry.logs.slice(-50).map((line) => ({ at: new Date(line.at).toISOString(), text: line.text }));
      const report: DirectVpnStatusReport = {
        id: entry.vpn.id,
        state: entry.state,
        since: new Date(entry.since).toISOString(),
        bytesIn: entry.bytesIn,
        bytesOut: entry.bytesOut,
        logs,
      };
      if (entry.vpn.direction === 'hosted') report.clients = entry.clients.slice(0, 256);
      if (entry.state !== 'connected') {
        this.refreshEndpointChecks(entry);
        report.checks = [...entry.endpointChecks, ...diagnoseOpenVpnLog(entry.logs, false, this.deps.now())].slice(0, 32);
      } else entry.endpointChecks = [];
      return report;
    });
  }

  /** Starts the endpoint checks of a down outgoing VPN in the background (their result shows in the next report). */
  private refreshEndpointChecks(entry: Entry): void {
    const check = this.deps.checkEndpoint;
    const vpn = entry.vpn;
    if (!check || vpn.direction !== 'outgoing' || vpn.model.remotes.length === 0) return;
    const now = this.deps.now();
    if (entry.endpointCheckedAt !== null && now - entry.endpointCheckedAt < ENDPOINT_CHECK_EVERY_MS) return;
    entry.endpointCheckedAt = now;
    void (async () => {
      const checks: OpenVpnCheck[] = [];
      // the first three remotes, as openvpn tries them in order
      for (const remote of vpn.model.remotes.slice(0, 3)) {
        checks.push(...(await check({ host: remote.host, port: remote.port, transport: remote.transport }).catch(() => [])));
      }
      if (this.entries.get(entry.iface) === entry) entry.endpointChecks = checks;
    })();
  }

  /** Stops every openvpn (the agent's own stop); files removed. */
  async stopAll(): Promise<void> {
    for (const entry of [...this.entries.values()]) await this.remove(entry);
  }

  private directoryOf(iface: string): string {
    return `${this.deps.directory}/${iface}`;
  }

  private async start(entry: Entry): Promise<void> {
    entry.cancelRestart = null;
    const directory = this.directoryOf(entry.iface);
    await this.deps.openvpn.cleanUp(directory);
    let rendered: { config: string; files: Record<string, string> };
    try {
      rendered = renderFor(entry.vpn, entry.iface, directory);
    } catch (error) {
      // Not a transient failure: tried again when the document changes (or on a reconcile).
      this.setState(entry, 'down');
      this.note(entry, `not started: ${shortError(error)}`);
      throw error;
    }
    const { config, files } = rendered;
    entry.clientFiles = entry.vpn.direction === 'hosted' ? files : {};
    this.setState(entry, 'connecting');
    let instance: OpenVpnInstance;
    try {
      instance = await this.deps.openvpn.start({ name: entry.iface, directory, config, files });
    } catch (error) {
      this.note(entry, `openvpn did not start: ${shortError(error)}`);
      this.scheduleRestart(entry);
      throw error;
    }
    entry.instance = instance;
    instance.onNotification((notification) => this.notified(entry, instance, notification));
    void instance.exited.then((exit) => this.exited(entry, instance, exit));
    try {
      for (const line of await instance.command('log all')) {
        const parsed = parseLogLine(line);
        if (parsed) this.addLog(entry, parsed.time * 1000, parsed.text);
      }
      await instance.command('log on');
      await instance.command('state on');
      await instance.command('bytecount 2');
      // The config holds openvpn until now (management-hold); later restarts of its own do not wait.
      await instance.command('hold off');
      await instance.command('hold release');
      const state = parseStateLine((await instance.command('state')).at(-1) ?? '');
      if (state) this.stateFrom(entry, instance, state.state);
      if (entry.vpn.direction === 'hosted') {
        await this.deps.ip.syncRoutes(entry.iface, entry.vpn.subnets).catch((error) => this.note(entry, `routes not set: ${shortError(error)}`));
        this.pollClients(entry, instance);
      }
    } catch (error) {
      // The management connection failed right after the start: the exit handler restarts it.
      this.note(entry, `management: ${shortError(error)}`);
    }
  }

  private notified(entry: Entry, instance: OpenVpnInstance, notification: ManagementNotification): void {
    if (entry.instance !== instance) return;
    if (notification.kind === 'log') this.addLog(entry, notification.value.time * 1000, notification.value.text);
    else if (notification.kind === 'state') this.stateFrom(entry, instance, notification.value.state);
    else if (notification.kind === 'bytecount') {
      entry.bytesIn = notification.bytesIn;
      entry.bytesOut = notification.bytesOut;
      // A state notification around the start can be lost to the first `state` query (seen once in CI: bytes
      // flowing, the card "connecting" for 40 s); while not connected, the byte count's tick asks again.
      if (entry.state !== 'connected') void this.refreshState(entry, instance);
    }
  }

  private readonly stateQueries = new WeakSet<Entry>();

  private async refreshState(entry: Entry, instance: OpenVpnInstance): Promise<void> {
    if (this.stateQueries.has(entry)) return;
    this.stateQueries.add(entry);
    try {
      const state = parseStateLine((await instance.command('state')).at(-1) ?? '');
      if (state && entry.instance === instance) this.stateFrom(entry, instance, state.state);
    } catch {
      // a dead management connection is the exit handler's to deal with
    } finally {
      this.stateQueries.delete(entry);
    }
  }

  private stateFrom(entry: Entry, instance: OpenVpnInstance, state: string): void {
    const connected = state === 'CONNECTED';
    if (connected && entry.state !== 'connected') {
      entry.failures = 0;
      if (entry.vpn.direction === 'outgoing') void this.checkRoutes(entry, instance);
    }
    this.setState(entry, connected ? 'connected' : 'connecting');
  }

  /** D5 at connect time: the tun carries exactly the VPN's subnets, whatever the server pushed. */
  private async checkRoutes(entry: Entry, instance: OpenVpnInstance): Promise<void> {
    try {
      const changed = await this.deps.ip.syncRoutes(entry.iface, entry.vpn.subnets);
      if (entry.instance !== instance) return;
      const removed = changed.filter((change) => change.startsWith('-')).map((change) => change.slice(1));
      if (removed.length > 0) {
        this.note(entry, `removed routes outside the direct VPN's subnets from ${entry.iface}: ${removed.join(', ')}`);
        this.deps.log('openvpn: routes outside the subnets removed', { vpn: entry.vpn.name, removed });
      }
    } catch (error) {
      this.note(entry, `route check failed: ${shortError(error)}`);
    }
  }

  private exited(entry: Entry, instance: OpenVpnInstance, exit: { code: number | null; signal: string | null }): void {
    if (entry.instance !== instance) return;
    entry.instance = null;
    entry.cancelPoll?.();
    entry.cancelPoll = null;
    if (entry.stopping) return;
    this.note(entry, `openvpn exited (${exit.signal ?? `code ${exit.code}`})`);
    this.deps.log('openvpn exited; restarting', { vpn: entry.vpn.name, code: exit.code, signal: exit.signal });
    this.scheduleRestart(entry);
  }

  private scheduleRestart(entry: Entry): void {
    this.setState(entry, 'down');
    if (entry.stopping || entry.cancelRestart !== null) return;
    const delay = Math.min(BACKOFF_MAX_MS, 1000 * 2 ** entry.failures);
    entry.failures += 1;
    this.note(entry, `restarting in ${Math.round(delay / 1000)} s`);
    entry.cancelRestart = this.deps.schedule(delay, () => {
      entry.cancelRestart = null;
      if (entry.stopping || this.entries.get(entry.iface) !== entry) return;
      this.start(entry).catch(() => {});
    });
  }

  private pollClients(entry: Entry, instance: OpenVpnInstance): void {
    const poll = async () => {
      if (entry.instance !== instance || !instance.running()) return;
      try {
        const connected = parseStatus3(await instance.command('status 3'));
        const byName = new Map(connected.map((client) => [client.commonName, client]));
        const known = entry.vpn.direction === 'hosted' ? entry.vpn.clients.map((client) => client.commonName) : [];
        entry.clients = known.map((name) => {
          const client = byName.get(name);
          return {
            client: name,
            connected: client !== undefined,
            endpoint: client?.realAddress.slice(0, 100) ?? null,
            bytesIn: client?.bytesIn ?? 0,
            bytesOut: client?.bytesOut ?? 0,
            lastSeen: client ? new Date(client.connectedSince * 1000).toISOString() : null,
          };
        });
        entry.bytesIn = connected.reduce((sum, client) => sum + client.bytesIn, 0);
        entry.bytesOut = connected.reduce((sum, client) => sum + client.bytesOut, 0);
      } catch {
        // a restart in progress answers ERROR; the next poll reads it again
      }
      entry.cancelPoll = entry.instance === instance ? this.deps.schedule(CLIENT_POLL_MS, () => void poll()) : null;
    };
    void poll();
  }

  /** Hosted: new client-config-dir files and CRL; the removed and changed clients cut at once, the others stay. */
  private async updateClients(entry: Entry, vpn: AgentOpenVpnServerVpn): Promise<string> {
    const before = previousClients(entry);
    const files = serverFiles(vpn);
    const instance = entry.instance;
    entry.vpn = vpn;
    if (instance === null) {
      entry.clientFiles = files;
      return 'clients updated (openvpn restarting)';
    }
    await instance.writeFiles(files);
    const now = new Set(vpn.clients.map((client) => clientConfigFileName(client.commonName)));
    const removed = [...before.keys()].filter((name) => !now.has(name));
    await instance.removeFiles(removed.map((name) => `ccd/${name}`));
    const changed = [...before].filter(([name, text]) => now.has(name) && files[`ccd/${name}`] !== text).map(([name]) => name);
    for (const name of [...removed, ...changed]) {
      await instance.command(`kill ${managementQuoted(name)}`).catch(() => {}); // not connected: nothing to cut
    }
    await this.deps.ip.syncRoutes(entry.iface, vpn.subnets);
    entry.clientFiles = files;
    return `clients updated (${removed.length} removed and cut, ${changed.length} changed)`;
  }

  private async stopProcess(entry: Entry): Promise<void> {
    entry.stopping = true;
    entry.cancelRestart?.();
    entry.cancelRestart = null;
    entry.cancelPoll?.();
    entry.cancelPoll = null;
    const instance = entry.instance;
    entry.instance = null;
    if (instance) await instance.stop();
    entry.stopping = false;
  }

  private async remove(entry: Entry): Promise<void> {
    await this.stopProcess(entry);
    entry.stopping = true;
    this.entries.delete(entry.iface);
    await this.deps.openvpn.cleanUp(this.directoryOf(entry.iface));
  }

  private setState(entry: Entry, state: DirectVpnStatusReport['state']): void {
    if (entry.state === state) return;
    entry.state = state;
    entry.since = this.deps.now();
  }

  private addLog(entry: Entry, at: number, text: string): void {
    entry.logs.push({ at, text: redactOpenVpnLogLine(text) });
    if (entry.logs.length > LOG_LINES) entry.logs.splice(0, entry.logs.length - LOG_LINES);
  }

  /** A line of the agent's own about this tunnel, among openvpn's. */
  private note(entry: Entry, text: string): void {
    this.addLog(entry, this.deps.now(), `plantgate: ${text}`);
  }
}

function previousClients(entry: Entry): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, text] of Object.entries(entry.clientFiles)) if (path.startsWith('ccd/')) out.set(path.slice(4), text);
  return out;
}

function newEntry(vpn: OpenVpnVpn, iface: string, now: number): Entry {
  return {
    vpn,
    iface,
    processKey: '',
    clientsKey: '',
    instance: null,
    state: 'connecting',
    since: now,
    bytesIn: 0,
    bytesOut: 0,
    logs: [],
    clients: [],
    failures: 0,
    cancelRestart: null,
    cancelPoll: null,
    stopping: false,
    clientFiles: {},
    endpointChecks: [],
    endpointCheckedAt: null,
  };
}

/** What needs a restart (everything but a hosted server's clients and CRL) and what does not. */
export function keysOf(vpn: OpenVpnVpn): { processKey: string; clientsKey: string } {
  if (vpn.direction === 'outgoing') return { processKey: JSON.stringify(vpn), clientsKey: '' };
  const { clients, crl, subnets, name, ...rest } = vpn;
  return { processKey: JSON.stringify(rest), clientsKey: JSON.stringify({ clients, crl, subnets }) };
}

function serverFiles(vpn: AgentOpenVpnServerVpn): Record<string, string> {
  const files: Record<string, string> = { 'crl.pem': vpn.crl };
  for (const client of vpn.clients) files[`ccd/${clientConfigFileName(client.commonName)}`] = renderOpenVpnClientConfigDirEntry(client, vpn);
  return files;
}

/** The config and files of one VPN (they hold its keys: the driver writes them 0600). */
export function renderFor(vpn: OpenVpnVpn, iface: string, directory: string): { config: string; files: Record<string, string> } {
  const managementSocket = openVpnPaths(directory).socket;
  if (vpn.direction === 'outgoing') {
    if (vpn.credentials && /[\r\n]/.test(vpn.credentials.username + vpn.credentials.password)) throw new Error('credentials: username and password must be one line each');
    const credentialsFile = vpn.credentials ? `${directory}/credentials` : null;
    const config = renderOpenVpnClientConfig(vpn.model as OpenVpnUpload, { interfaceName: iface, subnets: vpn.subnets, managementSocket, credentialsFile });
    const files: Record<string, string> = vpn.credentials ? { credentials: `${vpn.credentials.username}\n${vpn.credentials.password}\n` } : {};
    return { config, files };
  }
  const config = renderOpenVpnServerConfig(vpn, { interfaceName: iface, managementSocket, crlFile: `${directory}/crl.pem`, clientConfigDir: `${directory}/ccd` });
  return { config, files: serverFiles(vpn) };
}

function shortError(error: unknown): string {
  // Driver errors carry program output, never the config text; redacted all the same.
  const text = error instanceof Error ? error.message : String(error);
  return redactOpenVpnLogLine(text.split('\n').slice(-1)[0] ?? '').slice(0, 300);
}
