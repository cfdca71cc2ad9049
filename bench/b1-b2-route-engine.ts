/**
 * B1 — full recompute: every user's routes and the complete gateway state from scratch.
 * B2 — incremental: one permission change → affected users recomputed → that user's share.
 *
 *   npx node --expose-gc bench/b1-b2-route-engine.ts [--scale 1|2|10] [--seed N] [--runs N] [--changes N]
 *   (scale 10 = 100,000 users × 50,000 plants, issue 6: add --max-old-space-size=7680; mapped space 64.0.0.0/7)
 *   npx node --expose-gc bench/b1-b2-route-engine.ts --compare      # scale 1 and 2, each in a fresh process, with ratios
 *
 * Prints a readable table, then one line `RESULT {json}`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { UserId } from '../src/core/model.ts';
import { effectiveRoutes } from '../src/core/routes/effective.ts';
import { GatewayStateIndex, type ServiceIdentity } from '../src/core/state/gateway-state.ts';
import type { GatewayDesiredState } from '../src/core/wire/gateway-state.ts';
import { buildModel, generateFleet } from './fleet-generator.ts';
import { type ChangeKind, RandomChanges } from './random-changes.ts';
import { createRng } from './rng.ts';

const args = parseArgs(process.argv.slice(2));
if (args.compare) compare();
else run();

function run(): void {
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with --expose-gc (npx node --expose-gc bench/b1-b2-route-engine.ts)');
  const gcTwice = (): void => {
    gc();
    gc();
  };

  // ---- fleet ----
  let t = performance.now();
  const fleet = generateFleet({ seed: args.seed, scale: args.scale });
  const generateMs = performance.now() - t;
  t = performance.now();
  const model = buildModel(fleet);
  const buildModelMs = performance.now() - t;
  const service: ServiceIdentity = {
    servicePublicKey: 'c2VydmljZS1rZXktZm9yLWJlbmNobWFyay0wMDAwMDA9',
    serviceTunnelIp: fleet.serviceTunnelIp,
    tunnelRange: fleet.tunnelRange,
    mappedSpace: fleet.options.mappedSpace,
  };

  // ---- B1: rebuild + document, from scratch, several runs ----
  gcTwice();
  const baseline = process.memoryUsage();
  const runs: Array<{ totalMs: number; rebuildMs: number; documentMs: number; cpuMs: number }> = [];
  let memory: { heapUsedDelta: number; rssDelta: number; heapUsedAfter: number; rssAfter: number } | null = null;
  let index: GatewayStateIndex | null = null;
  let doc: GatewayDesiredState | null = null;
  for (let r = 0; r < args.runs; r++) {
    index = null;
    doc = null;
    gcTwice();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const fresh = new GatewayStateIndex();
    fresh.rebuild(model);
    const t1 = performance.now();
    const document = fresh.document('bench', 1, service);
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    // CPU time as well as wall time: on a shared machine the wall time mostly measures the neighbours.
    runs.push({ totalMs: t2 - t0, rebuildMs: t1 - t0, documentMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000 });
    index = fresh;
    doc = document;
    if (r === 0) {
      gcTwice();
      const after = process.memoryUsage();
      memory = {
        heapUsedDelta: after.heapUsed - baseline.heapUsed,
        rssDelta: after.rss - baseline.rss,
        heapUsedAfter: after.heapUsed,
        rssAfter: after.rss,
      };
    }
  }
  assert.ok(index && doc && memory);
  const peakRss = process.resourceUsage().maxRSS * 1024;

  // Every user's routes (with or without a profile), for the route-state census.
  const states: Record<string, number> = {};
  t = performance.now();
  for (const userId of model.users.keys()) for (const route of effectiveRoutes(model, userId)) states[route.state] = (states[route.state] ?? 0) + 1;
  const allUsersRoutesMs = performance.now() - t;
  const counts = {
    users: fleet.users.length,
    plants: fleet.plants.length,
    subnets: fleet.subnets.length,
    organizations: fleet.organizations.length,
    portfolios: fleet.portfolios.length,
    memberships: fleet.memberships.length,
    jobRoles: fleet.jobRoles.length,
    cooperations: fleet.cooperations.length,
    preferences: fleet.preferences.length,
    profiles: fleet.profiles.length,
    routes: Object.values(states).reduce((a, b) => a + b, 0),
    routeStates: states,
    peers: doc.peers.length,
    allowedPairs: doc.allowed.length,
    nativeEntries: doc.native.length,
    sites: doc.sites.length,
    translations: doc.sites.reduce((n, s) => n + s.translations.length, 0),
  };
  t = performance.now();
  const json = JSON.stringify(doc);
  const stringifyMs = performance.now() - t;
  const jsonBytes = Buffer.byteLength(json);

  // ---- B2: random permission changes, incrementally ----
  const changes = new RandomChanges(createRng(args.seed + 1), model, fleet);
  const latencies: number[] = [];
  const cpuLatencies: number[] = [];
  const byKind = new Map<ChangeKind, number[]>();
  let affectedTotal = 0;
  let routesTotal = 0;
  for (let i = 0; i < args.changes; i++) {
    const change = changes.next();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const affected = change.apply(model);
    index.recomputeUsers(model, affected);
    const share = index.shareOf(change.userId as UserId);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    latencies.push(ms);
    // CPU time too: on a loaded machine the wall-time tail is mostly time spent descheduled.
    cpuLatencies.push((cpu.user + cpu.system) / 1000);
    push(byKind, change.kind, ms);
    affectedTotal += affected.size;
    routesTotal += share?.allowed.length ?? 0;
  }
  const documentRuns: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    index.document('bench', 2 + i, service);
    documentRuns.push(performance.now() - t0);
  }
  // The incremental state must equal a rebuild from scratch after all those changes.
  const rebuilt = new GatewayStateIndex();
  rebuilt.rebuild(model);
  const incrementalMatches = sameDocument(index.document('bench', 9, service), rebuilt.document('bench', 9, service));

  const b1Totals = runs.map((r) => r.totalMs);
  const result = {
    benchmark: 'b1-b2-route-engine',
    scale: args.scale,
    seed: args.seed,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    mappedSpace: fleet.options.mappedSpace,
    fleet: { generateMs: round(generateMs), buildModelMs: round(buildModelMs) },
    counts,
    b1: {
      runs: runs.length,
      medianMs: round(median(b1Totals)),
      cpuMedianMs: round(median(runs.map((r) => r.cpuMs))),
      loadAverage: os.loadavg().map((l) => round(l, 2)),
      minMs: round(Math.min(...b1Totals)),
      maxMs: round(Math.max(...b1Totals)),
      firstRunMs: round(b1Totals[0] as number),
      rebuildMedianMs: round(median(runs.map((r) => r.rebuildMs))),
      documentMedianMs: round(median(runs.map((r) => r.documentMs))),
      heapUsedDeltaMiB: mib(memory.heapUsedDelta),
      rssDeltaMiB: mib(memory.rssDelta),
      heapUsedAfterMiB: mib(memory.heapUsedAfter),
      rssAfterMiB: mib(memory.rssAfter),
      peakRssMiB: mib(peakRss),
      allUsersRoutesMs: round(allUsersRoutesMs),
      jsonStringifyMs: round(stringifyMs),
      jsonMiB: mib(jsonBytes),
    },
    b2: {
      changes: latencies.length,
      p50Ms: round(quantile(latencies, 0.5), 4),
      p99Ms: round(quantile(latencies, 0.99), 4),
      cpuP99Ms: round(quantile(cpuLatencies, 0.99), 4),
      maxMs: round(Math.max(...latencies), 4),
      meanMs: round(latencies.reduce((a, b) => a + b, 0) / latencies.length, 4),
      byKind: Object.fromEntries(
        [...byKind].map(([kind, ms]) => [kind, { n: ms.length, p50Ms: round(quantile(ms, 0.5), 4), p99Ms: round(quantile(ms, 0.99), 4) }]),
      ),
      meanAffectedUsers: round(affectedTotal / latencies.length, 2),
      meanRoutesInShare: round(routesTotal / latencies.length, 1),
      documentAssemblyMedianMs: round(median(documentRuns)),
      documentAssemblyMaxMs: round(Math.max(...documentRuns)),
      incrementalMatchesRebuild: incrementalMatches,
    },
  };
  printTable(result);
  console.log(`RESULT ${JSON.stringify(result)}`);
  if (!incrementalMatches) process.exitCode = 1;
}

type Result = ReturnType<typeof JSON.parse>;

function printTable(r: Result): void {
  const c = r.counts;
  const lines = [
    `B1/B2 route engine — scale ${r.scale} (seed ${r.seed}), Node ${r.node}, ${r.cpus} × ${r.cpuModel}`,
    `fleet: ${c.users} users, ${c.plants} plants, ${c.subnets} subnets, ${c.organizations} orgs, ${c.portfolios} portfolios,`,
    `       ${c.memberships} memberships, ${c.jobRoles} job roles, ${c.cooperations} cooperations, ${c.preferences} preferences, ${c.profiles} profiles`,
    `       mapped space ${r.mappedSpace} (the default 100.80.0.0/12 holds only 4,096 /24s); generated in ${r.fleet.generateMs} ms, model built in ${r.fleet.buildModelMs} ms`,
    `state: ${c.routes} routes (${Object.entries(c.routeStates).map(([k, v]) => `${k} ${v}`).join(', ')}) for all users;`,
    `       document: ${c.peers} peers, ${c.allowedPairs} allowed pairs, ${c.nativeEntries} native entries, ${c.sites} sites, ${c.translations} translations`,
    '',
    'B1  rebuild + document from scratch                 target',
    `    wall time median (${r.b1.runs} runs)   ${fmt(r.b1.medianMs)} ms          < 1000 ms   ${r.b1.medianMs < 1000 ? 'ok' : 'MISSED'}`,
    `      min / max / first run         ${r.b1.minMs} / ${r.b1.maxMs} / ${r.b1.firstRunMs} ms`,
    `      CPU time median               ${r.b1.cpuMedianMs} ms (load average ${r.b1.loadAverage.join(' ')})`,
    `      of which rebuild / document   ${r.b1.rebuildMedianMs} / ${r.b1.documentMedianMs} ms (medians)`,
    `    heap used delta (after gc)      ${fmt(r.b1.heapUsedDeltaMiB)} MiB`,
    `    RSS delta                       ${fmt(r.b1.rssDeltaMiB)} MiB`,
    `    process heap used / RSS / peak RSS  ${r.b1.heapUsedAfterMiB} / ${r.b1.rssAfterMiB} / ${r.b1.peakRssMiB} MiB   < 1024 MiB   ${r.b1.peakRssMiB < 1024 ? 'ok' : 'MISSED'}`,
    `    (info) effectiveRoutes for every user, with or without profile: ${r.b1.allUsersRoutesMs} ms`,
    `    (info) JSON.stringify of the document: ${r.b1.jsonStringifyMs} ms, ${r.b1.jsonMiB} MiB`,
    '',
    `B2  one change → recomputeUsers(affected) → share   target`,
    `    p50 (${r.b2.changes} random changes)     ${fmt(r.b2.p50Ms)} ms`,
    `    p99                             ${fmt(r.b2.p99Ms)} ms          < 10 ms     ${r.b2.p99Ms < 10 ? 'ok' : 'MISSED'}`,
    `      max / mean                    ${r.b2.maxMs} / ${r.b2.meanMs} ms; CPU-time p99 ${r.b2.cpuP99Ms} ms`,
    ...Object.entries(r.b2.byKind as Record<string, { n: number; p50Ms: number; p99Ms: number }>).map(
      ([k, v]) => `      ${k.padEnd(12)} n=${String(v.n).padEnd(5)} p50 ${v.p50Ms} ms, p99 ${v.p99Ms} ms`,
    ),
    `      mean affected users ${r.b2.meanAffectedUsers}, mean routes in the changed user's share ${r.b2.meanRoutesInShare}`,
    `    document() assembly (separate)  ${fmt(r.b2.documentAssemblyMedianMs)} ms median, ${r.b2.documentAssemblyMaxMs} ms max (21 runs)`,
    `    incremental state == rebuild after all changes: ${r.b2.incrementalMatchesRebuild ? 'yes' : 'NO'}`,
  ];
  console.log(lines.join('\n'));
}

/** Runs scale 1 and scale 2, each in a fresh process (so memory and JIT do not mix), and prints the ratios. */
function compare(): void {
  const script = fileURLToPath(import.meta.url);
  const results: Result[] = [];
  for (const scale of [1, 2]) {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', script, '--scale', String(scale), '--seed', String(args.seed), '--runs', String(args.runs), '--changes', String(args.changes)],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    process.stdout.write(`${out}\n`);
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    results.push(JSON.parse((line as string).slice('RESULT '.length)));
  }
  const [a, b] = results as [Result, Result];
  const ratio = (x: number, y: number): number => round(y / x, 2);
  const summary = {
    benchmark: 'b1-b2-route-engine-compare',
    b1MedianMs: [a.b1.medianMs, b.b1.medianMs, ratio(a.b1.medianMs, b.b1.medianMs)],
    b2P50Ms: [a.b2.p50Ms, b.b2.p50Ms, ratio(a.b2.p50Ms, b.b2.p50Ms)],
    b2P99Ms: [a.b2.p99Ms, b.b2.p99Ms, ratio(a.b2.p99Ms, b.b2.p99Ms)],
    b2CpuP99Ms: [a.b2.cpuP99Ms, b.b2.cpuP99Ms, ratio(a.b2.cpuP99Ms, b.b2.cpuP99Ms)],
    documentAssemblyMs: [a.b2.documentAssemblyMedianMs, b.b2.documentAssemblyMedianMs, ratio(a.b2.documentAssemblyMedianMs, b.b2.documentAssemblyMedianMs)],
  };
  console.log('scale 1 → scale 2              scale 1     scale 2     ratio');
  for (const [name, [x, y, q]] of Object.entries(summary).slice(1) as Array<[string, number[]]>) {
    console.log(`  ${name.padEnd(26)} ${fmt(x as number)} ms ${fmt(y as number)} ms   ×${q}`);
  }
  console.log(`RESULT ${JSON.stringify(summary)}`);
}

function sameDocument(a: GatewayDesiredState, b: GatewayDesiredState): boolean {
  const key = (x: object): string => JSON.stringify(x);
  const norm = (d: GatewayDesiredState) => ({
    ...d,
    peers: d.peers.map(key).sort(),
    allowed: d.allowed.map(key).sort(),
    native: d.native.map(key).sort(),
    sites: d.sites.map(key).sort(),
  });
  try {
    assert.deepStrictEqual(norm(a), norm(b));
    return true;
  } catch {
    return false;
  }
}

function parseArgs(argv: string[]): { scale: number; seed: number; runs: number; changes: number; compare: boolean } {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    if (at < 0) return fallback;
    const n = Number(argv[at + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got "${argv[at + 1]}"`);
    return n;
  };
  return { scale: value('scale', 1), seed: value('seed', 1), runs: value('runs', 7), changes: value('changes', 2000), compare: argv.includes('--compare') };
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Nearest-rank quantile. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function mib(bytes: number): number {
  return round(bytes / 1024 / 1024);
}

function fmt(x: number): string {
  return String(x).padStart(9);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}


