import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { inNetns, type RunCommand, runCommand } from '../run-command.ts';
import { type ConntrackEvent, isLostEventsLine, parseConntrackLine } from './conntrack-line.ts';
import type { ConntrackHandler, ConntrackSource } from './conntrack-source.ts';

export type ConntrackCliSourceOptions = {
  netns?: string;
  /**
   * Netlink receive buffer (`--buffer-size`). The kernel drops events when it is full
   * (ENOBUFS); 8 MiB holds ≈ 40,000 events of a burst while the reader is busy.
   */
  bufferBytes?: number;
  now?: () => number;
  run?: RunCommand;
  /** Told about a line that looks like a flow but could not be read, and about restarts. */
  warn?: (message: string, fields: Record<string, unknown>) => void;
  /** Wait before restarting a `conntrack -E` that exited on its own (the window is a gap). */
  restartDelayMs?: number;
};

export const DEFAULT_CONNTRACK_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * ConntrackSource over conntrack-tools: one long-running `conntrack -E -e NEW,DESTROY -o timestamp,extended,id`
 * (spawned with an argument array, no shell: it streams, so run-command's execFile with its
 * collected output does not fit) and `conntrack -L -o extended,id` through run-command.
 * Every overflow warning on stderr and every unexpected exit becomes a gap.
 */
export class ConntrackCliSource implements ConntrackSource {
  private readonly netns: string | undefined;
  private readonly bufferBytes: number;
  private readonly now: () => number;
  private readonly run: RunCommand;
  private readonly warn: (message: string, fields: Record<string, unknown>) => void;
  private readonly restartDelayMs: number;
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  /** Time of the last event delivered (or of listening): where a gap of lost events begins. */
  private lastSeen = 0;

  constructor(options: ConntrackCliSourceOptions = {}) {
    this.netns = options.netns;
    this.bufferBytes = options.bufferBytes ?? DEFAULT_CONNTRACK_BUFFER_BYTES;
    this.now = options.now ?? Date.now;
    this.run = options.run ?? runCommand;
    this.warn = options.warn ?? (() => {});
    this.restartDelayMs = options.restartDelayMs ?? 1000;
  }

  async start(handler: ConntrackHandler): Promise<void> {
    this.stopping = false;
    // Without accounting DESTROY events carry no bytes: switched on in this namespace first.
    const [sysctl, sysctlArgs] = inNetns(this.netns, 'sysctl', ['-qw', 'net.netfilter.nf_conntrack_acct=1']);
    await this.run(sysctl, sysctlArgs, { timeoutMs: 10_000 });
    await this.spawnEvents(handler);
  }

  private spawnEvents(handler: ConntrackHandler): Promise<void> {
    // NEW and DESTROY only: a TCP connection's state changes are four more UPDATE events each,
    // which the accounting does not need (DESTROY carries the final counters, the periodic
    // listing the running ones); the kernel then does not queue them on this socket at all.
    const [file, args] = inNetns(this.netns, 'conntrack', ['-E', '-e', 'NEW,DESTROY', '-o', 'timestamp,extended,id', '--buffer-size', String(Math.floor(this.bufferBytes))]);
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.lastSeen = this.now();
    return new Promise((resolve, reject) => {
      let listening = false;
      const ready = () => {
        if (listening) return;
        listening = true;
        resolve();
      };
      // conntrack says when it has set the buffer, i.e. its socket is subscribed.
      const fallback = setTimeout(ready, 2000);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        let event: ConntrackEvent | null;
        try {
          event = parseConntrackLine(line);
        } catch (error) {
          this.warn('unreadable conntrack line', { line, error: (error as Error).message });
          return;
        }
        if (event === null) return;
        this.lastSeen = event.at ?? this.now();
        handler.event(event);
      });
      createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
        if (/buffer size has been set/i.test(line)) ready();
        if (isLostEventsLine(line)) {
          const to = this.now();
          handler.gap({ from: Math.min(this.lastSeen, to), to, reason: 'conntrack events lost: netlink socket buffer overrun (ENOBUFS)' });
          this.lastSeen = to;
        }
      });
      child.once('error', (error) => {
        clearTimeout(fallback);
        if (!listening) reject(new Error(`conntrack -E could not start: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(fallback);
        if (this.child === child) this.child = null;
        if (!listening) {
          listening = true;
          reject(new Error(`conntrack -E exited at start (${code ?? signal})`));
          return;
        }
        if (this.stopping) return;
        this.warn('conntrack -E exited; restarting', { code, signal });
        this.restart(handler, this.lastSeen, `exit ${code ?? signal}`, 1);
      });
    });
  }

  /** Restarts `conntrack -E` after a delay (doubling up to 60 s while it fails); the time without it is a gap. */
  private restart(handler: ConntrackHandler, from: number, why: string, attempt: number): void {
    const delay = Math.min(60_000, this.restartDelayMs * 2 ** (attempt - 1));
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawnEvents(handler).then(
        () => handler.gap({ from, to: this.now(), reason: `conntrack events lost: event stream interrupted (${why})` }),
        (error: Error) => {
          this.warn('conntrack -E could not be restarted', { error: error.message, attempt });
          this.restart(handler, from, why, attempt + 1);
        },
      );
    }, delay);
  }

  /** The running `conntrack -E` process (diagnostics; the contract test pauses it to force an overrun). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async list(): Promise<ConntrackEvent[]> {
    const [file, args] = inNetns(this.netns, 'conntrack', ['-L', '-o', 'extended,id']);
    const { stdout } = await this.run(file, args, { timeoutMs: 30_000 });
    const entries: ConntrackEvent[] = [];
    for (const line of stdout.split('\n')) {
      try {
        const entry = parseConntrackLine(line);
        if (entry !== null) entries.push(entry);
      } catch (error) {
        this.warn('unreadable conntrack line', { line, error: (error as Error).message });
      }
    }
    return entries;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}
