import { EventEmitter } from 'node:events';
import type { Kysely, Transaction } from 'kysely';
import type { FleetModel } from '../../core/fleet-model.ts';
import type { PlantId, UserId } from '../../core/model.ts';
import { type ServiceIdentity, GatewayStateIndex } from '../../core/state/gateway-state.ts';
import type { GatewayDesiredState, GatewaySelf } from '../../core/wire/gateway-state.ts';
import type { Database } from '../db/schema.ts';
import { loadFleetModel } from './load-model.ts';

type Trx = Transaction<Database>;

/**
 * The control plane's in-memory view of the fleet: the route engine's model plus the
 * gateways' desired state, both at one revision of the database. The database stays the
 * source of truth: every fleet write bumps `state_revision` in its transaction; this
 * replica applies its own writes incrementally, and reloads whenever it sees a revision
 * it did not write (another replica on the same PostgreSQL).
 */
export class FleetState {
  private model!: FleetModel;
  private readonly index = new GatewayStateIndex();
  private revision = -1;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly changed = new EventEmitter();
  private documentCache: { revision: number; region: string; doc: GatewayDesiredState } | null = null;
  private lastFreshCheck = 0;
  /**
   * Per plant, the revision at which its agent's document last changed, and the same for
   * the set of gateways: an agent's long-poll answers only when its own document moved,
   * so a change in one organization does not wake every agent of the installation.
   */
  private readonly siteRevisions = new Map<PlantId, number>();
  private gatewaysRevision = 0;

  private readonly db: Kysely<Database>;
  private readonly service: () => ServiceIdentity;
  private readonly clock: () => number;

  constructor(db: Kysely<Database>, service: () => ServiceIdentity, clock: () => number = Date.now) {
    this.db = db;
    this.service = service;
    this.clock = clock;
    this.changed.setMaxListeners(0);
  }

  async load(): Promise<void> {
    const revision = await readRevision(this.db);
    this.siteRevisions.clear();
    await this.replaceModel(await loadFleetModel(this.db), revision);
    this.gatewaysRevision = revision;
    this.setRevision(revision);
  }

  /** The model at the newest revision (checks the database at most every `maxAgeMs`). */
  async current(maxAgeMs = 0): Promise<FleetModel> {
    const now = this.clock();
    if (now - this.lastFreshCheck >= maxAgeMs) {
      this.lastFreshCheck = now;
      const revision = await readRevision(this.db);
      if (revision !== this.revision) await this.serialised(() => this.reloadIfBehind());
    }
    return this.model;
  }

  currentRevision(): number {
    return this.revision;
  }

  /**
   * Runs a fleet write: `write` changes the database inside a transaction that also
   * bumps the revision; `apply` then mirrors it into the model and returns the users
   * whose routes may have moved. Writes are serialised so revisions apply in order.
   */
  async write<T>(
    write: (trx: Trx) => Promise<T>,
    apply: (
      model: FleetModel,
      result: T,
    ) => Iterable<UserId> | 'reload' | { users?: Iterable<UserId>; plants?: Iterable<PlantId>; gateways?: boolean },
  ): Promise<{ result: T; previous: FleetModel; model: FleetModel }> {
    return this.serialised(async () => {
      const previous = this.model;
      let newRevision = 0;
      const result = await this.db.transaction().execute(async (trx) => {
        const out = await write(trx);
        newRevision = await bumpRevision(trx);
        return out;
      });
      if (newRevision !== this.revision + 1) {
        await this.reloadIfBehind();
        return { result, previous, model: this.model };
      }
      const affected = apply(this.model, result);
      if (affected === 'reload') {
        await this.replaceModel(await loadFleetModel(this.db), newRevision);
      } else if (isIterable(affected)) {
        this.index.recomputeUsers(this.model, affected);
      } else {
        this.index.recomputeUsers(this.model, affected.users ?? []);
        for (const plantId of this.index.recomputePlants(this.model, affected.plants ?? [])) this.siteRevisions.set(plantId, newRevision);
        if (affected.gateways) this.gatewaysRevision = newRevision;
      }
      this.setRevision(newRevision);
      return { result, previous, model: this.model };
    });
  }

  /** One plant's translations and agent, as the agents' state needs them. */
  siteOf(plantId: PlantId) {
    return this.index.siteOf(plantId);
  }

  /** The region's document, built once per revision; `gateway` names the gateway it is for. */
  gatewayDocument(region: string, gateway: GatewaySelf | null = null): GatewayDesiredState {
    const cached = this.documentCache;
    let doc: GatewayDesiredState;
    if (cached && cached.revision === this.revision && cached.region === region) doc = cached.doc;
    else {
      doc = this.index.document(region, this.revision, this.service());
      this.documentCache = { revision: this.revision, region, doc };
    }
    return gateway ? { ...doc, gateway } : doc;
  }

  /** Resolves when the revision passes `after` (true) or when `timeoutMs` runs out (false). */
  async waitForRevision(after: number, timeoutMs: number): Promise<boolean> {
    await this.current();
    if (this.revision > after) return true;
    return new Promise((resolve) => {
      const finish = (moved: boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.changed.off('revision', onChange);
        resolve(moved);
      };
      const onChange = (revision: number) => revision > after && finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      // Another replica's writes show up only in the database: look once a second.
      const poll = setInterval(() => void this.current().catch(() => undefined), 1000);
      this.changed.on('revision', onChange);
    });
  }

  private async reloadIfBehind(): Promise<void> {
    const revision = await readRevision(this.db);
    if (revision === this.revision) return;
    await this.replaceModel(await loadFleetModel(this.db), revision);
    // Another replica wrote: which gateways changed is unknown here, so every agent hears of it.
    this.gatewaysRevision = revision;
    this.setRevision(revision);
  }

  /** Swaps in a freshly loaded model; plants whose site entry differs get `revision`. */
  private async replaceModel(model: FleetModel, revision: number): Promise<void> {
    this.model = model;
    for (const plantId of this.index.rebuild(model)) this.siteRevisions.set(plantId, revision);
  }

  /** The revision an agent's document last changed at (its long-poll answers when this passes `after`). */
  agentRevision(plantId: PlantId): number {
    return Math.max(this.siteRevisions.get(plantId) ?? 0, this.gatewaysRevision);
  }

  /** Resolves when the plant's agent document moves past `after`, or at the timeout. */
  async waitForAgentRevision(plantId: PlantId, after: number, timeoutMs: number): Promise<void> {
    const deadline = this.clock() + timeoutMs;
    await this.current();
    while (this.agentRevision(plantId) <= after) {
      const left = deadline - this.clock();
      if (left <= 0) return;
      await this.waitForRevision(this.revision, left);
    }
  }

  private setRevision(revision: number): void {
    this.revision = revision;
    this.changed.emit('revision', revision);
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lock.then(task, task);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

async function readRevision(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('state_revision').select('revision').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.revision);
}

async function bumpRevision(trx: Trx): Promise<number> {
  const row = await trx
    .updateTable('state_revision')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', 1)
    .returning('revision')
    .executeTakeFirstOrThrow();
  return Number(row.revision);
}

function isIterable(value: unknown): value is Iterable<UserId> {
  return typeof (value as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] === 'function';
}
