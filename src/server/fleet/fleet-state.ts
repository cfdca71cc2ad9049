import { EventEmitter } from 'node:events';
import { gzipSync } from 'node:zlib';
import type { Kysely, Transaction } from 'kysely';
import type { FleetModel } from '../../core/fleet-model.ts';
import { fleetModelDiff } from '../../core/fleet-model-diff.ts';
import type { PlantId, UserId } from '../../core/model.ts';
import { type ServiceIdentity, GatewayStateIndex } from '../../core/state/gateway-state.ts';
import type { GatewayProxy, GatewaySelf } from '../../core/wire/gateway-state.ts';
import type { Store } from '../db/connect.ts';
import { PgListener } from '../db/pg-listener.ts';
import type { Database } from '../db/schema.ts';
import { DEFAULT_RING_LIMITS, DeltaRing, type DeltaRingLimits } from './delta-ring.ts';
import { loadFleetModel } from './load-model.ts';
import { type RevisionRecord, STATE_CHANNEL, bumpRevision, readRevision, readRevisions, recordRevision } from './state-changes-store.ts';

type Trx = Transaction<Database>;

/** What a write's `apply` returns: the users (and plants, gateway set) whose state may have moved, or 'reload'. */
export type Affected = Iterable<UserId> | 'reload' | { users?: Iterable<UserId>; plants?: Iterable<PlantId>; gateways?: boolean; /** Plants whose agent document changed outside the model (a direct VPN disabled): their agent revision moves. */ touchPlants?: Iterable<PlantId> };

/** Builds the browser proxy's section of the gateways' document from the model and the database (src/server/features/proxy/section.ts). */
export type ProxySectionSource = (model: FleetModel) => Promise<GatewayProxy>;

export type FleetStateOptions = { clock?: () => number; ringLimits?: DeltaRingLimits; onError?: (error: unknown) => void };

/** How a gateway wants its state: the issue-6 message (full or delta) or the bare document of old daemons. */
export type GatewayStateFormat = 'message' | 'document';

/** Thrown inside a write's transaction when another replica wrote first: roll back, catch up, run it again. */
class StaleModel extends Error {}

const MAX_MEMOS = 100_000;
/** Deltas at least this long (characters) are also offered gzip-compressed. */
const GZIP_FROM = 1024;

/**
 * The control plane's in-memory view of the fleet: the route engine's model plus the
 * gateways' desired state, both at one revision of the database, and the recent
 * revisions' document changes (deltas). The database stays the source of truth: every
 * fleet write bumps `state_revision` and stores its change in the same transaction; this
 * replica mirrors its own writes incrementally. Another replica's writes arrive as one
 * notification per process (PostgreSQL LISTEN/NOTIFY; SQLite has one process): their
 * stored deltas are served at once, then the model is reloaded from one snapshot.
 * While nothing changes, waiting long-polls cause no database query at all.
 */
export class FleetState {
  private model!: FleetModel;
  private readonly index = new GatewayStateIndex();
  /** The model's revision. */
  private revision = -1;
  /** Document changes up to `ring.head()` (>= revision: another replica's deltas may be known before its model is). */
  private readonly ring: DeltaRing;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly changed = new EventEmitter();
  private elementsCache: { revision: number; json: string } | null = null;
  private memos = new Map<string, Promise<unknown>>();
  private proxySource: ProxySectionSource | null = null;
  /** The proxy section last computed (what the gateways were sent) and the ring head at which it last changed. */
  private proxyLast: { json: string; changedAt: number } | null = null;
  /**
   * Per plant, the revision at which its agent's document last changed, and the same for
   * the set of gateways: an agent's long-poll answers only when its own document moved,
   * so a change in one organization does not wake every agent of the installation.
   */
  private readonly siteRevisions = new Map<PlantId, number>();
  private gatewaysRevision = 0;
  private listener: PgListener | null = null;
  private fallbackPoll: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private waiting = { gateway: 0, agent: 0 };
  private lastAffectedUsers = new Set<UserId>();
  private lastPoll = 0;
  /** A notification came while the first load ran: catch up once it is done. */
  private notifiedWhileLoading = false;

  private readonly store: Store;
  private readonly db: Kysely<Database>;
  private readonly service: () => ServiceIdentity;
  private readonly clock: () => number;
  private readonly onError: (error: unknown) => void;

  constructor(store: Store, service: () => ServiceIdentity, options: FleetStateOptions = {}) {
    this.store = store;
    this.db = store.db;
    this.service = service;
    this.clock = options.clock ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    this.ring = new DeltaRing(options.ringLimits ?? DEFAULT_RING_LIMITS);
    this.changed.setMaxListeners(0);
  }

  /** Loads the model from one snapshot and (PostgreSQL) starts listening for other replicas' writes. */
  async load(): Promise<void> {
    if (this.store.engine === 'postgres' && !this.listener) {
      this.listener = new PgListener(this.store.url, STATE_CHANNEL, {
        notify: (payload) => {
          if (this.revision < 0) this.notifiedWhileLoading = true;
          else if (Number(payload) > this.ring.head()) this.requestSync();
        },
        ready: () => {
          this.stopFallbackPoll();
          if (this.revision >= 0) this.requestSync();
        },
        lost: (error) => {
          this.onError(error);
          this.startFallbackPoll();
        },
      });
      await this.listener.start();
    }
    await this.serialised(async () => {
      const { revision, model } = await this.snapshot();
      this.model = model;
      this.index.rebuild(model);
      this.index.takeChanges();
      this.siteRevisions.clear();
      this.ring.reset(revision);
      this.gatewaysRevision = revision;
      this.setRevision(revision);
    });
    if (this.notifiedWhileLoading) this.requestSync();
  }

  async close(): Promise<void> {
    this.stopFallbackPoll();
    await this.listener?.stop();
    this.listener = null;
    await this.syncing?.catch(() => undefined);
  }

  /** The model at the newest revision this replica knows of (without notifications: checks the database at most every `maxAgeMs`). */
  async current(maxAgeMs = 0): Promise<FleetModel> {
    if (!this.notificationsLive()) await this.pollOnce(maxAgeMs);
    if (this.syncing) await this.syncing;
    return this.model;
  }

  /**
   * The model at the database's newest revision: on PostgreSQL one query to see whether
   * another replica committed something not yet notified (read-your-writes across
   * replicas). For answers that are rare; long-polls use the notifications.
   */
  async fresh(): Promise<FleetModel> {
    if (this.store.engine === 'postgres' && (await readRevision(this.db)) > this.revision) {
      this.requestSync();
      await this.syncing;
    }
    return this.current();
  }

  currentRevision(): number {
    return this.revision;
  }

  /** The newest revision whose gateway changes this replica can serve. */
  headRevision(): number {
    return this.ring.head();
  }

  /** Long-polls waiting now, for the metrics. */
  waitingCounts(): { gateway: number; agent: number } {
    return { ...this.waiting };
  }

  /**
   * Runs a fleet write: `write` changes the database inside a transaction that also bumps
   * the revision; `apply` then mirrors it into the model (still inside the transaction, so
   * the revision's change is stored with it) and returns what may have moved. Writes are
   * serialised so revisions apply in order; a write that finds another replica's revision
   * first is rolled back, the model caught up, and the write run again.
   */
  async write<T>(
    write: (trx: Trx) => Promise<T>,
    apply: (model: FleetModel, result: T) => Affected,
  ): Promise<{ result: T; previous: FleetModel; model: FleetModel; affectedUsers: ReadonlySet<UserId> }> {
    return this.serialised(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.writeOnce(write, apply);
        } catch (error) {
          if (!(error instanceof StaleModel) || attempt >= 5) throw error;
          await this.catchUp();
        }
      }
    });
  }

  /** One plant's translations and agent, as the agents' state needs them. */
  siteOf(plantId: PlantId) {
    return this.index.siteOf(plantId);
  }

  /**
   * The gateway's answer as JSON text: the delta after → newest when `after` is within the
   * kept history (format 'message'), else the full document. The element lists are
   * serialised once per revision and deltas once per (after, revision); only the few
   * per-gateway fields are spliced in per request. A delta never carries the region, the
   * service identity or the gateway's own entry: they are fixed for a gateway's life
   * (its region and site address are set at enrolment), so deltas stay compatible.
   */
  async gatewayStateJson(region: string, gateway: GatewaySelf | null, after: number | undefined, format: GatewayStateFormat): Promise<string> {
    return (await this.gatewayState(region, gateway, after, format)).json;
  }

  /** As gatewayStateJson, with the gzip form of a delta (shared like its text; full documents go uncompressed, they are spliced per gateway). */
  async gatewayState(
    region: string,
    gateway: GatewaySelf | null,
    after: number | undefined,
    format: GatewayStateFormat,
  ): Promise<{ json: string; gzipped: (() => Uint8Array) | null }> {
    if (format === 'message' && after !== undefined) {
      const proxy = await this.proxySection();
      const delta = this.ring.deltaJson(after);
      const head = this.ring.head();
      if (delta !== null && proxy !== null && proxy.changedAt > after) {
        // The proxy section travels whole when it moved since `after` (src/core/wire/gateway-delta.ts).
        const json = `${delta.slice(0, -1)},"proxy":${proxy.json}}`;
        return { json, gzipped: json.length >= GZIP_FROM ? () => gzipSync(json) : null };
      }
      if (delta !== null) return { json: delta, gzipped: delta.length >= GZIP_FROM ? () => this.ring.deltaGzip(after, head) ?? gzipSync(delta) : null };
    }
    // A full document (a (re)connecting gateway: rare) reflects every committed write,
    // also one whose notification is still on its way: one query, not one per long-poll.
    await this.fresh();
    const proxy = await this.proxySection();
    const bare = this.documentJson(region, gateway);
    const doc = proxy === null ? bare : `${bare.slice(0, -1)},"proxy":${proxy.json}}`;
    return { json: format === 'message' ? `{"kind":"full","state":${doc}}` : doc, gzipped: null };
  }

  /** Turns the browser proxy's section of the gateways' document on (main, when a proxy domain is configured). */
  setProxySource(source: ProxySectionSource | null): void {
    this.proxySource = source;
    this.proxyLast = null;
  }

  /**
   * The proxy section as JSON (computed once per revision, shared by every gateway) and the
   * ring head at which it last changed; null when the proxy is off. The section depends on
   * rows outside the model (targets, sessions, tokens), so a change is found by comparing
   * with the last computed text. It is computed until the head stays put during the
   * computation: a section older than the revision it travels with could hide a change.
   */
  private async proxySection(): Promise<{ json: string; changedAt: number } | null> {
    const source = this.proxySource;
    if (!source) return null;
    let json = '';
    for (let attempt = 0; attempt < 5; attempt++) {
      const head = this.ring.head();
      json = (await this.memo(`proxy-section ${this.revision}`, async () => JSON.stringify(await source(this.model)))) ?? '';
      if (this.ring.head() === head) break;
    }
    if (this.proxyLast?.json !== json) this.proxyLast = { json, changedAt: this.ring.head() };
    return this.proxyLast;
  }

  /** The region's full document as JSON text (`gateway` names the gateway it is for). */
  documentJson(region: string, gateway: GatewaySelf | null): string {
    if (this.elementsCache?.revision !== this.revision) this.elementsCache = { revision: this.revision, json: this.index.elementsJson() };
    const s = this.service();
    const head = {
      revision: this.revision,
      region,
      gateway,
      servicePublicKey: s.servicePublicKey,
      serviceTunnelIp: s.serviceTunnelIp,
      tunnelRange: s.tunnelRange,
      mappedSpace: s.mappedSpace,
    };
    return `${JSON.stringify(head).slice(0, -1)},${this.elementsCache.json}}`;
  }

  /**
   * A value loaded from the database once and kept until the next revision (this
   * replica's or another's): daemon credentials, the region and gateway lists. Every
   * write that can change them bumps the revision. Loads that find nothing are not kept.
   */
  memo<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const cached = this.memos.get(key) as Promise<T | undefined> | undefined;
    if (cached) return cached;
    if (this.memos.size >= MAX_MEMOS) this.memos.clear();
    const memos = this.memos;
    const loading = load().then(
      (value) => {
        if (value === undefined) memos.delete(key);
        return value;
      },
      (error: unknown) => {
        memos.delete(key);
        throw error;
      },
    );
    memos.set(key, loading);
    return loading;
  }

  /** Resolves when the gateways' revision passes `after` (true) or when `timeoutMs` runs out (false). */
  async waitForRevision(after: number, timeoutMs: number): Promise<boolean> {
    if (!this.notificationsLive()) await this.pollOnce(0);
    return this.waitFor('gateway', 'head', () => this.ring.head() > after, timeoutMs);
  }

  /** The revision an agent's document last changed at (its long-poll answers when this passes `after`). */
  agentRevision(plantId: PlantId): number {
    return Math.max(this.siteRevisions.get(plantId) ?? 0, this.gatewaysRevision);
  }

  /** Resolves when the plant's agent document moves past `after`, or at the timeout. */
  async waitForAgentRevision(plantId: PlantId, after: number, timeoutMs: number): Promise<void> {
    await this.current();
    await this.waitFor('agent', 'model', () => this.agentRevision(plantId) > after, timeoutMs);
  }

  // ---- internals ---------------------------------------------------------------

  private waitFor(kind: 'gateway' | 'agent', event: 'head' | 'model', done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    this.waiting[kind]++;
    return new Promise((resolve) => {
      const finish = (moved: boolean) => {
        clearTimeout(timer);
        this.changed.off(event, onChange);
        this.waiting[kind]--;
        resolve(moved);
      };
      const onChange = () => done() && finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.changed.on(event, onChange);
    });
  }

  private async writeOnce<T>(write: (trx: Trx) => Promise<T>, apply: (model: FleetModel, result: T) => Affected) {
    const previous = this.model;
    let mutated = false;
    let record: RevisionRecord | null = null;
    let result: T;
    try {
      result = await this.db.transaction().execute(async (trx) => {
        const out = await write(trx);
        const revision = await bumpRevision(trx);
        if (revision !== this.revision + 1 || this.ring.head() !== this.revision) throw new StaleModel();
        mutated = true;
        record = await this.mirror(trx, revision, apply(this.model, out));
        await recordRevision(trx, this.store.engine, record);
        return out;
      });
    } catch (error) {
      // The model already holds a write the database rolled back: start again from the database.
      if (mutated) await this.reloadAfterFailedWrite().catch(this.onError);
      throw error;
    }
    const done = record as unknown as RevisionRecord;
    this.ring.append(done.revision, done.changes);
    for (const plantId of done.plants) this.siteRevisions.set(plantId, done.revision);
    if (done.gateways) this.gatewaysRevision = done.revision;
    this.setRevision(done.revision);
    this.headMoved();
    return { result, previous, model: this.model, affectedUsers: this.lastAffectedUsers };
  }

  /** Mirrors one write into the model and index; returns the revision's record. */
  private async mirror(trx: Trx, revision: number, affected: Affected): Promise<RevisionRecord> {
    let plants: PlantId[] = [];
    let gateways = false;
    let users: Iterable<UserId>;
    if (affected === 'reload') {
      // Reloaded from the write's own transaction; only what differs from the model it
      // replaces is recomputed (a fleet apply that changes one job role recomputes one user).
      const model = await loadFleetModel(trx);
      const diff = fleetModelDiff(this.model, model);
      this.model = model;
      users = diff.users;
      this.index.recomputeUsers(model, users);
      plants = this.index.recomputePlants(model, diff.plants);
    } else if (isIterable(affected)) {
      users = affected;
      this.index.recomputeUsers(this.model, affected);
    } else {
      users = affected.users ?? [];
      this.index.recomputeUsers(this.model, users);
      plants = this.index.recomputePlants(this.model, affected.plants ?? []);
      for (const plantId of affected.touchPlants ?? []) if (!plants.includes(plantId)) plants.push(plantId);
      gateways = affected.gateways ?? false;
    }
    // Organization VPN clients hang on whole organizations' plants and cooperations: always recomputed (few, cheap; unchanged ones yield no change).
    this.index.recomputeOrgVpnClients(this.model);
    this.lastAffectedUsers = new Set(users);
    return { revision, changes: this.index.takeChanges(), plants, gateways };
  }

  private async reloadAfterFailedWrite(): Promise<void> {
    const { revision, model } = await this.snapshot();
    this.model = model;
    for (const plantId of this.index.rebuild(model)) this.siteRevisions.set(plantId, revision);
    this.index.takeChanges();
    if (revision !== this.revision) this.applyForeignRevisions(await readRevisions(this.db, this.revision, revision), revision);
    this.setRevision(revision);
  }

  /**
   * Brings the model up to the database's revision (serialised with writes): one
   * snapshot, the stored changes of the revisions it missed, then a reload.
   */
  private async catchUp(): Promise<void> {
    const snap = await this.snapshot(this.revision, this.revision);
    if (!snap) return;
    this.applyForeignRevisions(snap.records, snap.revision);
    this.model = snap.model;
    for (const plantId of this.index.rebuild(snap.model)) this.siteRevisions.set(plantId, snap.revision);
    // The ring already holds these revisions' changes, from the rows their writer stored.
    this.index.takeChanges();
    this.setRevision(snap.revision);
  }

  /** Adds other replicas' revisions (up to `upTo`) to the history and to the agents' revisions. */
  private applyForeignRevisions(records: RevisionRecord[], upTo: number): void {
    for (const r of records) {
      if (r.revision <= this.revision) continue;
      for (const plantId of r.plants) this.siteRevisions.set(plantId, r.revision);
      if (r.gateways) this.gatewaysRevision = r.revision;
      if (!this.ring.append(r.revision, r.changes)) break;
    }
    if (this.ring.head() < upTo) {
      // A revision's change is not stored (pruned, or written before this version): no delta spans it.
      this.ring.reset(upTo);
      this.gatewaysRevision = upTo;
    }
    this.headMoved();
  }

  /**
   * Another replica wrote: serve its stored deltas at once (gateways), then reload the
   * model (agents, users). Coalesces notifications arriving meanwhile.
   */
  private requestSync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        try {
          const records = await readRevisions(this.db, this.ring.head(), Number.MAX_SAFE_INTEGER);
          let moved = false;
          for (const r of records) {
            if (!this.ring.append(r.revision, r.changes)) break;
            moved = true;
          }
          if (moved) this.headMoved();
          await this.serialised(() => this.catchUp());
        } catch (error) {
          this.onError(error);
        }
      } while (this.syncAgain);
    })().finally(() => {
      this.syncing = null;
    });
  }

  private notificationsLive(): boolean {
    return this.store.engine === 'sqlite' || (this.listener?.isLive() ?? false);
  }

  /** Without a live LISTEN: look at the database's revision (at most every `maxAgeMs`). */
  private async pollOnce(maxAgeMs: number): Promise<void> {
    const now = this.clock();
    if (now - this.lastPoll < maxAgeMs) return;
    this.lastPoll = now;
    if ((await readRevision(this.db)) !== this.revision) {
      this.requestSync();
      await this.syncing;
    }
  }

  /** One poll a second for the whole process while the LISTEN connection is down (not one per waiting daemon). */
  private startFallbackPoll(): void {
    if (this.fallbackPoll) return;
    this.fallbackPoll = setInterval(() => void this.pollOnce(0).catch(this.onError), 1000);
    this.fallbackPoll.unref();
  }

  private stopFallbackPoll(): void {
    if (this.fallbackPoll) clearInterval(this.fallbackPoll);
    this.fallbackPoll = null;
  }

  /**
   * The revision, the model and the stored changes after `since`, from one consistent
   * snapshot (PostgreSQL: REPEATABLE READ). With `unless`, returns null when the
   * database is still at that revision (and reads nothing more).
   */
  private snapshot(): Promise<{ revision: number; model: FleetModel; records: RevisionRecord[] }>;
  private snapshot(since: number, unless: number): Promise<{ revision: number; model: FleetModel; records: RevisionRecord[] } | null>;
  private async snapshot(since?: number, unless?: number) {
    let trx = this.db.transaction();
    if (this.store.engine === 'postgres') trx = trx.setIsolationLevel('repeatable read');
    return trx.execute(async (t) => {
      const revision = await readRevision(t);
      if (unless !== undefined && revision === unless) return null;
      const records = since !== undefined ? await readRevisions(t, since, revision) : [];
      return { revision, model: await loadFleetModel(t), records };
    });
  }

  private headMoved(): void {
    this.memos = new Map();
    this.changed.emit('head');
  }

  private setRevision(revision: number): void {
    this.revision = revision;
    this.memos = new Map();
    this.changed.emit('model');
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lock.then(task, task);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

function isIterable(value: unknown): value is Iterable<UserId> {
  return typeof (value as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] === 'function';
}
