import type { GatewayStateDelta } from '../core/wire/gateway-delta.ts';
import type { GatewayDesiredState, GatewaySite } from '../core/wire/gateway-state.ts';
import type { NftDriver } from '../os/nft/nft-driver.ts';
import type { WireGuardDriver, WireGuardInterfaceSpec } from '../os/wireguard/wireguard-driver.ts';
import { type GatewayInterfaces, renderGatewayRuleset, renderSetDelta } from './nft-ruleset.ts';
import { DEFAULT_TABLE_NAME } from '../os/nft/nft-names.ts';
import { AppliedGatewayView } from './applied-view.ts';
import { planDrift } from './drift.ts';
import { type GatewayApplyPlan, type GatewayObserved, planGatewayApply } from './plan.ts';
import { DEFAULT_PLAN_OPTIONS, type PeerPlan, type PlanOptions } from '../os/wireguard/peer-plan.ts';
import { wireGuardPublicKey } from '../crypto/wireguard-keys.ts';

/**
 * The thin imperative shell around planGatewayApply: observe through the drivers, plan,
 * run the plan. Each step is one transaction per subsystem (one `nft -f`, one `wg set`
 * or `wg syncconf` per interface), so a 10,000-peer / 100,000-element state costs a
 * handful of process starts, not one per element.
 */

export type GatewayDataPlane = {
  wireguard: WireGuardDriver;
  nft: NftDriver;
  ifaces: GatewayInterfaces;
  tableName?: string;
  /** How to create an interface the plan finds missing (key, port, addresses, routes). */
  interfaceSpecs?: Partial<Record<keyof GatewayInterfaces, WireGuardInterfaceSpec>>;
  /** Runs after every observation, before planning: may fix what it observed (an interface left with another key). */
  adopt?: (observed: GatewayObserved) => Promise<void>;
  /** Runs alongside nft and peers once both interfaces exist (addresses and routes need them; nothing else does). */
  alongside?: () => Promise<void>;
};

export async function observeGateway(plane: GatewayDataPlane): Promise<GatewayObserved> {
  const [users, sites, nft] = await Promise.all([
    plane.wireguard.readDump(plane.ifaces.users),
    plane.wireguard.readDump(plane.ifaces.sites),
    plane.nft.readTable(plane.tableName ?? DEFAULT_TABLE_NAME),
  ]);
  return { users, sites, nft };
}

/** Observes, plans and applies; returns the plan that was carried out (for the log). */
export async function applyGatewayState(
  desired: GatewayDesiredState,
  plane: GatewayDataPlane,
): Promise<GatewayApplyPlan> {
  const plan = planGatewayApply(desired, plane.ifaces, await observeGateway(plane));
  await runGatewayPlan(plan, desired, plane);
  return plan;
}

/** `desired` is needed only when the plan reloads the table (null for plans made from a delta). */
export async function runGatewayPlan(
  plan: GatewayApplyPlan,
  desired: GatewayDesiredState | null,
  plane: GatewayDataPlane,
): Promise<void> {
  for (const role of plan.missingInterfaces) {
    const spec = plane.interfaceSpecs?.[role];
    if (!spec) throw new Error(`${role} interface ${plane.ifaces[role]} is missing and no spec was given to create it`);
    await plane.wireguard.createInterface(spec);
  }
  // settled here, awaited last: a failure of nft or peers must not leave it unhandled
  const alongside = plane.alongside?.().then(
    () => null,
    (error: unknown) => error,
  );
  // nft before peers: a new peer must never be reachable before its filter exists, and a
  // revoked user's elements go in the same pass as its peer.
  const table = plane.tableName ?? DEFAULT_TABLE_NAME;
  if (plan.nft.kind === 'reload') {
    if (desired === null) throw new Error('a reload needs the whole desired state');
    await plane.nft.applyScript(renderGatewayRuleset(desired, plane.ifaces, table));
  }
  else if (plan.nft.kind === 'delta') await plane.nft.applyScript(renderSetDelta(plan.nft.delta, table));
  // The two interfaces are separate wireguard-go processes: configure them side by side.
  await Promise.all([
    runPeerPlan(plane.wireguard, plane.ifaces.users, plan.users),
    runPeerPlan(plane.wireguard, plane.ifaces.sites, plan.sites),
  ]);
  const failed = await alongside;
  if (failed) throw failed;
}

async function runPeerPlan(wireguard: WireGuardDriver, iface: string, plan: PeerPlan): Promise<void> {
  if (plan.kind === 'set')
    await wireguard.changePeers(iface, {
      remove: plan.remove,
      upsert: plan.upsert,
    });
  else if (plan.kind === 'sync') await wireguard.syncPeers(iface, plan.peers);
}

export type GatewayApplyReport = {
  plan: GatewayApplyPlan;
  /** Whether this apply read the gateway (wg dump + nft -j) before planning, or planned against its view. */
  observed: boolean;
  /** 'delta': planned from the control plane's delta alone; 'document': from the whole desired state. */
  basis: 'delta' | 'document';
  /** Milliseconds spent observing, planning and running the plan. */
  timings: { observe: number; plan: number; run: number; view?: number };
};

/**
 * The applier a gateway daemon keeps for its lifetime. The first apply, every apply with
 * `observe: true` (the periodic full reconcile, which repairs changes made by hand) and
 * the first apply after a failure observe the gateway and plan with planGatewayApply, as
 * applyGatewayState does. In between, changes are planned against the view of what this
 * applier last applied (AppliedGatewayView): at 10,000 peers and 100,000 elements,
 * reading the gateway back costs seconds, planning against the view milliseconds.
 * If running a view-based plan fails (the gateway changed behind our back: nft refuses to
 * delete an element that is not there), the view is dropped and the same apply observes,
 * plans and runs again. Calls must not overlap.
 */
export class GatewayApplier {
  private view: AppliedGatewayView | null = null;
  /** The revision of the document the view holds exactly (null: none, or a withdrawn form). */
  private viewRevision: number | null = null;
  /** Moves at every apply: an observation made at another generation may miss a change. */
  private generation = 0;
  private prepared: { observed: GatewayObserved; generation: number } | null = null;
  /** A view of the whole document built ahead of a checking reconcile (see prepareDocumentView). */
  private preparedView: { view: AppliedGatewayView; generation: number; revision: number } | null = null;
  private reconciles = 0;
  private readonly plane: GatewayDataPlane;
  private readonly options: PlanOptions;

  constructor(plane: GatewayDataPlane, options: PlanOptions = DEFAULT_PLAN_OPTIONS) {
    this.plane = plane;
    this.options = options;
  }

  observe(): Promise<GatewayObserved> {
    return observeGateway(this.plane);
  }

  /** Forgets the view: the next apply observes the gateway. */
  invalidate(): void {
    this.view = null;
    this.viewRevision = null;
  }

  /**
   * Reads the gateway back ahead of an `apply(…, { observe: true })`, outside the daemon's
   * apply queue: at 10,000 peers `nft -j list table` and `wg show dump` take seconds, and a
   * revoke must not wait behind them. The apply uses this observation only if no other
   * apply ran in between (see `preparedObservation`).
   */
  async prepareObservation(): Promise<void> {
    const generation = this.generation;
    const observed = await observeGateway(this.plane);
    this.prepared = { observed, generation };
  }

  /**
   * Ahead of every tenth reconcile (the one that checks the whole document, not just the
   * drift against the view), builds a view of the document in chunks, outside the apply
   * queue. At 10,000 peers planning the whole document in one piece held the event loop for
   * seconds, and a revoke arriving then waited for it (B3 at scale). The reconcile uses this
   * view only if no apply ran in between.
   */
  async prepareDocumentView(document: () => GatewayDesiredState, revision: number): Promise<void> {
    this.preparedView = null;
    const current = this.view;
    if (current === null || (this.reconciles + 1) % 10 !== 0) return;
    const generation = this.generation;
    const { ifaces, usersPublicKey, tableLengths, tableShards } = current.contents;
    const view = await AppliedGatewayView.afterFullApplyInChunks(document(), ifaces, usersPublicKey, { allowedLengths: tableLengths, nativeShards: tableShards });
    this.preparedView = { view, generation, revision };
  }

  /** 'fresh': the prepared observation still shows the gateway as it is; 'stale': an apply ran since. */
  get preparedObservation(): 'fresh' | 'stale' | 'none' {
    if (this.prepared === null) return 'none';
    return this.prepared.generation === this.generation ? 'fresh' : 'stale';
  }

  /** Drops a prepared observation (it is stale, and not worth the apply's wait). */
  dropPreparedObservation(): void {
    this.prepared = null;
  }

  /** What the view holds, for gauges (null before the first apply). */
  get applied(): AppliedGatewayView['size'] | null {
    return this.view?.size ?? null;
  }

  /**
   * Applies one delta of the control plane. When the gateway holds exactly the delta's
   * `fromRevision` (as far as this applier knows), the plan is made from the delta alone;
   * otherwise (or when the delta needs the whole document) `document()` is planned against
   * the view, or the gateway is observed. `previousSites`/`sitesNow`: see AppliedGatewayView.planDelta.
   */
  async applyDelta(
    delta: GatewayStateDelta,
    sites: { previousSites: Map<string, GatewaySite | undefined>; sitesNow: (plantId: string) => GatewaySite | undefined },
    document: () => GatewayDesiredState,
  ): Promise<GatewayApplyReport> {
    this.generation++;
    const view = this.view;
    if (view && this.viewRevision === delta.fromRevision) {
      const t0 = performance.now();
      const plan = view.planDelta(delta, sites.previousSites, sites.sitesNow, this.options);
      const t1 = performance.now();
      if (plan !== null) {
        try {
          await runGatewayPlan(plan, null, this.plane);
          view.commit(plan, null);
          this.viewRevision = delta.revision;
          return { plan, observed: false, basis: 'delta', timings: { observe: 0, plan: t1 - t0, run: performance.now() - t1 } };
        } catch {
          // The view was stale (the gateway changed behind our back): observe and plan again.
          this.invalidate();
        }
      }
    } else if (view && this.viewRevision === delta.revision) {
      // already applied (a reconcile of the newer document ran first)
      return { plan: unchangedPlan(), observed: false, basis: 'delta', timings: { observe: 0, plan: 0, run: 0 } };
    }
    return this.apply(document());
  }

  /**
   * Brings the gateway to `desired`. `withdrawn`: `desired` is a reduced form of its
   * revision (user access withdrawn), so no delta may be planned against the result.
   */
  async apply(
    desired: GatewayDesiredState,
    { observe = false, withdrawn = false }: { observe?: boolean; withdrawn?: boolean } = {},
  ): Promise<GatewayApplyReport> {
    const prepared = observe && this.preparedObservation === 'fresh' ? (this.prepared?.observed ?? null) : null;
    this.prepared = null;
    this.generation++;
    if (!observe && this.view) {
      const view = this.view;
      const t0 = performance.now();
      const plan = view.plan(desired, this.options);
      const t1 = performance.now();
      try {
        await runGatewayPlan(plan, desired, this.plane);
        view.commit(plan, desired);
        this.viewRevision = withdrawn ? null : desired.revision;
        return {
          plan,
          observed: false,
          basis: 'document',
          timings: { observe: 0, plan: t1 - t0, run: performance.now() - t1 },
        };
      } catch {
        // The view was stale: fall through to observe, plan and run again.
        this.invalidate();
      }
    }
    return this.applyObserved(desired, prepared, withdrawn);
  }

  /**
   * The periodic reconcile: reads the gateway back (or uses the prepared reading) and
   * repairs what differs. While the view holds exactly the document (`revision`), the plan
   * is made against the view (planDrift: a hash lookup per element, yielding to the event
   * loop); every tenth reconcile, and whenever the view is not the document's, against the
   * whole document (planGatewayApply), which also checks the view itself.
   */
  async reconcile(desired: () => GatewayDesiredState, revision: number, siteTunnelIp: string | null): Promise<GatewayApplyReport> {
    const prepared = this.preparedObservation === 'fresh' ? (this.prepared?.observed ?? null) : null;
    this.prepared = null;
    const preparedView = this.preparedView;
    this.preparedView = null;
    const documentView = preparedView !== null && preparedView.generation === this.generation && preparedView.revision === revision ? preparedView.view : null;
    this.generation++;
    let view = this.view;
    if (view === null || this.viewRevision !== revision) return this.applyObserved(desired(), prepared, false);
    if (++this.reconciles % 10 === 0) {
      // The whole document is checked: against a view of it built in chunks ahead of time
      // (drift against that view is exactly what differs from the document), or, without
      // one, by planning the whole document.
      if (documentView !== null) {
        view = documentView;
        this.view = documentView;
      } else if (preparedView !== null) {
        // An update ran while it was built: check the whole document at the next reconcile.
        this.reconciles--;
      } else return this.applyObserved(desired(), prepared, false);
    }
    const t0 = performance.now();
    const observed = prepared ?? (await observeGateway(this.plane));
    await this.plane.adopt?.(observed);
    const t1 = performance.now();
    const plan = await planDrift(view.contents, observed, siteTunnelIp, this.options);
    const t2 = performance.now();
    const state = plan.nft.kind === 'reload' ? desired() : null;
    try {
      await runGatewayPlan(plan, state, this.plane);
    } catch (error) {
      this.invalidate();
      throw error;
    }
    view.commit(plan, state);
    return { plan, observed: true, basis: 'document', timings: { observe: t1 - t0, plan: t2 - t1, run: performance.now() - t2 } };
  }

  private async applyObserved(desired: GatewayDesiredState, prepared: GatewayObserved | null, withdrawn: boolean): Promise<GatewayApplyReport> {
    this.invalidate();
    const t0 = performance.now();
    const observed = prepared ?? (await observeGateway(this.plane));
    await this.plane.adopt?.(observed);
    const t1 = performance.now();
    const plan = planGatewayApply(desired, this.plane.ifaces, observed, this.options);
    const t2 = performance.now();
    const createdKey = this.plane.interfaceSpecs?.users?.privateKey;
    const usersPublicKey = observed.users?.interface.publicKey ?? (createdKey ? wireGuardPublicKey(createdKey) : '');
    // A delta keeps the table's sets and maps no longer in use: the view must know them.
    const layout =
      plan.nft.kind === 'reload' || observed.nft === null
        ? { allowedLengths: [], nativeShards: [] }
        : { allowedLengths: observed.nft.allowedLengths, nativeShards: observed.nft.nativeShards };
    // The view is built while the plan runs (its time is mostly nft and wg processes); it is
    // kept only if the run succeeds.
    let t3 = t2;
    const [, view] = await Promise.all([
      runGatewayPlan(plan, desired, this.plane).then(() => {
        t3 = performance.now();
      }),
      AppliedGatewayView.afterFullApplyInChunks(desired, this.plane.ifaces, usersPublicKey, layout),
    ]);
    this.view = view;
    this.viewRevision = withdrawn ? null : desired.revision;
    return {
      plan,
      observed: true,
      basis: 'document',
      timings: { observe: t1 - t0, plan: t2 - t1, run: t3 - t2, view: Math.max(0, performance.now() - t3) },
    };
  }
}

function unchangedPlan(): GatewayApplyPlan {
  return { missingInterfaces: [], users: { kind: 'unchanged' }, sites: { kind: 'unchanged' }, nft: { kind: 'unchanged' }, problems: [] };
}
