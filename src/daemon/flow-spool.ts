import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowBatch, type FlowBatchAck } from '../core/wire/audit.ts';
import { ControlPlaneError } from './control-plane.ts';
import { errorMessage, type Logger } from './log.ts';
import { batchId, planOverflow, retryDelay, type SpooledBatch } from './flow-spool-plan.ts';

/**
 * A daemon's on-disk spool of flow batches (SPEC A5, after Firezone's flow_log_uploader):
 * every batch is written to its own file before any upload, uploaded oldest first through
 * the ingest endpoint, and deleted only after the control plane acknowledged it (a retry
 * of the same batch id is answered with the same acknowledgement, so nothing doubles).
 * While the control plane is unreachable the files stay and uploads retry with backoff;
 * past `maxBatches` the oldest are dropped and a gap says so. A restart re-reads the files.
 */

/** Port: the spool directory (one file per batch); MemorySpoolFiles in tests. */
export interface SpoolFiles {
  /** Batch file names, oldest first. */
  list(): Promise<string[]>;
  read(name: string): Promise<string>;
  /** Written whole or not at all. */
  write(name: string, text: string): Promise<void>;
  remove(name: string): Promise<void>;
  /** Sets a file aside that the control plane refused for good (kept for the operator). */
  reject(name: string): Promise<void>;
}

export class DirectorySpoolFiles implements SpoolFiles {
  private readonly dir: string;
  private ready: Promise<unknown> | null = null;

  constructor(dir: string) {
    this.dir = dir;
  }

  private ensure(): Promise<unknown> {
    // A write cut short by a crash leaves its temporary file: never a batch, removed at start.
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).then(async () => {
      for (const name of await readdir(this.dir)) if (name.startsWith('.') && name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
    });
    return this.ready;
  }

  async list(): Promise<string[]> {
    await this.ensure();
    return (await readdir(this.dir)).filter((name) => name.endsWith('.json')).sort();
  }

  read(name: string): Promise<string> {
    return readFile(join(this.dir, name), 'utf8');
  }

  async write(name: string, text: string): Promise<void> {
    await this.ensure();
    const temporary = join(this.dir, `.${name}.tmp`);
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, join(this.dir, name));
  }

  remove(name: string): Promise<void> {
    return rm(join(this.dir, name), { force: true });
  }

  reject(name: string): Promise<void> {
    return rename(join(this.dir, name), join(this.dir, `${name}.rejected`));
  }
}

export class MemorySpoolFiles implements SpoolFiles {
  readonly files = new Map<string, string>();
  readonly rejected: string[] = [];

  async list(): Promise<string[]> {
    return [...this.files.keys()].sort();
  }
  async read(name: string): Promise<string> {
    const text = this.files.get(name);
    if (text === undefined) throw new Error(`no spool file ${name}`);
    return text;
  }
  async write(name: string, text: string): Promise<void> {
    this.files.set(name, text);
  }
  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }
  async reject(name: string): Promise<void> {
    this.files.delete(name);
    this.rejected.push(name);
  }
}

export type FlowSpoolOptions = {
  daemonId: string;
  files: SpoolFiles;
  upload: (batch: FlowBatch) => Promise<FlowBatchAck>;
  now: () => number;
  random: () => number;
  log: Logger;
  /** Batches kept at most (each up to one report window of records). */
  maxBatches?: number;
  /** The daemon's kind, named in an overflow gap (default `gateway`). */
  kind?: 'gateway' | 'agent';
};

export class FlowSpool {
  private readonly options: FlowSpoolOptions;
  private readonly maxBatches: number;
  private counter = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private abandoned = false;
  private again = false;
  /** Batches delivered (acknowledged) since start; for tests and metrics. */
  delivered = 0;

  constructor(options: FlowSpoolOptions) {
    this.options = options;
    this.maxBatches = options.maxBatches ?? 10_000;
  }

  /** Batches on disk now (not yet acknowledged). */
  async pending(): Promise<number> {
    return (await this.options.files.list()).length;
  }

  /** Spools one batch (records and gaps of a window), then enforces the bound; nothing written when both are empty. */
  async add(records: FlowBatch['records'], gaps: FlowBatch['gaps']): Promise<string | null> {
    if (records.length === 0 && gaps.length === 0) return null;
    const id = this.nextId();
    await this.options.files.write(`${id}.json`, JSON.stringify({ batchId: id, records, gaps } satisfies FlowBatch));
    await this.bound();
    return id;
  }

  /** Uploads now and keeps retrying (backoff) until the spool is empty or stop(). */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      // A batch written during a pass is past that pass's listing: one more pass after it.
      this.again = true;
      return;
    }
    if (this.timer !== null) {
      if (this.failures > 0) return; // a retry is already scheduled; its backoff stands
      clearTimeout(this.timer);
      this.timer = null;
    }
    void this.drain();
  }

  /** Uploads every spooled batch, oldest first (one pass at a time: a second caller waits for it, then runs). */
  drain(): Promise<void> {
    const previous = this.running ?? Promise.resolve();
    const pass: Promise<void> = previous.then(() => this.drainOnce());
    this.running = pass;
    void pass.finally(() => {
      if (this.running !== pass) return;
      this.running = null;
      if (this.again && this.timer === null) {
        this.again = false;
        this.kick();
      }
    });
    return pass;
  }

  /**
   * No new passes; the pass under way (the last window's batch, at shutdown) may finish
   * within `graceMs`, after which it stops between two batches. What is left stays spooled.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const running = this.running;
    if (running === null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.abandoned = true;
  }

  /** Stops at the first transient failure and schedules a retry. */
  private async drainOnce(): Promise<void> {
    const { files, upload, log } = this.options;
    for (const name of await files.list()) {
      if (this.abandoned) return;
      let batch: FlowBatch;
      try {
        batch = FlowBatch.parse(JSON.parse(await files.read(name)));
      } catch (error) {
        log.error('unreadable flow batch set aside', { file: name, error: errorMessage(error) });
        await files.reject(name);
        continue;
      }
      try {
        const ack = await upload(batch);
        await files.remove(name);
        this.delivered++;
        this.failures = 0;
        if (ack.unattributed > 0) log.info('flow batch delivered; some destinations in no plant subnet', { batchId: ack.batchId, unattributed: ack.unattributed });
      } catch (error) {
        if (error instanceof ControlPlaneError && !error.transient && error.status !== 401 && error.status !== 403) {
          // 400/413/422: this batch will never be accepted; set it aside, do not block the rest.
          log.error('control plane refused a flow batch for good; set aside', { file: name, status: error.status, error: error.message });
          await files.reject(name);
          continue;
        }
        this.failures++;
        const delay = retryDelay(this.failures, this.options.random());
        log.warn('flow upload failed; batches stay spooled', { file: name, failures: this.failures, retryMs: delay, error: errorMessage(error) });
        if (!this.stopped) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.kick();
          }, delay);
          this.timer.unref?.();
        }
        return;
      }
    }
  }

  private nextId(): string {
    return batchId(this.options.daemonId, this.options.now(), this.counter++);
  }

  private async bound(): Promise<void> {
    const { files } = this.options;
    const names = await files.list();
    if (names.length <= this.maxBatches) return;
    const spooled: SpooledBatch[] = [];
    for (const name of names.slice(0, names.length - this.maxBatches + 1)) {
      try {
        spooled.push({ name, batch: FlowBatch.parse(JSON.parse(await files.read(name))) });
      } catch {
        spooled.push({ name, batch: { batchId: name, records: [], gaps: [] } });
      }
    }
    // Only the head is read: pad the plan with the rest by name.
    const rest = names.slice(spooled.length).map((name) => ({ name, batch: { batchId: name, records: [], gaps: [] } }));
    const plan = planOverflow([...spooled, ...rest], this.maxBatches, this.nextId(), this.options.now(), this.options.kind);
    if (plan.gapBatch !== null) await files.write(`${plan.gapBatch.batchId}.json`, JSON.stringify(plan.gapBatch));
    for (const name of plan.drop) await files.remove(name);
    this.options.log.warn('flow spool full: oldest batches dropped and recorded as a gap', { dropped: plan.drop.length });
  }
}
