/**
 * B4 — gateway apply on real wireguard-go + nft, in a network namespace of its own,
 * through the gateway daemon's own apply code (GatewaySync: what the daemon's loop calls).
 *
 *   cold: a fresh namespace, no interfaces, no table → the full document arrives as on a
 *         (re)connect: receive({kind:'full'}) + apply(…, 'reconnect') reads the gateway back,
 *         creates both WireGuard interfaces, loads the whole nft table, syncs every peer,
 *         sets addresses and routes. Target < 3 s (median of --runs, each in a new namespace).
 *   one change: on the last cold run's gateway, --changes single changes, cycling through
 *         remove one user's route / add one peer (with its routes) / swap one native entry,
 *         each arriving as the control plane's delta: receive(delta) + apply(…, 'update'),
 *         planned against what was last applied. Target < 50 ms (p50 and p99).
 *
 * The drivers are the real ones (WireGuardGoDriver, NftCliDriver, IpCliConfigDriver), wrapped
 * only to time each call, so the split (observe / plan / run, nft vs wg) adds up to the total.
 *
 *   npx node bench/b4-gateway-apply.ts [--runs 5] [--changes 60] [--seed 1]
 *        [--users 10000] [--allowed 85000] [--native 15000]
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { diffGatewayStates } from '../src/core/state/gateway-delta.ts';
import type { GatewayStateMessage } from '../src/core/wire/gateway-delta.ts';
import type { GatewayDesiredState } from '../src/core/wire/gateway-state.ts';
import { systemClock } from '../src/daemon/clock.ts';
import { DaemonMetrics } from '../src/daemon/daemon-metrics.ts';
import { memoryLogger } from '../src/daemon/log.ts';
import { MemoryStateStore } from '../src/daemon/state-store.ts';
import { type GatewayDataPlane, observeGateway } from '../src/gateway/apply.ts';
import { IpCliConfigDriver } from '../src/os/ip/ip-cli-config-driver.ts';
import { NftCliDriver } from '../src/os/nft/nft-cli-driver.ts';
import { GatewaySync } from '../src/gateway/gateway-sync.ts';
import type { NftDriver } from '../src/os/nft/nft-driver.ts';
import type { WireGuardDriver } from '../src/os/wireguard/wireguard-driver.ts';
import { WireGuardGoDriver } from '../src/os/wireguard/wireguard-go-driver.ts';
import { planGatewayApply } from '../src/gateway/plan.ts';
import { generateWireGuardKeyPair } from '../src/crypto/wireguard-keys.ts';
import { assertNetnsCapable, NetnsLab } from '../test/e2e/netns.ts';
import { type Fill, generateGatewayFill } from './gateway-fill.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    changes: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    users: { type: 'string', default: '10000' },
    allowed: { type: 'string', default: '85000' },
    native: { type: 'string', default: '15000' },
    'nft-session': { type: 'string', default: 'on' },
    'wg-uapi': { type: 'string', default: 'on' },
  },
});
const RUNS = Number(args.runs);
const CHANGES = Number(args.changes);
// 'off': every nft script a new `nft -f` (the driver before the nft -i session), for A/B.
const NFT_SESSION = args['nft-session'] !== 'off';
// 'off': every peer change a `wg set` process (the driver before the control-socket path).
const WG_UAPI = args['wg-uapi'] !== 'off';

// Garbage-collection pauses of this process, to tell a slow nft/wg from a paused daemon.
const gcPauses: Array<{ start: number; end: number }> = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
  if (gcPauses.length > 10_000) gcPauses.splice(0, 5_000);
}).observe({ entryTypes: ['gc'] });
function gcWithin(from: number, to: number): number {
  let sum = 0;
  for (const pause of gcPauses) sum += Math.max(0, Math.min(to, pause.end) - Math.max(from, pause.start));
  return sum;
}

// ---- timing wrappers around the real drivers -------------------------------------------

type Clock = { [what: string]: number };
const now = () => performance.now();

function timedWireGuard(inner: WireGuardDriver, clock: Clock): WireGuardDriver {
  // The users and sites interfaces are configured side by side: besides the sum per kind
  // of call, keep the wall time from the first start to the last end of each kind.
  const t = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const start = now();
    clock[`${what}.first`] = Math.min(clock[`${what}.first`] ?? Number.POSITIVE_INFINITY, start);
    try {
      return await work();
    } finally {
      const end = now();
      clock[what] = (clock[what] ?? 0) + end - start;
      clock[`${what}.last`] = Math.max(clock[`${what}.last`] ?? 0, end);
      clock[`${what}.wall`] = clock[`${what}.last`] - clock[`${what}.first`];
    }
  };
  return {
    createInterface: (spec) => t('wg.create', () => inner.createInterface(spec)),
    deleteInterface: (name) => inner.deleteInterface(name),
    setPrivateKey: (name, key, port) => t('wg.key', () => inner.setPrivateKey(name, key, port)),
    changePeers: (name, changes) => t('wg.set', () => inner.changePeers(name, changes)),
    syncPeers: (name, peers) => t('wg.sync', () => inner.syncPeers(name, peers)),
    setConf: (name, config) => inner.setConf(name, config),
    readDump: (name) => t('wg.read', () => inner.readDump(name)),
  };
}

function timedNft(inner: NftDriver, clock: Clock): NftDriver {
  const t = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const start = now();
    try {
      return await work();
    } finally {
      clock[what] = (clock[what] ?? 0) + now() - start;
    }
  };
  return {
    applyScript: (script) => t('nft.apply', () => inner.applyScript(script)),
    readTable: (name) => t('nft.read', () => inner.readTable(name)),
    deleteTable: (name) => inner.deleteTable(name),
  };
}

// ---- one gateway in its own namespace ---------------------------------------------------

type Gateway = {
  lab: NetnsLab;
  wg: WireGuardGoDriver;
  clock: Clock;
  /** For reading the gateway back in the sanity checks (not part of any timed apply). */
  plane: GatewayDataPlane;
  sync: GatewaySync;
  teardown: () => Promise<void>;
};

async function newGateway(service: { privateKey: string; publicKey: string }): Promise<Gateway> {
  const lab = new NetnsLab();
  const ns = await lab.addNamespace('b4');
  const wg = new WireGuardGoDriver({ netns: ns, timeoutMs: 60_000, uapi: WG_UAPI });
  const clock: Clock = {};
  const ifaces = { users: lab.name('pgu'), sites: lab.name('pgs') };
  for (const name of Object.values(ifaces)) lab.trackWireGuardInterface(name);
  const wireguard = timedWireGuard(wg, clock);
  const nftDriver = new NftCliDriver({ netns: ns, session: NFT_SESSION });
  const nft = timedNft(nftDriver, clock);
  const plane: GatewayDataPlane = { wireguard, nft, ifaces };
  const sync = new GatewaySync(
    { ifaces, table: 'plantgate', userPort: 51820, sitePort: 51821 },
    {
      wireguard,
      nft,
      ip: new IpCliConfigDriver({ netns: ns }),
      store: new MemoryStateStore(),
      clock: systemClock,
      log: memoryLogger(),
      metrics: new DaemonMetrics('gateway', systemClock),
    },
    generateWireGuardKeyPair(),
    async () => ({ servicePrivateKey: service.privateKey, servicePublicKey: service.publicKey }),
  );
  return {
    lab,
    wg,
    clock,
    plane,
    sync,
    teardown: async () => {
      nftDriver.close();
      for (const name of Object.values(ifaces)) await wg.deleteInterface(name).catch(() => {});
      await lab.cleanup();
    },
  };
}

type Sample = {
  total: number;
  /** Taking the answer into the document (a full document: indexing it, checking its ranges). */
  receive: number;
  /** Building the applier's view after a full apply. */
  view: number;
  observe: number;
  plan: number;
  run: number;
  nft: number;
  wg: number;
  /** Garbage collection in this (the daemon's) process while the apply ran: it delays the answer of nft/wg too. */
  gc: number;
  /** Longest event-loop delay while the apply ran (1 ms resolution): the daemon process itself stalled. */
  loopBlock: number;
  /** performance.now() at the start and end of the apply (gc is filled in from it at the end). */
  span: [number, number];
  create: number;
  kinds: string;
  clock: Clock;
};

/** What the daemon does with one answer of the control plane: take it into the document, apply it. */
async function timedApply(gateway: Gateway, message: GatewayStateMessage): Promise<Sample> {
  for (const key of Object.keys(gateway.clock)) delete gateway.clock[key];
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const start = now();
  const update = await gateway.sync.receive(message);
  const received = now();
  if (update === 'resync') throw new Error('the delta does not follow the document held');
  await gateway.sync.apply(update, message.kind === 'full' ? 'reconnect' : 'update');
  const total = now() - start;
  loop.disable();
  const report = gateway.sync.lastReport;
  if (report === null) throw new Error('no apply report');
  const c = gateway.clock;
  const nft = (c['nft.read'] ?? 0) + (c['nft.apply'] ?? 0);
  const wg = (c['wg.read.wall'] ?? 0) + (c['wg.set.wall'] ?? 0) + (c['wg.sync.wall'] ?? 0);
  const { plan } = report;
  return {
    total,
    receive: received - start,
    view: report.timings.view ?? 0,
    observe: report.timings.observe,
    plan: report.timings.plan,
    run: report.timings.run,
    nft,
    wg,
    gc: 0,
    loopBlock: loop.count > 0 ? loop.max / 1e6 : 0,
    span: [start, start + total],
    create: c['wg.create'] ?? 0,
    kinds: `nft ${plan.nft.kind}, users ${plan.users.kind}, sites ${plan.sites.kind}${report.observed ? ', observed' : `, from ${report.basis}`}`,
    clock: { ...c },
  };
}

// ---- the single changes ------------------------------------------------------------------

type ChangeKind = 'remove-route' | 'add-peer' | 'swap-native';
const KINDS: ChangeKind[] = ['remove-route', 'add-peer', 'swap-native'];

function makeChange(fill: Fill, state: GatewayDesiredState, kind: ChangeKind): GatewayDesiredState {
  const { rng } = fill;
  const revision = state.revision + 1;
  if (kind === 'remove-route') {
    // One user loses one route: its allowed pair and, if it had one, its native entry.
    for (;;) {
      const victim = state.allowed[rng.int(0, state.allowed.length - 1)];
      const userRoutes = state.allowed.filter((pair) => pair.userIp === victim.userIp).length;
      if (userRoutes < 2) continue;
      return {
        ...state,
        revision,
        allowed: state.allowed.filter((pair) => pair !== victim),
        native: state.native.filter((entry) => !(entry.userIp === victim.userIp && entry.mapped === victim.mapped)),
      };
    }
  }
  if (kind === 'add-peer') {
    // A new profile: one peer and its routes (~10 neighbouring subnets, one native).
    const userIp = fill.nextUserIp();
    const start = rng.int(0, fill.subnets.length - 11);
    const routes = fill.subnets.slice(start, start + rng.int(5, 12));
    const unique = routes.find((subnet) => routes.filter((other) => other.real === subnet.real).length === 1);
    return {
      ...state,
      revision,
      peers: [
        ...state.peers,
        {
          publicKey: fill.randomKey(),
          tunnelIp: userIp,
          profileId: `added-${revision}`,
        },
      ],
      allowed: [...state.allowed, ...routes.map((subnet) => ({ userIp, mapped: subnet.mapped }))],
      native: unique ? [...state.native, { userIp, native: unique.real, mapped: unique.mapped }] : state.native,
    };
  }
  // swap-native: a user switches the priority of a native prefix to another plant's
  // mapped prefix of the same length (as `vpn prefer` does in a conflict group).
  for (;;) {
    const index = rng.int(0, state.native.length - 1);
    const entry = state.native[index];
    const length = Number(entry.mapped.split('/')[1]);
    const other = fill.subnets[rng.int(0, fill.subnets.length - 1)];
    if (other.length !== length || other.mapped === entry.mapped) continue;
    const native = [...state.native];
    native[index] = { ...entry, mapped: other.mapped };
    return { ...state, revision, native };
  }
}

// ---- statistics and output -------------------------------------------------------------

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}
const median = (values: number[]) => quantile(values, 0.5);
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

// ---- main ----------------------------------------------------------------------------

async function main() {
  await assertNetnsCapable();
  const service = generateWireGuardKeyPair();
  const fill = generateGatewayFill({
    seed: Number(args.seed),
    users: Number(args.users),
    allowed: Number(args.allowed),
    native: Number(args.native),
  });
  const initial: GatewayDesiredState = {
    ...fill.state,
    gateway: { id: 'b4', name: 'b4', siteTunnelIp: '100.64.0.9' },
    servicePublicKey: service.publicKey,
  };
  const sitePeers = initial.sites.filter((site) => site.agentPublicKey !== null).length;
  console.log(
    `B4 gateway apply: ${initial.peers.length} user peers, ${sitePeers} site peers, ` +
      `${initial.allowed.length} allowed + ${initial.native.length} native = ${initial.allowed.length + initial.native.length} elements`,
  );

  const gateways: Gateway[] = [];
  const stopAll = async () => {
    for (const gateway of gateways.splice(0)) await gateway.teardown().catch(() => {});
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopAll().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // Cold applies, each into a fresh namespace.
    const cold: Sample[] = [];
    let live: Gateway | null = null;
    for (let run = 0; run < RUNS; run++) {
      const gateway = await newGateway(service);
      gateways.push(gateway);
      const sample = await timedApply(gateway, { kind: 'full', state: initial });
      cold.push(sample);
      console.log(
        `  cold ${run + 1}/${RUNS}: ${ms(sample.total)} (observe ${ms(sample.observe)}, plan ${ms(sample.plan)}, run ${ms(sample.run)}: ` +
          `create ifaces ${ms(sample.create)}, nft ${ms(sample.clock['nft.apply'] ?? 0)}, wg sync ${ms(sample.clock['wg.sync.wall'] ?? 0)} wall, ${ms(sample.clock['wg.sync'] ?? 0)} summed) [${sample.kinds}]`,
      );
      if (run < RUNS - 1) {
        await gateway.teardown();
        gateways.splice(gateways.indexOf(gateway), 1);
      } else live = gateway;
    }
    if (!live) throw new Error('no cold run');

    // Sanity: what the gateway now has is what was asked for.
    const check = planGatewayApply(initial, live.plane.ifaces, await observeGateway(live.plane));
    if (check.nft.kind !== 'unchanged' || check.users.kind !== 'unchanged' || check.sites.kind !== 'unchanged') {
      throw new Error(
        `after the cold apply the plan is not empty: ${JSON.stringify({ nft: check.nft.kind, users: check.users.kind, sites: check.sites.kind })}`,
      );
    }
    const observed = await observeGateway(live.plane);
    const nftCount = (observed.nft?.allowed?.length ?? 0) + (observed.nft?.native?.length ?? 0);
    const peerCount = observed.users?.peers.length ?? 0;

    // Single changes on the live gateway.
    let state = initial;
    const changes: Array<Sample & { kind: ChangeKind }> = [];
    for (let i = 0; i < CHANGES; i++) {
      const kind = KINDS[i % KINDS.length];
      // drawn, and turned into the control plane's delta, before the timer starts
      const next = makeChange(fill, state, kind);
      const delta = diffGatewayStates(state, next);
      state = next;
      const sample = await timedApply(live, delta);
      changes.push({ ...sample, kind });
    }
    // The last change really is in place: a full observation plans nothing.
    const after = planGatewayApply(state, live.plane.ifaces, await observeGateway(live.plane));
    const consistent =
      after.nft.kind === 'unchanged' && after.users.kind === 'unchanged' && after.sites.kind === 'unchanged';
    if (!consistent) throw new Error('after the changes the gateway differs from the desired state');

    // The periodic reconcile (full read-back, repairs drift), as the daemon runs it: the
    // read-back outside the apply queue, then plan and run. What matters for a revoke that
    // arrives meanwhile is how long the event loop is blocked (parsing, planning).
    const reconciles: Array<{ total: number; maxBlock: number }> = [];
    for (let i = 0; i < 3; i++) {
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      const start = now();
      await live.sync.prepare('reconcile');
      await live.sync.apply({ revision: state.revision, change: null }, 'reconcile');
      reconciles.push({ total: now() - start, maxBlock: histogram.max / 1e6 });
      histogram.disable();
    }

    // ---- report ----
    const col = (samples: Sample[], pick: (s: Sample) => number) => samples.map(pick);
    const totals = col(changes, (s) => s.total);
    console.log('');
    console.log(
      `observed after cold apply: ${peerCount} user peers, ${nftCount} nft elements; after ${CHANGES} changes: observed == desired: ${consistent}`,
    );
    console.log('');
    console.log(row(['cold apply (fresh namespace)', `median of ${RUNS}`, 'min', 'max']));
    console.log(row(['---', '---', '---', '---']));
    const coldRows: Array<[string, (s: Sample) => number]> = [
      ['**total** (target < 3 s)', (s) => s.total],
      ['receive (index the document, check ranges)', (s) => s.receive],
      ['observe (wg dump ×2 + nft -j, all absent)', (s) => s.observe],
      ['plan', (s) => s.plan],
      ['run', (s) => s.run],
      ['· create 2 interfaces (wireguard-go start, key, addr, routes)', (s) => s.create],
      ['· nft -f whole table', (s) => s.clock['nft.apply'] ?? 0],
      ['· wg syncconf, users ∥ sites (wall)', (s) => s.clock['wg.sync.wall'] ?? 0],
      ['· wg syncconf, users + sites (summed)', (s) => s.clock['wg.sync'] ?? 0],
      [
        '· render, addresses + routes (one per agent), rest (run − drivers)',
        (s) => s.run - s.create - (s.clock['nft.apply'] ?? 0) - (s.clock['wg.sync.wall'] ?? 0),
      ],
      ['view of what was applied, after run (it is built alongside)', (s) => s.view],
      ['rest (gauges, log): total − the above; addresses and routes run inside run, alongside nft/wg', (s) => s.total - s.receive - s.observe - s.plan - s.run - s.view],
      ['nft total / wg total (wall, excl. create)', (s) => s.nft],
    ];
    for (const [label, pick] of coldRows) {
      const values = col(cold, pick);
      if (label.startsWith('nft total')) {
        const wgValues = col(cold, (s) => s.wg);
        console.log(row([label, `${ms(median(values))} / ${ms(median(wgValues))}`, '', '']));
      } else console.log(row([label, ms(median(values)), ms(Math.min(...values)), ms(Math.max(...values))]));
    }
    console.log('');
    console.log(row([`one change (${CHANGES}, on the live gateway)`, 'p50', 'p99', 'max']));
    console.log(row(['---', '---', '---', '---']));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const sample of changes) sample.gc = gcWithin(...sample.span);
    const changeRows: Array<[string, (s: Sample) => number]> = [
      ['**total** (target < 50 ms)', (s) => s.total],
      ['receive (delta into the document)', (s) => s.receive],
      ['observe', (s) => s.observe],
      ['plan', (s) => s.plan],
      ['run', (s) => s.run],
      ['· nft (apply; read only when observing)', (s) => s.nft],
      ['· wg (set, users ∥ sites; 0 when no peer changed)', (s) => s.wg],
      ['garbage collection in the daemon process during the change', (s) => s.gc],
      ['longest event-loop delay in the daemon process during the change', (s) => s.loopBlock],
    ];
    for (const [label, pick] of changeRows) {
      const values = col(changes, pick);
      console.log(row([label, ms(median(values)), ms(quantile(values, 0.99)), ms(Math.max(...values))]));
    }
    for (const kind of KINDS) {
      const ofKind = changes.filter((s) => s.kind === kind);
      const values = ofKind.map((s) => s.total);
      console.log(
        row([`${kind} (${values.length})`, ms(median(values)), ms(quantile(values, 0.99)), ms(Math.max(...values))]),
      );
      for (const part of ['nft', 'wg'] as const) {
        const parts = ofKind.map((s) => s[part]);
        console.log(row([`· ${part}`, ms(median(parts)), ms(quantile(parts, 0.99)), ms(Math.max(...parts))]));
      }
    }
    console.log('');
    console.log(row(['reconcile (3, full read-back)', 'median', 'min', 'max']));
    console.log(row(['---', '---', '---', '---']));
    for (const [label, values] of [
      ['total', reconciles.map((r) => r.total)],
      ['longest event-loop block', reconciles.map((r) => r.maxBlock)],
    ] as const) {
      console.log(row([label, ms(median([...values])), ms(Math.min(...values)), ms(Math.max(...values))]));
    }
    const kindsSeen = [...new Set(changes.map((s) => s.kinds))];
    console.log(`plans seen: ${kindsSeen.join(' | ')}`);

    const result = {
      bench: 'B4',
      userPeers: initial.peers.length,
      sitePeers,
      allowed: initial.allowed.length,
      native: initial.native.length,
      runs: RUNS,
      coldMedianMs: round(median(col(cold, (s) => s.total))),
      coldMinMs: round(Math.min(...col(cold, (s) => s.total))),
      coldMaxMs: round(Math.max(...col(cold, (s) => s.total))),
      coldSplitMedianMs: {
        observe: round(median(col(cold, (s) => s.observe))),
        plan: round(median(col(cold, (s) => s.plan))),
        run: round(median(col(cold, (s) => s.run))),
        createInterfaces: round(median(col(cold, (s) => s.create))),
        nftApply: round(median(col(cold, (s) => s.clock['nft.apply'] ?? 0))),
        wgSyncWall: round(median(col(cold, (s) => s.clock['wg.sync.wall'] ?? 0))),
      },
      changes: CHANGES,
      changeP50Ms: round(median(totals)),
      changeP99Ms: round(quantile(totals, 0.99)),
      changeMaxMs: round(Math.max(...totals)),
      changeSplitP50Ms: {
        observe: round(median(col(changes, (s) => s.observe))),
        plan: round(median(col(changes, (s) => s.plan))),
        run: round(median(col(changes, (s) => s.run))),
        nft: round(median(col(changes, (s) => s.nft))),
        wg: round(median(col(changes, (s) => s.wg))),
      },
      changeSplitP99Ms: {
        run: round(quantile(col(changes, (s) => s.run), 0.99)),
        nft: round(quantile(col(changes, (s) => s.nft), 0.99)),
        wg: round(quantile(col(changes, (s) => s.wg), 0.99)),
        gc: round(quantile(col(changes, (s) => s.gc), 0.99)),
        loopBlock: round(quantile(col(changes, (s) => s.loopBlock), 0.99)),
      },
      changeGcMaxMs: round(Math.max(...col(changes, (s) => s.gc))),
      nftSession: NFT_SESSION,
      wgUapi: WG_UAPI,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
      reconcileMedianMs: round(median(reconciles.map((r) => r.total))),
      reconcileMaxBlockMedianMs: round(median(reconciles.map((r) => r.maxBlock))),
      consistent,
      coldTargetMet: median(col(cold, (s) => s.total)) < 3000,
      changeTargetMet: quantile(totals, 0.99) < 50,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await stopAll();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

await main();
