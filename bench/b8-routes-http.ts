/**
 * B8 — `GET /api/v1/vpn/routes` with 200 concurrent clients, against the real server
 * process (target: p99 < 20 ms).
 *
 *   npx node bench/b8-routes-http.ts [--database sqlite|pg] [--clients 200] [--warmup 10] [--duration 20]
 *        [--runs 3] [--max-requests N] [--rate R] [--seed 1] [--scale 1] [--cpu-prof DIR]
 *
 * Starts `bin/plantgate.js server` as a child process (temp data dir, 127.0.0.1, a free
 * port), applies the generated fleet through `POST /api/v1/admin/fleet` (its wall time is
 * reported), logs in as `--clients` distinct users who have routes (a tenth with 100+
 * routes, the rest drawn from users with 1–99), then runs one keep-alive connection per client, each
 * looping GET /api/v1/vpn/routes: `--warmup` seconds not measured, then `--runs` measured
 * windows of `--duration` seconds (or `--max-requests` per client, whichever comes first).
 * Closed loop by default (each client sends its next request when the previous answer
 * arrives); `--rate R` paces every client to R requests/s instead (open-ish loop, the
 * latency then excludes queueing behind the client's own previous request).
 * The server is stopped by its PID at the end, also on failure, and the temp dir removed.
 *
 * Prints a readable table, then one line `RESULT {json}`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserId } from '../src/core/model.ts';
import { effectiveRoutes } from '../src/core/routes/effective.ts';
import { buildModel, generateFleet, mergeCooperations, toFleetFile } from './fleet-generator.ts';
import { createRng } from './rng.ts';
import { forEachLimited } from './for-each-limited.ts';

const OPERATOR = { email: 'bench-operator@example.test', password: 'bench-operator-password-1' };
const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Args = {
  database: 'sqlite' | 'pg';
  clients: number;
  warmup: number;
  duration: number;
  runs: number;
  maxRequests: number;
  rate: number;
  seed: number;
  scale: number;
  cpuProf: string;
};

type RunResult = { requests: number; errors: number; seconds: number; rps: number; p50: number; p90: number; p99: number; max: number; mean: number; serverCpu: number };

const args = parseArgs(process.argv.slice(2));
// main() runs at the end of the file, once the Client class below is initialised.

async function main(): Promise<void> {
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    while (cleanups.length > 0) await (cleanups.pop() as () => Promise<void>)().catch((e) => console.error('cleanup:', e));
  };
  const onSignal = (signal: NodeJS.Signals) => void cleanup().finally(() => process.kill(process.pid, signal));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await bench(cleanups);
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function bench(cleanups: Array<() => Promise<void>>): Promise<void> {
  // ---- fleet and the users we log in as ----
  let t = performance.now();
  const fleet = generateFleet({ seed: args.seed, scale: args.scale });
  const model = buildModel(fleet);
  const routeCount = new Map<UserId, number>();
  for (const user of fleet.users) routeCount.set(user.id, effectiveRoutes(model, user.id).length);
  const chosen = chooseUsers(fleet.users.map((u) => ({ id: u.id, email: u.email, routes: routeCount.get(u.id) ?? 0 })), args.clients, args.seed);
  const file = toFleetFile(fleet);
  const mergedCooperations = mergeCooperations(file);
  const wanted = new Set(chosen.map((u) => u.email));
  const passwords = new Map<string, string>();
  for (const u of file.users) {
    if (wanted.has(u.email)) passwords.set(u.email, u.password);
    else (u as { password?: string }).password = undefined;
  }
  const document = JSON.parse(JSON.stringify(file)) as unknown; // drops the undefined passwords
  const body = JSON.stringify({ document, dryRun: false });
  const prepareMs = performance.now() - t;

  // ---- database and server ----
  const dataDir = mkdtempSync(join(os.tmpdir(), 'plantgate-b8-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl: string | undefined;
  if (args.database === 'pg') {
    const { startTestPostgres } = await import('../test/support/postgres.ts');
    const pg = await startTestPostgres();
    cleanups.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  const server = await startServerProcess(dataDir, fleet.options.mappedSpace, databaseUrl, cleanups);
  const base = server.url;

  // ---- apply the fleet through the API ----
  const operatorToken = await login(base, OPERATOR.email, OPERATOR.password);
  t = performance.now();
  const applied = await request(base, 'POST', '/api/v1/admin/fleet', operatorToken, body);
  const applyMs = performance.now() - t;
  if (applied.status !== 200) throw new Error(`fleet apply failed (${applied.status}): ${applied.text.slice(0, 500)}`);
  const applyResult = JSON.parse(applied.text) as { changes: string[]; revision: number };

  // ---- log in as the chosen users (a few at a time: argon2 is deliberately slow) ----
  t = performance.now();
  const tokens: string[] = new Array(chosen.length);
  await forEachLimited(chosen, 4, async (u, i) => {
    tokens[i] = await login(base, u.email, passwords.get(u.email) as string);
  });
  const loginMs = performance.now() - t;
  const served: number[] = [];
  let responseBytes = 0;
  await forEachLimited(tokens, 8, async (token) => {
    const r = await request(base, 'GET', '/api/v1/vpn/routes', token);
    if (r.status !== 200) throw new Error(`GET /vpn/routes: ${r.status} ${r.text.slice(0, 200)}`);
    const n = (JSON.parse(r.text) as unknown[]).length;
    if (n === 0) throw new Error('a chosen user has no routes on the server');
    served.push(n);
    responseBytes += Buffer.byteLength(r.text);
  });
  served.sort((a, b) => a - b);

  // ---- load ----
  const clients = tokens.map((token) => new Client(base, token));
  cleanups.push(async () => {
    for (const c of clients) c.close();
  });
  console.error(`warm-up ${args.warmup} s with ${clients.length} clients …`);
  await runLoad(clients, args.warmup, Number.POSITIVE_INFINITY, server.pid);
  const runs: RunResult[] = [];
  for (let r = 0; r < args.runs; r++) {
    console.error(`run ${r + 1}/${args.runs}: ${args.duration} s …`);
    runs.push(await runLoad(clients, args.duration, args.maxRequests, server.pid));
  }
  const rssMiB = serverRssMiB(server.pid);

  // ---- report ----
  const med = (f: (r: RunResult) => number) => median(runs.map(f));
  const summary = {
    requestsPerSecond: med((r) => r.rps),
    p50Ms: med((r) => r.p50),
    p90Ms: med((r) => r.p90),
    p99Ms: med((r) => r.p99),
    maxMs: med((r) => r.max),
    errors: runs.reduce((s, r) => s + r.errors, 0),
  };
  const line = (label: string, value: string) => console.log(`${label.padEnd(44)} ${value}`);
  console.log(`\nB8 — GET /api/v1/vpn/routes, ${args.clients} concurrent keep-alive clients (${args.database}, scale ${args.scale}, seed ${args.seed})`);
  line('machine', `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}; load generator on the same machine`);
  line('mode', args.rate > 0 ? `paced: ${args.rate} req/s per client` : 'closed loop (next request when the answer arrives)');
  line('prepare fleet file (generator + choice)', `${fmt(prepareMs)} ms, body ${(body.length / 2 ** 20).toFixed(1)} MiB`);
  line('cooperations merged (one per org pair)', String(mergedCooperations));
  line('fleet apply through the API (wall)', `${fmt(applyMs)} ms (${applyResult.changes.length} changes, revision ${applyResult.revision})`);
  line('log in as users (argon2, 4 at a time)', `${fmt(loginMs)} ms for ${tokens.length}`);
  line('routes per chosen user (min/p50/p90/max)', `${served[0]} / ${pct(served, 50)} / ${pct(served, 90)} / ${served[served.length - 1]}`);
  line('mean response size', `${fmt(responseBytes / served.length / 1024)} KiB`);
  for (const [i, r] of runs.entries()) {
    line(
      `run ${i + 1} (${fmt(r.seconds)} s)`,
      `${fmt(r.rps)} req/s, p50 ${fmt(r.p50)} / p90 ${fmt(r.p90)} / p99 ${fmt(r.p99)} / max ${fmt(r.max)} ms, errors ${r.errors}, server CPU ${fmt(r.serverCpu * 100)}%`,
    );
  }
  line(`median of ${runs.length} runs`, `${fmt(summary.requestsPerSecond)} req/s, p50 ${fmt(summary.p50Ms)} / p90 ${fmt(summary.p90Ms)} / p99 ${fmt(summary.p99Ms)} / max ${fmt(summary.maxMs)} ms`);
  line('errors (all runs)', String(summary.errors));
  line('target p99 < 20 ms', summary.p99Ms < 20 ? 'met' : 'MISSED');
  line('server RSS after the runs', `${fmt(rssMiB)} MiB`);
  console.log(
    `RESULT ${JSON.stringify({
      bench: 'B8',
      database: args.database,
      scale: args.scale,
      seed: args.seed,
      clients: args.clients,
      rate: args.rate,
      applyMs: round(applyMs),
      mergedCooperations,
      loginMs: round(loginMs),
      routesPerUser: { min: served[0], p50: pct(served, 50), p90: pct(served, 90), max: served[served.length - 1] },
      summary: Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, round(v)])),
      runs: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
      serverRssMiB: round(rssMiB),
    })}`,
  );
}

/** A tenth of the clients from users with 100+ routes, the rest from users with 1–99 (as they come); deterministic. */
function chooseUsers(users: Array<{ id: UserId; email: string; routes: number }>, count: number, seed: number) {
  const rng = createRng(seed ^ 0xb8);
  const many = users.filter((u) => u.routes >= 100);
  const few = users.filter((u) => u.routes >= 1 && u.routes < 100);
  const take = <T>(from: T[], n: number): T[] => {
    const pool = [...from];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(rng.next() * pool.length), 1)[0] as T);
    return out;
  };
  const heavy = take(many, Math.round(count / 10));
  const light = take(few, count - heavy.length);
  if (heavy.length + light.length < count) throw new Error(`only ${heavy.length + light.length} users with routes to choose from`);
  return [...heavy, ...light];
}

// ---- the server process -------------------------------------------------------------

async function startServerProcess(dataDir: string, mappedSpace: string, databaseUrl: string | undefined, cleanups: Array<() => Promise<void>>) {
  const nodeArgs = args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', args.cpuProf] : [];
  const cliArgs = ['server', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--admin-email', OPERATOR.email, '--admin-password', OPERATOR.password, '--mapped-space', mappedSpace];
  if (databaseUrl) cliArgs.push('--database', databaseUrl);
  // process.execPath is the Node 24 this script runs on (npx node …).
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin/plantgate.js'), ...cliArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid as number;
  cleanups.push(() => stopProcess(child));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /plantgate control plane on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it listened:\n${output}`)));
  });
  // Keep draining its output (pino logs), keep only the last bit for errors.
  child.stdout?.removeAllListeners('data');
  child.stdout?.on('data', () => undefined);
  child.stderr?.removeAllListeners('data');
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk}`));
  return { url, pid };
}

/** SIGTERM to the server's PID (it closes and, with --cpu-prof, writes its profile), SIGKILL after 15 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid as number, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL');
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

function serverRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// ---- load ------------------------------------------------------------------------------

/** One client: one keep-alive connection (an Agent with a single socket), one token. */
class Client {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  readonly url: URL;
  readonly headers: Record<string, string>;
  constructor(base: string, token: string) {
    this.url = new URL('/api/v1/vpn/routes', base);
    this.headers = { authorization: `Bearer ${token}` };
  }
  get(): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(this.url, { agent: this.agent, headers: this.headers }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }
  close(): void {
    this.agent.destroy();
  }
}

async function runLoad(clients: Client[], seconds: number, maxPerClient: number, serverPid: number): Promise<RunResult> {
  const latencies: number[] = [];
  let errors = 0;
  const cpu0 = cpuSeconds(serverPid);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const interval = args.rate > 0 ? 1000 / args.rate : 0;
  await Promise.all(
    clients.map(async (client, i) => {
      // Paced clients start spread over one interval so they do not fire in step.
      let next = start + (interval * i) / clients.length;
      for (let n = 0; n < maxPerClient; n++) {
        if (interval > 0) {
          const wait = next - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          next += interval;
        }
        const t0 = performance.now();
        if (t0 >= deadline) break;
        try {
          const status = await client.get();
          if (status === 200) latencies.push(performance.now() - t0);
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu = (cpuSeconds(serverPid) - cpu0) / elapsed;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + errors,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: pct(latencies, 50),
    p90: pct(latencies, 90),
    p99: pct(latencies, 99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    mean: latencies.reduce((s, x) => s + x, 0) / (latencies.length || 1),
    serverCpu: cpu,
  };
}

// ---- small HTTP helpers for setup ----------------------------------------------------------

async function request(base: string, method: string, path: string, token?: string, body?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  return { status: response.status, text: await response.text() };
}

async function login(base: string, email: string, password: string): Promise<string> {
  const r = await request(base, 'POST', '/api/v1/auth/login', undefined, JSON.stringify({ email, password }));
  if (r.status !== 200) throw new Error(`login ${email} failed (${r.status}): ${r.text}`);
  return (JSON.parse(r.text) as { token: string }).token;
}

// ---- numbers and arguments -----------------------------------------------------------------

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function fmt(x: number): string {
  return x >= 100 ? x.toLocaleString('en-US', { maximumFractionDigits: 0 }) : x.toFixed(2);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { database: 'sqlite', clients: 200, warmup: 10, duration: 20, runs: 3, maxRequests: 1_000_000, rate: 0, seed: 1, scale: 1, cpuProf: '' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--database') {
      if (value !== 'sqlite' && value !== 'pg') throw new Error('--database: sqlite or pg');
      out.database = value;
    } else if (flag === '--cpu-prof') out.cpuProf = value;
    else {
      const key = ({ '--clients': 'clients', '--warmup': 'warmup', '--duration': 'duration', '--runs': 'runs', '--max-requests': 'maxRequests', '--rate': 'rate', '--seed': 'seed', '--scale': 'scale' } as const)[
        flag as '--clients'
      ];
      if (!key) throw new Error(`unknown option ${flag}`);
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: not a number`);
      out[key] = n;
    }
  }
  return out;
}

await main();
