import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CommandError } from '../run-command.ts';

/**
 * A long-lived `nft -i` child that runs one-line nft commands, one transaction per line.
 *
 * Why (bench/RESULTS.md "Issue 6 — B4 tail"): a short-lived `nft -f` that deletes anything
 * spends 10–30 ms in close() of its netlink socket, where the kernel (nft_rcv_nl_event on
 * NETLINK_URELEASE) flushes the deferred destruction of the deleted elements, an RCU grace
 * period. The transaction itself is committed when sendmsg returns (well under 1 ms). A
 * socket that stays open never waits for that flush; the freeing still happens, in a
 * kernel worker. A fork of a large Node process is avoided too.
 *
 * Completion: after each command a marker line goes in that nft refuses as a syntax error;
 * its error on stderr comes after the command's own output, and nft -i reads and runs one
 * line at a time, so everything on stderr before the marker's error belongs to the command.
 * A command failed when that part holds "Error:" (what makes `nft -f` exit non-zero).
 * If the child dies or a command times out, it is killed and the command rejects (outcome
 * unknown, as for a killed `nft -f`); the next command starts a new child.
 */
export type NftSessionOptions = {
  /** Program and leading arguments, e.g. ['ip', ['netns', 'exec', NS, 'nft', '-i']]. */
  command: [string, string[]];
  timeoutMs: number;
};

type Pending = {
  marker: string;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

type Child = { process: ChildProcess; stderr: string; pending: Pending | null; dead: boolean };

export class NftSession {
  private readonly options: NftSessionOptions;
  private readonly nonce = randomBytes(6).toString('hex');
  private sequence = 0;
  private child: Child | null = null;
  /** Commands run one after the other: each waits for the one before to settle. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: NftSessionOptions) {
    this.options = options;
  }

  /** Runs one line (no newline in it) as one transaction; rejects with nft's error text. */
  run(line: string): Promise<void> {
    if (/[\r\n]/.test(line)) throw new Error('an nft session command must be one line');
    const result = this.queue.then(() => this.runNow(line));
    this.queue = result.catch(() => {});
    return result;
  }

  /** Stops the child (its pid), if one runs; a later run() starts another. */
  close(): void {
    const child = this.child;
    this.child = null;
    if (child && !child.dead) {
      child.dead = true;
      child.process.stdin?.end();
      child.process.kill('SIGKILL');
    }
  }

  /** The pid of the running child (tests: kill it to check the restart), else null. */
  get pid(): number | null {
    return this.child && !this.child.dead ? (this.child.process.pid ?? null) : null;
  }

  private runNow(line: string): Promise<void> {
    const child = this.child && !this.child.dead ? this.child : this.start();
    this.sequence += 1;
    const marker = `pgdone_${this.nonce}_${this.sequence}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(child, new CommandError(this.options.command[0], [...this.options.command[1]], 'timeout', child.stderr));
      }, this.options.timeoutMs);
      child.pending = { marker, resolve, reject, timer };
      child.process.stdin?.write(`${line}\n${marker}\n`);
    });
  }

  private start(): Child {
    const [file, args] = this.options.command;
    const proc = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const child: Child = { process: proc, stderr: '', pending: null, dead: false };
    this.child = child;
    // An idle session must not keep the daemon (or a test) alive; when Node exits, the
    // child reads EOF on stdin and exits too.
    proc.unref();
    for (const stream of [proc.stdin, proc.stdout, proc.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
    proc.stdin?.on('error', () => {});
    proc.stdout?.resume();
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      child.stderr += chunk;
      this.settle(child);
    });
    const died = (reason: string) => this.fail(child, new CommandError(file, args, reason, child.stderr));
    proc.on('error', (error) => died(error.message));
    proc.on('exit', (code, signal) => died(`exited (${code ?? signal})`));
    return child;
  }

  private settle(child: Child): void {
    const pending = child.pending;
    if (!pending) return;
    let at = 0;
    if (!child.stderr.startsWith(`${pending.marker}\n`)) {
      const found = child.stderr.indexOf(`\n${pending.marker}\n`);
      if (found < 0) return;
      at = found + 1;
    }
    // The marker's error is three lines: "Error: …", the marker, a caret line.
    const after = at + pending.marker.length + 1;
    const caretEnd = child.stderr.indexOf('\n', after);
    if (caretEnd < 0) return;
    const before = child.stderr.slice(0, at);
    const headerStart = before.lastIndexOf('\n', before.length - 2) + 1;
    const output = before.slice(0, headerStart);
    child.stderr = child.stderr.slice(caretEnd + 1);
    child.pending = null;
    clearTimeout(pending.timer);
    if (/Error:/.test(output)) pending.reject(new CommandError(this.options.command[0], [...this.options.command[1]], 1, output));
    else pending.resolve();
  }

  private fail(child: Child, error: Error): void {
    if (this.child === child) this.child = null;
    if (!child.dead) {
      child.dead = true;
      child.process.kill('SIGKILL');
    }
    const pending = child.pending;
    child.pending = null;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}
