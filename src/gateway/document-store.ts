import { GatewayStateDelta } from '../core/wire/gateway-delta.ts';
import { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { errorMessage, type Logger } from '../daemon/log.ts';
import type { StateStore } from '../daemon/state-store.ts';
import { GatewayDocument } from './desired-document.ts';

/**
 * Keeps the gateway's desired state in its state dir for a restart without the control
 * plane (fail static), without writing 40 MiB on every change: a snapshot of the whole
 * document plus a journal of the deltas received since. A delta costs one appended line;
 * the snapshot is rewritten after a full document and after `snapshotEvery` deltas, in
 * chunks between which the event loop runs (a revoke arriving meanwhile is not held up),
 * and then the journal is cut to the deltas newer than the snapshot.
 * All writes go through one queue, in the order they were asked for.
 */

const SNAPSHOT = 'desired-state';
const JOURNAL = 'desired-journal';
/** Array elements per chunk of the snapshot text. */
const CHUNK = 2000;

export type DocumentStoreOptions = { snapshotEvery: number };

export class GatewayDocumentStore {
  private readonly store: StateStore;
  private readonly log: Logger;
  private readonly options: DocumentStoreOptions;
  private queue: Promise<void> = Promise.resolve();
  /** Deltas appended since the last snapshot began (the journal after it is written). */
  private sinceSnapshot: string[] = [];
  private snapshotPending = false;
  /** The document the next snapshot captures (a full document replaces the object). */
  private latest: GatewayDocument | null = null;

  constructor(store: StateStore, log: Logger, options: Partial<DocumentStoreOptions> = {}) {
    this.store = store;
    this.log = log;
    this.options = { snapshotEvery: 500, ...options };
  }

  /** The document of the last run: the snapshot with the journal's deltas replayed; null if none (or unreadable). */
  async load(): Promise<GatewayDocument | null> {
    const parsed = GatewayDesiredState.safeParse(await this.store.read(SNAPSHOT).catch(() => null));
    if (!parsed.success) return null;
    const document = GatewayDocument.fromState(parsed.data);
    for (const line of (await this.store.readLines(JOURNAL).catch(() => null)) ?? []) {
      const delta = GatewayStateDelta.safeParse(safeJson(line));
      if (!delta.success) break;
      if (delta.data.revision <= document.revision) continue;
      if (!document.applyDelta(delta.data).ok) break;
    }
    return document;
  }

  /** After a delta was applied to `document`: one journal line; a snapshot now and then. */
  recordDelta(document: GatewayDocument, delta: GatewayStateDelta): Promise<void> {
    const line = JSON.stringify(delta);
    this.sinceSnapshot.push(line);
    const appended = this.enqueue(() => this.store.appendLine(JOURNAL, line));
    if (this.sinceSnapshot.length >= this.options.snapshotEvery) this.snapshot(document);
    return appended;
  }

  /** After a full document: a new snapshot (the journal no longer applies to it). */
  recordFull(document: GatewayDocument): Promise<void> {
    return this.snapshot(document);
  }

  /** Resolves when every write asked for so far is done. */
  flush(): Promise<void> {
    return this.queue;
  }

  private snapshot(document: GatewayDocument): Promise<void> {
    this.latest = document;
    if (this.snapshotPending) return this.queue;
    this.snapshotPending = true;
    return this.enqueue(async () => {
      this.snapshotPending = false;
      if (this.latest === null) return;
      // Captured now: element objects are never mutated, later deltas replace them.
      const state = this.latest.toState();
      this.sinceSnapshot = [];
      await this.store.writeText(SNAPSHOT, snapshotChunks(state));
      await this.store.writeLines(JOURNAL, this.sinceSnapshot);
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work).catch((error) => this.log.error('could not keep the desired state in the state dir', { error: errorMessage(error) }));
    this.queue = run;
    return run;
  }
}

/** The document's JSON text in pieces, yielding to the event loop between them. */
async function* snapshotChunks(state: GatewayDesiredState): AsyncGenerator<string> {
  const { peers, allowed, native, sites, ...header } = state;
  const head = JSON.stringify(header);
  yield `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}`;
  const arrays: Array<[string, unknown[]]> = [['peers', peers], ['allowed', allowed], ['native', native], ['sites', sites]];
  for (const [index, [name, items]] of arrays.entries()) {
    yield `${index > 0 ? ',' : ''}"${name}":[`;
    for (let start = 0; start < items.length; start += CHUNK) {
      const slice = items.slice(start, start + CHUNK).map((item) => JSON.stringify(item));
      yield `${start > 0 ? ',' : ''}${slice.join(',')}`;
      await new Promise((resolve) => setImmediate(resolve));
    }
    yield ']';
  }
  yield '}\n';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
