import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseWgDump, type WgDump } from './wg-dump.ts';
import { checkedPublicKey, renderPeersConf, type WireGuardPeerConfig } from './wireguard-peer.ts';
import { withSecretFile } from '../secret-file.ts';
import { CommandError, inNetns, type RunCommand, runCommand } from '../run-command.ts';
import type { PeerChanges, WireGuardDriver, WireGuardInterfaceSpec } from './wireguard-driver.ts';
import { renderUapiPeerChanges, uapiRequest } from './wireguard-uapi.ts';

/**
 * WireGuardDriver over kernel WireGuard where the kernel has it (`ip link add … type
 * wireguard`), else wireguard-go (this project's machines have no module), and wg.
 *
 * wireguard-go runs in the foreground (`-f`) as our child so we know its PID and can
 * stop it; `ip netns exec` execs into it, so the PID is wireguard-go's own. A private
 * key reaches wg only through a 0600 file removed right after (withSecretFile), never
 * as an argument, and is never logged.
 */

export type WireGuardGoDriverOptions = {
  /** Network namespace to work in; the host namespace when absent. */
  netns?: string;
  timeoutMs?: number;
  run?: RunCommand;
  /** Where wireguard-go keeps its control sockets (shared across namespaces). */
  socketDirectory?: string;
  /** 'auto' (default): kernel WireGuard when `ip link add type wireguard` works, else wireguard-go. */
  implementation?: 'auto' | 'userspace';
  /** Peer changes to wireguard-go over its control socket (default true); false: always `wg set`. */
  uapi?: boolean;
};

const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

export class WireGuardGoDriver implements WireGuardDriver {
  private readonly netns: string | undefined;
  private readonly timeoutMs: number;
  private readonly run: RunCommand;
  private readonly socketDirectory: string;
  private readonly daemons = new Map<string, { child: ChildProcess; exited: Promise<void> }>();
  private readonly implementation: 'auto' | 'userspace';
  private readonly uapi: boolean;
  /** Learned on the first interface: whether this kernel has WireGuard. */
  private kernelAvailable: boolean | null = null;

  constructor(options: WireGuardGoDriverOptions = {}) {
    this.netns = options.netns;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.run = options.run ?? runCommand;
    this.socketDirectory = options.socketDirectory ?? '/var/run/wireguard';
    this.implementation = options.implementation ?? 'auto';
    this.uapi = options.uapi ?? true;
  }

  /** Which implementation the interfaces of this driver use (known after the first create). */
  get kernel(): boolean | null {
    return this.kernelAvailable;
  }

  async createInterface(spec: WireGuardInterfaceSpec): Promise<void> {
    const name = checkedName(spec.name);
    if (!(await this.createKernelInterface(name))) {
      const socket = `${this.socketDirectory}/${name}.sock`;
      if (existsSync(socket)) {
        // A socket that answers belongs to a live interface, maybe in another namespace.
        if (await this.answers(name)) throw new Error(`WireGuard interface name ${name} is already in use on this host`);
        rmSync(socket, { force: true }); // stale: left by a killed wireguard-go
      }
      await this.startDaemon(name, socket);
    }
    try {
      await this.setPrivateKey(name, spec.privateKey, spec.listenPort);
      for (const address of spec.addresses) await this.ip(['address', 'add', address, 'dev', name]);
      if (spec.mtu) await this.ip(['link', 'set', name, 'mtu', String(spec.mtu)]);
      await this.ip(['link', 'set', name, 'up']);
      for (const route of spec.routes) await this.ip(['route', 'replace', route, 'dev', name]);
    } catch (error) {
      await this.deleteInterface(name);
      throw error;
    }
  }

  /** Kernel WireGuard when allowed and present; false means: use wireguard-go. */
  private async createKernelInterface(name: string): Promise<boolean> {
    if (this.implementation === 'userspace' || this.kernelAvailable === false) return false;
    try {
      await this.ip(['link', 'add', 'dev', name, 'type', 'wireguard']);
      this.kernelAvailable = true;
      return true;
    } catch (error) {
      // "Unknown device type" / "Not supported": no module. Anything else (name taken) is real.
      const text = error instanceof Error ? error.message : String(error);
      if (/exists/i.test(text)) throw new Error(`WireGuard interface name ${name} is already in use`);
      this.kernelAvailable = false;
      return false;
    }
  }

  async deleteInterface(name: string): Promise<void> {
    checkedName(name);
    try {
      await this.ip(['link', 'delete', name]);
    } catch (error) {
      if (!isNoSuchDevice(error)) throw error;
    }
    // wireguard-go exits once its tun device is gone; make sure of it by PID.
    const daemon = this.daemons.get(name);
    if (daemon) {
      const stopped = await Promise.race([daemon.exited.then(() => true), sleep(2000).then(() => false)]);
      if (!stopped) {
        daemon.child.kill('SIGTERM');
        await Promise.race([daemon.exited, sleep(2000)]);
        daemon.child.kill('SIGKILL');
      }
      this.daemons.delete(name);
    }
  }

  async setPrivateKey(name: string, privateKey: string, listenPort: number | null): Promise<void> {
    checkedName(name);
    await withSecretFile(`${privateKey}\n`, async (path) => {
      const args = ['set', name, 'private-key', path];
      if (listenPort !== null) args.push('listen-port', String(listenPort));
      await this.wg(args);
    });
  }

  async changePeers(name: string, changes: PeerChanges): Promise<void> {
    checkedName(name);
    if (changes.remove.length + changes.upsert.length === 0) return;
    // wireguard-go: straight to its control socket, no process start (wireguard-uapi.ts).
    const request = this.kernelAvailable === true || !this.uapi ? null : renderUapiPeerChanges(changes);
    if (request !== null && (await uapiRequest(`${this.socketDirectory}/${name}.sock`, request, this.timeoutMs)) === 'done') return;
    const args = ['set', name];
    // Removals first: a rotated key must give its tunnel IP back before the new key takes it.
    for (const key of changes.remove) args.push('peer', checkedPublicKey(key), 'remove');
    for (const peer of changes.upsert) args.push(...peerArguments(peer));
    if (args.length === 2) return;
    await this.wg(args);
  }

  async syncPeers(name: string, peers: WireGuardPeerConfig[]): Promise<void> {
    checkedName(name);
    // Gotcha: `wg syncconf` with an [Interface] that has no PrivateKey clears the key of
    // the running interface (seen with wireguard-go + wg 1.0.20210914). So the running
    // key and port are read back (into memory only) and written into the config, which
    // then is a secret and goes through a 0600 file.
    const { stdout } = await this.wg(['show', name, 'dump']);
    const [privateKey, , listenPort] = stdout.split('\n')[0].split('\t');
    const interfaceLines = [`ListenPort = ${listenPort}`];
    if (privateKey !== '(none)') interfaceLines.unshift(`PrivateKey = ${privateKey}`);
    const config = renderPeersConf(peers).replace('[Interface]\n', `[Interface]\n${interfaceLines.join('\n')}\n`);
    await withSecretFile(config, (path) => this.wg(['syncconf', name, path]));
  }

  async setConf(name: string, config: string): Promise<void> {
    checkedName(name);
    // Not /dev/stdin: a Node child's stdin is a socketpair wg cannot fopen (secret-file.ts).
    await withSecretFile(config, (path) => this.wg(['setconf', name, path]));
  }

  async readDump(name: string): Promise<WgDump | null> {
    let stdout: string;
    try {
      ({ stdout } = await this.wg(['show', checkedName(name), 'dump']));
    } catch (error) {
      if (isNoSuchDevice(error)) return null;
      throw error;
    }
    const parsed = parseWgDump(stdout);
    if (!parsed.ok) throw new Error(`wg show ${name} dump: ${parsed.reason}`);
    return parsed.value;
  }

  private async startDaemon(name: string, socket: string): Promise<void> {
    const [file, args] = inNetns(this.netns, 'wireguard-go', ['-f', name]);
    const child = spawn(file, args, {
      env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.daemons.set(name, { child, exited });
    // Ready once its control socket answers; bounded, like every wait here.
    const deadline = Date.now() + this.timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      if (existsSync(socket) && (await this.answers(name))) return;
      await sleep(20);
    }
    child.kill('SIGKILL');
    this.daemons.delete(name);
    throw new Error(`wireguard-go ${name} did not come up: ${stderr.trim()}`);
  }

  private async answers(name: string): Promise<boolean> {
    try {
      await this.wg(['show', name, 'public-key']);
      return true;
    } catch {
      return false;
    }
  }

  private wg(args: string[]) {
    const [file, fullArgs] = inNetns(this.netns, 'wg', args);
    // wg retries a name that does not resolve for now (EAI_AGAIN) 15 times, over a minute:
    // longer than our timeout. Twice is enough; the daemon's next apply tries again.
    return this.run(file, fullArgs, { timeoutMs: this.timeoutMs, env: { ...process.env, WG_ENDPOINT_RESOLUTION_RETRIES: '2' } });
  }

  private ip(args: string[]) {
    const [file, fullArgs] = inNetns(this.netns, 'ip', args);
    return this.run(file, fullArgs, { timeoutMs: this.timeoutMs });
  }
}

function peerArguments(peer: WireGuardPeerConfig): string[] {
  // `allowed-ips` on `wg set` replaces the peer's whole list, so an upsert is exact.
  const args = ['peer', checkedPublicKey(peer.publicKey), 'allowed-ips', peer.allowedIps.join(',')];
  if (peer.endpoint) args.push('endpoint', peer.endpoint);
  if (peer.persistentKeepalive) args.push('persistent-keepalive', String(peer.persistentKeepalive));
  return args;
}

function checkedName(name: string): string {
  if (!INTERFACE_NAME.test(name)) throw new Error(`invalid interface name: ${JSON.stringify(name)}`);
  return name;
}

function isNoSuchDevice(error: unknown): boolean {
  return (
    error instanceof CommandError &&
    /No such device|Cannot find device|Unable to access interface|does not exist/i.test(error.stderr)
  );
}
