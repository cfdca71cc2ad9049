import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { type CommandOutput, type CommandOptions, runCommand } from '../../src/os/run-command.ts';

/**
 * A test's private network lab: network namespaces, veth pairs, addresses, routes and
 * processes, all named with one random suffix per run (parallel runs never collide) and
 * all removed by cleanup() — call it from an `after` hook; it also runs on process exit
 * as a safety net, so a crashed test leaves nothing behind.
 *
 * Traffic stays inside the namespaces this lab creates: nothing here routes to the host
 * or beyond, whatever addresses the tests use.
 */

export type LabProcess = {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first stdout line that matches, or rejects after timeoutMs. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
};

const MAX_INTERFACE_NAME = 15;

export class NetnsLab {
  readonly suffix: string;
  private readonly namespaces: string[] = [];
  private readonly processes: LabProcess[] = [];
  private readonly wireguardSockets: string[] = [];
  private readonly exitHook = () => this.cleanupSync();

  constructor() {
    this.suffix = randomBytes(2).toString('hex');
    process.once('exit', this.exitHook);
  }

  /** A run-unique name usable for an interface (≤ 15 characters). */
  name(base: string): string {
    const name = `${base}${this.suffix}`;
    if (name.length > MAX_INTERFACE_NAME) throw new Error(`name ${name} is longer than ${MAX_INTERFACE_NAME}`);
    return name;
  }

  async addNamespace(base: string): Promise<string> {
    const name = `pg${base}${this.suffix}`;
    await run('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    await this.exec(name, 'ip', ['link', 'set', 'lo', 'up']);
    // No IPv6 on the links made here (lo keeps ::1): a veth's link-local address finishing
    // duplicate address detection a second after it came up is a network change to Chromium,
    // which aborts a navigation in flight with ERR_NETWORK_CHANGED. The labs are IPv4 only.
    await this.exec(name, 'sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
    return name;
  }

  /** A veth pair between two namespaces, both ends up, each with an optional address. */
  async addVeth(a: { ns: string; iface: string; address?: string }, b: { ns: string; iface: string; address?: string }) {
    // Created in `a`'s namespace directly so the host namespace never holds either end.
    await this.exec(a.ns, 'ip', ['link', 'add', a.iface, 'type', 'veth', 'peer', 'name', b.iface, 'netns', b.ns]);
    for (const end of [a, b]) {
      if (end.address) await this.exec(end.ns, 'ip', ['address', 'add', end.address, 'dev', end.iface]);
      await this.exec(end.ns, 'ip', ['link', 'set', end.iface, 'up']);
    }
  }

  async addAddress(ns: string, iface: string, cidr: string): Promise<void> {
    await this.exec(ns, 'ip', ['address', 'add', cidr, 'dev', iface]);
  }

  async addRoute(ns: string, routeArgs: string[]): Promise<void> {
    await this.exec(ns, 'ip', ['route', 'add', ...routeArgs]);
  }

  async enableForwarding(ns: string): Promise<void> {
    await this.exec(ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  }

  /** Remembers a wireguard-go interface so a leftover control socket is removed too. */
  trackWireGuardInterface(name: string): void {
    this.wireguardSockets.push(`/var/run/wireguard/${name}.sock`);
  }

  exec(ns: string, file: string, args: string[], options: CommandOptions = {}): Promise<CommandOutput> {
    return run('ip', ['netns', 'exec', ns, file, ...args], options);
  }

  /** Starts a long-running process inside a namespace; stopped by PID in cleanup(). */
  startProcess(ns: string, file: string, args: string[], env: NodeJS.ProcessEnv = process.env): LabProcess {
    const child = spawn('ip', ['netns', 'exec', ns, file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const lineWaiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        for (const waiter of [...lineWaiters]) {
          if (waiter.pattern.test(line)) {
            lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const labProcess: LabProcess = {
      pid: child.pid ?? -1,
      child,
      output: () => output,
      waitForLine: (pattern, timeoutMs = 5000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output: ${output}`)),
            timeoutMs,
          );
          lineWaiters.push({
            pattern,
            resolve: (line) => {
              clearTimeout(timer);
              resolve(line);
            },
          });
        }),
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      },
    };
    this.processes.push(labProcess);
    return labProcess;
  }

  /** Stops every process by PID, deletes every namespace, removes stale sockets. */
  async cleanup(): Promise<void> {
    await Promise.all(this.processes.map((labProcess) => labProcess.stop()));
    this.cleanupSync();
  }

  private cleanupSync(): void {
    process.removeListener('exit', this.exitHook);
    for (const labProcess of this.processes) {
      if (labProcess.child.exitCode === null && labProcess.child.signalCode === null) {
        try {
          process.kill(labProcess.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    // Deleting a namespace destroys its tun devices, which makes wireguard-go exit.
    for (const ns of this.namespaces.splice(0)) {
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 10_000 });
    }
    for (const socket of this.wireguardSockets.splice(0)) {
      if (existsSync(socket)) rmSync(socket, { force: true });
    }
  }
}

/** Fails (never skips) when the machine cannot run namespace tests: CI runs as root. */
export async function assertNetnsCapable(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('network-namespace tests need root (CI runs as root)');
  for (const tool of ['ip', 'nft', 'wg', 'wireguard-go']) {
    const found = spawnSync('which', [tool], { stdio: 'ignore' }).status === 0;
    if (!found) throw new Error(`${tool} is missing: run scripts/install-deps.sh --debian-only`);
  }
}

function run(file: string, args: string[], options: CommandOptions = {}): Promise<CommandOutput> {
  return runCommand(file, args, { timeoutMs: 20_000, ...options });
}
