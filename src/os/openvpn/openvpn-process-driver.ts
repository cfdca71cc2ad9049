import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { endsResponse, type ManagementNotification, parseNotification, responseShape } from '../../core/direct-vpn/openvpn-management.ts';
import { inNetns } from '../run-command.ts';
import { checkedRelativePath, type OpenVpnDriver, type OpenVpnExit, type OpenVpnInstance, type OpenVpnSpec, openVpnPaths } from './openvpn-driver.ts';

/**
 * OpenVpnDriver over Debian's `openvpn` (2.6): `openvpn --config FILE` as our child (an
 * argument array; with `netns`, `ip netns exec NS openvpn …`, which execs, so the PID is
 * openvpn's own), stopped by PID. One persistent connection to its unix management socket
 * (openvpn serves one client at a time) carries the commands, one at a time, and the
 * real-time notifications. Its stdout is kept (last 8 KB) only to explain a start that fails
 * before the socket is up.
 */

export type OpenVpnProcessDriverOptions = {
  netns?: string;
  /** How long a start may take until the management socket answers. */
  startTimeoutMs?: number;
  commandTimeoutMs?: number;
  binary?: string;
};

const NAME = /^[A-Za-z0-9_.-]{1,15}$/;

export class OpenVpnProcessDriver implements OpenVpnDriver {
  private readonly options: Required<Omit<OpenVpnProcessDriverOptions, 'netns'>> & { netns: string | undefined };

  constructor(options: OpenVpnProcessDriverOptions = {}) {
    this.options = {
      netns: options.netns,
      startTimeoutMs: options.startTimeoutMs ?? 10_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 5_000,
      binary: options.binary ?? 'openvpn',
    };
  }

  async start(spec: OpenVpnSpec): Promise<OpenVpnInstance> {
    if (!NAME.test(spec.name)) throw new Error(`invalid OpenVPN interface name: ${JSON.stringify(spec.name)}`);
    if (!spec.directory.startsWith('/')) throw new Error('the OpenVPN directory must be absolute');
    const paths = openVpnPaths(spec.directory);
    // sockaddr_un holds 108 bytes: a longer path makes openvpn exit with a bind error
    if (Buffer.byteLength(paths.socket) > 107) throw new Error(`the management socket path ${paths.socket} is longer than 107 bytes: use a shorter state dir`);
    await mkdir(spec.directory, { recursive: true, mode: 0o700 });
    await chmod(spec.directory, 0o700);
    await rm(paths.socket, { force: true });
    await writeSecret(paths.config, spec.config);
    await writeFiles(spec.directory, spec.files);
    const [file, args] = inNetns(this.options.netns, this.options.binary, ['--config', paths.config]);
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: string) => {
      output = (output + chunk).slice(-8192);
    };
    child.stdout?.setEncoding('utf8').on('data', keep);
    child.stderr?.setEncoding('utf8').on('data', keep);
    const exited = new Promise<OpenVpnExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    if (child.pid !== undefined) await writeFile(paths.pid, `${child.pid}\n`, { mode: 0o600 });
    const deadline = Date.now() + this.options.startTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      const failed = await Promise.race([spawnError, sleep(50).then(() => null)]);
      if (failed) throw new Error(`openvpn did not start: ${failed.message}`);
      if (!existsSync(paths.socket)) continue;
      const socket = await connect(paths.socket).catch(() => null);
      if (socket) return new ProcessInstance(spec.name, child, exited, socket, spec.directory, this.options.commandTimeoutMs);
    }
    await stopChild(child, exited);
    const lines = output.trim().split('\n').filter((line) => line.trim() !== '');
    throw new Error(`openvpn ${spec.name} did not come up: ${lines.slice(-3).join(' | ') || 'no output'}`);
  }

  async cleanUp(directory: string): Promise<void> {
    const paths = openVpnPaths(directory);
    try {
      const pid = Number(readFileSync(paths.pid, 'utf8').trim());
      // Only ours: the process must be an openvpn started with this very config file.
      const commandLine = Number.isSafeInteger(pid) && pid > 1 ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') : [];
      if (commandLine.includes(paths.config) && commandLine.some((arg) => arg.endsWith('openvpn'))) {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 40 && existsSync(`/proc/${pid}`); i++) await sleep(50);
        if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
      }
    } catch {
      // no pid file, or the process is gone
    }
    await rm(directory, { recursive: true, force: true });
  }
}

class ProcessInstance implements OpenVpnInstance {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<OpenVpnExit>;
  private readonly child: ChildProcess;
  private readonly socket: Socket;
  private readonly directory: string;
  private readonly timeoutMs: number;
  private readonly listeners: Array<(notification: ManagementNotification) => void> = [];
  private queue: Promise<unknown> = Promise.resolve();
  private pending: { shape: 'single' | 'multi'; lines: string[]; resolve: (lines: string[]) => void; reject: (error: Error) => void } | null = null;
  private buffer = '';

  constructor(name: string, child: ChildProcess, exited: Promise<OpenVpnExit>, socket: Socket, directory: string, timeoutMs: number) {
    this.name = name;
    this.pid = child.pid ?? -1;
    this.child = child;
    this.exited = exited;
    this.socket = socket;
    this.directory = directory;
    this.timeoutMs = timeoutMs;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    const closed = () => {
      this.pending?.reject(new Error(`openvpn ${name}: management connection closed`));
      this.pending = null;
    };
    socket.on('close', closed);
    socket.on('error', closed);
    void exited.then(() => socket.destroy());
  }

  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  command(command: string): Promise<string[]> {
    return this.send(command, null);
  }

  commandBlock(command: string, block: string[]): Promise<string[]> {
    return this.send(command, block);
  }

  private send(command: string, block: string[] | null): Promise<string[]> {
    if ([command, ...(block ?? [])].some((line) => /[\r\n]/.test(line) || line === 'END')) return Promise.reject(new Error('a management command is one line'));
    const run = async (): Promise<string[]> => {
      if (!this.running() || this.socket.destroyed) throw new Error(`openvpn ${this.name} is not running`);
      return await new Promise<string[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending = null;
          reject(new Error(`openvpn ${this.name}: no answer to "${command.split(' ')[0]}" within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
        this.pending = {
          shape: block === null ? responseShape(command) : 'single',
          lines: [],
          resolve: (lines) => {
            clearTimeout(timer);
            resolve(lines);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        this.socket.write(block === null ? `${command}\n` : `${[command, ...block, 'END'].join('\n')}\n`);
      });
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  onNotification(listener: (notification: ManagementNotification) => void): void {
    this.listeners.push(listener);
  }

  async writeFiles(files: Record<string, string>): Promise<void> {
    await writeFiles(this.directory, files);
  }

  async removeFiles(paths: string[]): Promise<void> {
    for (const path of paths) await rm(join(this.directory, checkedRelativePath(path)), { force: true });
  }

  async stop(): Promise<void> {
    this.socket.destroy();
    await stopChild(this.child, this.exited);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.replace(/\r$/, '');
      const notification = parseNotification(line);
      if (notification) {
        for (const listener of this.listeners) listener(notification);
        continue;
      }
      const pending = this.pending;
      if (!pending) continue;
      if (endsResponse(pending.shape, line)) {
        this.pending = null;
        if (line.startsWith('ERROR:')) pending.reject(new Error(`openvpn ${this.name}: ${line}`));
        else pending.resolve(pending.shape === 'single' ? [line] : pending.lines);
      } else if (pending.lines.length < 10_000) pending.lines.push(line);
    }
  }
}

async function stopChild(child: ChildProcess, exited: Promise<OpenVpnExit>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
  if (!stopped) {
    child.kill('SIGKILL');
    await exited;
  }
}

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function writeFiles(directory: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(directory, checkedRelativePath(path));
    await mkdir(dirname(full), { recursive: true, mode: 0o700 });
    await writeSecret(full, content);
  }
}

/**
 * 0600 from the first byte, and replaced atomically (a new file renamed over the old): openvpn
 * re-reads the CRL and client-config-dir files at each client's handshake, never half a file.
 */
async function writeSecret(path: string, content: string): Promise<void> {
  const next = `${path}.next`;
  await rm(next, { force: true });
  await writeFile(next, content, { mode: 0o600, flag: 'wx' });
  await rename(next, path);
}
