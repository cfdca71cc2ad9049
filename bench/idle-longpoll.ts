/**
 * Idle cost (issue 6): N daemons long-poll one control-plane replica while nothing
 * changes. How many database queries per second does the replica make (goal: 0), and
 * how much CPU does it burn?
 *
 *   npx node bench/idle-longpoll.ts [--database sqlite|pg] [--daemons 5000] [--gateways 10]
 *        [--users 10000] [--wait 25] [--warmup 30] [--window 60] [--runs 3] [--no-profiles]
 *
 * The server is the real one (`plantgate server` as a child process on 127.0.0.1); the
 * daemons are simulated — this is a load generator — but with real credentials: each is
 * enrolled through the API (operator: POST /admin/{agents,gateways}/enrolments; daemon:
 * POST /enrol, then POST …/register with a fresh public key), as `plantgate agent` /
 * `plantgate gateway` do at first start. Then every daemon holds a keep-alive long-poll:
 * GET /{agents,gateways}/:id/state once without `after`, then `?after=<its revision>&wait=W`
 * over and over (gateways add `delta=1` when the server answers delta messages).
 * The fleet: bench/fleet-generator.ts with --users users and users/2 plants (one agent
 * per plant, so --users ≥ 2 × agents), and, unless --no-profiles, an active profile for
 * every user (seeded into the database while the server is stopped, bench/b3-seed-db.ts),
 * so a gateway's full document has B1 size.
 * Measured over --runs windows of --window s, after --warmup s:
 *   - database queries/s: the server's own counter (GET /metrics,
 *     plantgate_db_queries_total) when it has one; on PostgreSQL also the database's
 *     transactions (pg_stat_database xact_commit + xact_rollback, minus this script's own);
 *   - the server's CPU: utime + stime from /proc over the window (share of one core);
 *   - long-poll answers/s and MiB/s the daemons received.
 * Every loop is bounded by the run's deadline; the server is stopped by its PID.
 * Prints a table, then `RESULT {json}`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateWireGuardKeyPair } from '../src/crypto/wireguard-keys.ts';
import { startTestPostgres } from '../test/support/postgres.ts';
import { type ServerProcess, processCpuSeconds, processRssMiB, startServerProcess } from '../test/support/server-process.ts';
import { seedDatabase } from './b3-seed-db.ts';
import { generateFleet, mergeCooperations, toFleetFile } from './fleet-generator.ts';
import { forEachLimited } from './for-each-limited.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'sqlite' },
    daemons: { type: 'string', default: '5000' },
    gateways: { type: 'string', default: '10' },
    users: { type: 'string', default: '10000' },
    wait: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '30' },
    window: { type: 'string', default: '60' },
    runs: { type: 'string', default: '3' },
    'no-profiles': { type: 'boolean', default: false },
  },
});
const DAEMONS = Number(values.daemons);
const GATEWAYS = Number(values.gateways);
const AGENTS = DAEMONS - GATEWAYS;
const USERS = Number(values.users);
const WAIT_S = Number(values.wait);
const WARMUP_S = Number(values.warmup);
const WINDOW_S = Number(values.window);
const RUNS = Number(values.runs);
const DATABASE = values.database;
if (DATABASE !== 'sqlite' && DATABASE !== 'pg') throw new Error('--database sqlite or pg');
if (!(GATEWAYS >= 0 && AGENTS >= 0 && DAEMONS <= 20_000)) throw new Error('--daemons ≤ 20000, --gateways ≤ --daemons');
if (!(USERS >= 2 * AGENTS)) throw new Error(`--users must be ≥ 2 × agents (${2 * AGENTS}): one agent per plant, users/2 plants`);
if (!(WAIT_S >= 1 && WAIT_S <= 60 && WINDOW_S >= 5 && WINDOW_S <= 600 && RUNS >= 1 && RUNS <= 10 && WARMUP_S >= 0 && WARMUP_S <= 600)) throw new Error('--wait 1..60, --window 5..600, --runs 1..10, --warmup 0..600');

const OPERATOR = { email: 'idle-operator@example.test', password: 'idle-operator-password-1' };
const REGION = 'idle';
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

type Answer = { status: number; text: string };
function request(base: string, method: string, path: string, token?: string, body?: unknown, timeoutMs = 120_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      new URL(path, base),
      { method, agent, timeout: timeoutMs, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${path}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function must(base: string, method: string, path: string, token?: string, body?: unknown): Promise<unknown> {
  const r = await request(base, method, path, token, body);
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.text ? JSON.parse(r.text) : undefined;
}

type Daemon = { kind: 'gateway' | 'agent'; id: string; credential: string; revision: number | null; answers: number; bytes: number; errors: number };

/** A daemon's revision from its answer; a gateway's full document is large, so only its head is read. */
function revisionOf(text: string): number {
  const m = /"revision":(\d+)/.exec(text.length > 65_536 ? text.slice(0, 65_536) : text) ?? /"revision":(\d+)/.exec(text);
  if (!m) throw new Error(`no revision in the answer: ${text.slice(0, 200)}`);
  return Number(m[1]);
}

/** Long-polls until `deadline`; answers only count once the daemon has its first state. */
async function pollLoop(base: string, d: Daemon, deadline: () => number, useDelta: boolean): Promise<void> {
  while (Date.now() < deadline()) {
    const query = d.revision === null ? '' : `?after=${d.revision}&wait=${WAIT_S}${useDelta && d.kind === 'gateway' ? '&delta=1' : ''}`;
    try {
      const r = await request(base, 'GET', `/api/v1/${d.kind}s/${d.id}/state${query}`, d.credential, undefined, (WAIT_S + 60) * 1000);
      if (r.status !== 200) throw new Error(`${r.status} ${r.text.slice(0, 200)}`);
      d.revision = revisionOf(r.text);
      d.answers++;
      d.bytes += r.text.length;
    } catch {
      d.errors++;
      if (Date.now() < deadline()) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** The sum of a metric's samples on the server's GET /metrics (null: no such metric, or no endpoint). */
async function serverMetric(base: string, name: string): Promise<number | null> {
  const r = await request(base, 'GET', '/metrics').catch(() => null);
  if (r?.status !== 200) return null;
  const samples = [...r.text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)$`, 'gm'))].map((m) => Number(m[1]));
  return samples.length ? samples.reduce((a, b) => a + b, 0) : null;
}
const dbQueries = (base: string) => serverMetric(base, 'plantgate_db_queries_total');

const cleanups: Array<() => Promise<void>> = [];
const cleanup = async () => {
  agent.destroy();
  while (cleanups.length) await (cleanups.pop() as () => Promise<void>)().catch((e) => console.error('cleanup:', e));
};
process.once('SIGINT', () => void cleanup().finally(() => process.kill(process.pid, 'SIGINT')));

type Window = { seconds: number; waiting: number | null; queriesTotal: number | null; queriesPerSecond: number | null; pgXactPerSecond: number | null; cpuShare: number; answersPerSecond: number; mibPerSecond: number; errors: number };
const windows: Window[] = [];
const setup: Record<string, number> = {};
const running: { server: ServerProcess | null } = { server: null };
let rssMiB = Number.NaN;
let useDelta = false;
let pgStat: (() => Promise<number>) | null = null;
try {
  const timed = async <T>(label: string, task: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const out = await task();
    setup[label] = Date.now() - t;
    console.error(`setup: ${label} ${setup[label]} ms`);
    return out;
  };
  const fleet = generateFleet({ seed: 1, scale: 1, users: USERS, plants: Math.round(USERS / 2), organizations: Math.max(2, Math.round(USERS / 200)), cooperations: Math.round(USERS / 20) });
  const file = toFleetFile(fleet);
  mergeCooperations(file);
  const document = { users: file.users.map((u) => ({ email: u.email, name: u.name })), organizations: file.organizations };
  const plants = file.organizations.flatMap((o) => o.plants.map((p) => `${o.name}/${p.name}`));

  const dataDir = mkdtempSync(join(os.tmpdir(), 'plantgate-idle-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl = `sqlite:${join(dataDir, 'plantgate.db')}`;
  if (DATABASE === 'pg') {
    const pg = await startTestPostgres();
    cleanups.push(() => pg.stop());
    databaseUrl = pg.url;
    const { default: pgModule } = await import('pg');
    const client = new pgModule.Client({ connectionString: pg.url });
    await client.connect();
    cleanups.push(() => client.end());
    pgStat = async () => {
      const row = await client.query('select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()');
      return Number(row.rows[0].n);
    };
  }
  const serverArgs = ['--admin-email', OPERATOR.email, '--admin-password', OPERATOR.password, '--mapped-space', fleet.options.mappedSpace, '--database', databaseUrl];
  const start = async () => {
    const server = await startServerProcess({ dataDir, args: serverArgs, readyTimeoutMs: 600_000 });
    running.server = server;
    cleanups.push(() => server.stop());
    return server;
  };
  let base = (await timed('server start', start)).url;
  let token = ((await must(base, 'POST', '/api/v1/auth/login', undefined, OPERATOR)) as { token: string }).token;
  await must(base, 'POST', '/api/v1/admin/regions', token, { name: REGION, endpoint: '192.0.2.1:51820' });
  await timed('fleet apply', () => must(base, 'POST', '/api/v1/admin/fleet', token, { document, dryRun: false }));
  if (!values['no-profiles']) {
    await running.server?.stop();
    const seeded = await timed('seed profiles', () => seedDatabase({ databaseUrl, skipEmails: [], skipPlants: [], agentShare: 0 }));
    console.error(`seeded ${JSON.stringify(seeded)}`);
    base = (await timed('server restart', start)).url;
    token = ((await must(base, 'POST', '/api/v1/auth/login', undefined, OPERATOR)) as { token: string }).token;
  }

  // ---- enrolment, as the daemons do it at first start ----
  const daemons: Daemon[] = [];
  const targets = [...Array.from({ length: GATEWAYS }, () => ({ kind: 'gateway' as const, plant: '' })), ...plants.slice(0, AGENTS).map((plant) => ({ kind: 'agent' as const, plant }))];
  await timed(`enrol ${targets.length} daemons`, () =>
    forEachLimited(targets, 8, async (target, i) => {
      const created = (await must(base, 'POST', `/api/v1/admin/${target.kind}s/enrolments`, token, target.kind === 'gateway' ? { region: REGION } : { plant: target.plant })) as { token: string };
      const enrolled = (await must(base, 'POST', '/api/v1/enrol', undefined, { token: created.token, name: `idle-${target.kind}-${i}` })) as { id: string; credential: string };
      const key = generateWireGuardKeyPair().publicKey;
      const registration = target.kind === 'gateway' ? { sitePublicKey: key, siteEndpoint: `192.0.2.${(i % 250) + 2}:51821` } : { publicKey: key };
      await must(base, 'POST', `/api/v1/${target.kind}s/${enrolled.id}/register`, enrolled.credential, registration);
      daemons.push({ kind: target.kind, id: enrolled.id, credential: enrolled.credential, revision: null, answers: 0, bytes: 0, errors: 0 });
    }),
  );

  // ---- the long-polls ----
  const probe = daemons.find((d) => d.kind === 'gateway');
  if (probe) {
    const r = await request(base, 'GET', `/api/v1/gateways/${probe.id}/state?after=0&wait=0&delta=1`, probe.credential);
    useDelta = r.status === 200 && /^\{"kind":"(full|delta)"/.test(r.text.slice(0, 20));
  }
  const endAt = Date.now() + (WARMUP_S + RUNS * WINDOW_S + 600) * 1000;
  let stopAt = endAt;
  const loops: Array<Promise<void>> = [];
  // Ramp up: 250 daemons every 250 ms, as a fleet does not (re)start in one millisecond.
  await timed('first fetch of every daemon', async () => {
    for (let i = 0; i < daemons.length; i += 250) {
      for (const d of daemons.slice(i, i + 250)) loops.push(pollLoop(base, d, () => stopAt, useDelta));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const deadline = Date.now() + 600_000;
    while (daemons.some((d) => d.revision === null) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
  });
  console.error(`all ${daemons.length} daemons long-poll (gateways with delta=1: ${useDelta}); warm-up ${WARMUP_S} s`);
  await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));

  const pid = (running.server as ServerProcess).pid;
  for (let run = 1; run <= RUNS; run++) {
    const totals = () => daemons.reduce((acc, d) => ({ answers: acc.answers + d.answers, bytes: acc.bytes + d.bytes, errors: acc.errors + d.errors }), { answers: 0, bytes: 0, errors: 0 });
    const waiting = await serverMetric(base, 'plantgate_longpoll_waiters');
    const q0 = await dbQueries(base);
    const x0 = pgStat ? await pgStat() : null;
    const c0 = processCpuSeconds(pid);
    const a0 = totals();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000));
    const seconds = (performance.now() - t0) / 1000;
    const c1 = processCpuSeconds(pid);
    const a1 = totals();
    const x1 = pgStat ? await pgStat() : null;
    const q1 = await dbQueries(base);
    const w: Window = {
      seconds,
      waiting,
      // The counter's total, so a flat 0/s is seen to come from a counter that counts.
      queriesTotal: q1,
      queriesPerSecond: q0 !== null && q1 !== null ? (q1 - q0) / seconds : null,
      // Our own two pg_stat reads are transactions too.
      pgXactPerSecond: x0 !== null && x1 !== null ? Math.max(0, x1 - x0 - 1) / seconds : null,
      cpuShare: (c1 - c0) / seconds,
      answersPerSecond: (a1.answers - a0.answers) / seconds,
      mibPerSecond: (a1.bytes - a0.bytes) / seconds / 2 ** 20,
      errors: a1.errors - a0.errors,
    };
    windows.push(w);
    console.error(`window ${run}/${RUNS}: ${JSON.stringify(w)}`);
  }
  rssMiB = processRssMiB(pid);
  stopAt = 0;
  agent.destroy();
  await Promise.race([Promise.allSettled(loops), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
} catch (error) {
  console.error(error);
  if (running.server) console.error(running.server.output().slice(-3000));
  process.exitCode = 1;
} finally {
  await cleanup();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const med = (f: (w: Window) => number | null) => {
  const xs = windows.map(f).filter((x): x is number => x !== null);
  return xs.length ? Math.round(median(xs) * 100) / 100 : null;
};
const result = {
  bench: 'idle-longpoll',
  database: DATABASE,
  daemons: DAEMONS,
  gateways: GATEWAYS,
  agents: AGENTS,
  users: USERS,
  profiles: !values['no-profiles'],
  waitSeconds: WAIT_S,
  gatewaysUseDelta: useDelta,
  windows: windows.length,
  windowSeconds: WINDOW_S,
  dbQueriesPerSecond: med((w) => w.queriesPerSecond),
  pgTransactionsPerSecond: med((w) => w.pgXactPerSecond),
  serverCpuShareOfOneCore: med((w) => w.cpuShare),
  longPollAnswersPerSecond: med((w) => w.answersPerSecond),
  waitingAtWindowStart: med((w) => w.waiting),
  dbQueriesTotalAtEnd: windows.at(-1)?.queriesTotal ?? null,
  mibPerSecond: med((w) => w.mibPerSecond),
  errors: windows.reduce((n, w) => n + w.errors, 0),
  serverRssMiB: Math.round(rssMiB),
  setupMs: setup,
  loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
};
const line = (label: string, value: unknown) => console.log(`${label.padEnd(44)} ${value ?? 'n/a (no counter)'}`);
console.log(`\nidle cost: ${DAEMONS} daemons (${GATEWAYS} gateways, ${AGENTS} agents) long-polling one replica (${DATABASE}), wait ${WAIT_S} s, median of ${windows.length} × ${WINDOW_S} s`);
line('database queries/s (server counter)', result.dbQueriesPerSecond);
line('database queries since start (server counter)', result.dbQueriesTotalAtEnd);
if (DATABASE === 'pg') line('PostgreSQL transactions/s (pg_stat_database)', result.pgTransactionsPerSecond);
line('server CPU (share of one core)', result.serverCpuShareOfOneCore);
line('long-poll answers/s', result.longPollAnswersPerSecond);
line('long-polls waiting on the server (its gauge)', result.waitingAtWindowStart);
line('MiB/s sent to the daemons', result.mibPerSecond);
line('errors', result.errors);
line('server RSS', `${result.serverRssMiB} MiB`);
console.log(`RESULT ${JSON.stringify(result)}`);
