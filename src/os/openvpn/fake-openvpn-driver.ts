import type { ManagementNotification, OpenVpnState } from '../../core/direct-vpn/openvpn-management.ts';
import { checkedRelativePath, type OpenVpnDriver, type OpenVpnExit, type OpenVpnInstance, type OpenVpnSpec } from './openvpn-driver.ts';

/**
 * OpenVpnDriver in memory, for the agent's unit tests: records what was started, the files
 * and the commands; a test moves an instance's state (`emit`), makes it crash, or makes the
 * next start fail. Answers `state`, `status 3`, `kill CN`, `bytecount`, `log` like openvpn 2.6.
 */
export class FakeOpenVpnDriver implements OpenVpnDriver {
  readonly instances: FakeOpenVpnInstance[] = [];
  readonly cleaned: string[] = [];
  /** The next start rejects with this message (once). */
  failNextStart: string | null = null;
  private nextPid = 1000;

  async start(spec: OpenVpnSpec): Promise<OpenVpnInstance> {
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(spec.name)) throw new Error(`invalid OpenVPN interface name: ${JSON.stringify(spec.name)}`);
    if (this.running(spec.name)) throw new Error(`openvpn ${spec.name} is already running`);
    if (this.failNextStart !== null) {
      const message = this.failNextStart;
      this.failNextStart = null;
      throw new Error(`openvpn ${spec.name} did not come up: ${message}`);
    }
    for (const path of Object.keys(spec.files)) checkedRelativePath(path);
    const instance = new FakeOpenVpnInstance(spec, this.nextPid++);
    this.instances.push(instance);
    return instance;
  }

  async cleanUp(directory: string): Promise<void> {
    this.cleaned.push(directory);
  }

  running(name: string): FakeOpenVpnInstance | undefined {
    return this.instances.find((instance) => instance.name === name && instance.running());
  }
}

export class FakeOpenVpnInstance implements OpenVpnInstance {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<OpenVpnExit>;
  readonly spec: OpenVpnSpec;
  readonly files: Map<string, string>;
  readonly commands: string[] = [];
  /** `status 3` clients by common name (client id: their index unless given). */
  readonly clients = new Map<string, { realAddress: string; virtualAddress: string; bytesIn: number; bytesOut: number; clientId?: number; connectedSince?: number }>();
  state: OpenVpnState = 'CONNECTING';
  private alive = true;
  private finish: (exit: OpenVpnExit) => void = () => {};
  private readonly listeners: Array<(notification: ManagementNotification) => void> = [];

  constructor(spec: OpenVpnSpec, pid: number) {
    this.name = spec.name;
    this.pid = pid;
    this.spec = spec;
    this.files = new Map(Object.entries(spec.files));
    this.exited = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  running(): boolean {
    return this.alive;
  }

  async command(command: string): Promise<string[]> {
    if (!this.alive) throw new Error(`openvpn ${this.name} is not running`);
    this.commands.push(command);
    const [verb] = command.split(' ');
    const rest = command.slice((verb ?? '').length + 1);
    // the management parser's quoting: "a b" with \" and \\ escapes
    const argument = rest.startsWith('"') ? rest.slice(1, -1).replace(/\\(.)/g, '$1') : rest || undefined;
    if (verb === 'state' && argument === undefined) return [`1796051288,${this.state},${this.state === 'CONNECTED' ? 'SUCCESS' : ''},,,,,`];
    if (verb === 'log' && argument === 'all') return [];
    if (verb === 'status') {
      return [
        'HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\tBytes Received\tBytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\tClient ID\tPeer ID\tData Channel Cipher',
        ...[...this.clients].map(([cn, c], index) => `CLIENT_LIST\t${cn}\t${c.realAddress}\t${c.virtualAddress}\t\t${c.bytesIn}\t${c.bytesOut}\tx\t${c.connectedSince ?? 1796051288}\tUNDEF\t${c.clientId ?? index}\t${c.clientId ?? index}\tAES-256-GCM`),
      ];
    }
    if (verb === 'kill') {
      if (argument === undefined || !this.clients.delete(argument)) throw new Error(`openvpn ${this.name}: ERROR: common name '${argument}' not found`);
      return [`SUCCESS: common name '${argument}' found, 1 client(s) killed`];
    }
    return ['SUCCESS: ok'];
  }

  /** `client-auth` and its block, recorded as one entry per line (the block ends with END). */
  async commandBlock(command: string, block: string[]): Promise<string[]> {
    if (!this.alive) throw new Error(`openvpn ${this.name} is not running`);
    this.commands.push(command, ...block, 'END');
    return ['SUCCESS: client-auth command succeeded'];
  }

  onNotification(listener: (notification: ManagementNotification) => void): void {
    this.listeners.push(listener);
  }

  async writeFiles(files: Record<string, string>): Promise<void> {
    for (const [path, content] of Object.entries(files)) this.files.set(checkedRelativePath(path), content);
  }

  async removeFiles(paths: string[]): Promise<void> {
    for (const path of paths) this.files.delete(checkedRelativePath(path));
  }

  async stop(): Promise<void> {
    this.endProcess({ code: null, signal: 'SIGTERM' });
  }

  // ---- test controls ----
  emit(notification: ManagementNotification): void {
    if (notification.kind === 'state') this.state = notification.value.state;
    for (const listener of this.listeners) listener(notification);
  }

  /** The process dies on its own (crash, or openvpn exiting after an auth failure). */
  crash(code = 1): void {
    this.endProcess({ code, signal: null });
  }

  private endProcess(exit: OpenVpnExit): void {
    if (!this.alive) return;
    this.alive = false;
    this.finish(exit);
  }
}
