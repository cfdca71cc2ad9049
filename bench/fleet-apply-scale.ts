/**
 * Issue 6 — fleet apply at scale and the wire size of one change, through the real
 * control plane over HTTP (in this process: `startServer`, SQLite or PostgreSQL).
 *
 *   node bench/fleet-apply-scale.ts [--scale 1] [--runs 5] [--seed 1] [--database sqlite|pg] [--users N]
 *
 * Seeds the B1-size fleet (10,000 users × scale, 5,000 plants, 500 cooperations) through
 * `POST /api/v1/admin/fleet`, gives every user an active profile (one fleet write through
 * FleetState, as many issues would), enrols a gateway that long-polls with `delta=1`, then:
 *  - `--runs` times: `admin apply` of the same file with ONE job role changed (alternately
 *    to viewer and back): the request's wall time, the delta the gateway receives (bytes)
 *    and the time from the request's start to the gateway holding the delta;
 *  - `--runs` times: one user revokes their profile: the delta's bytes (target < 10 kB).
 * Prints a table and one line `RESULT {json}`; medians over the runs.
 * `BENCH_PROFILE=out.cpuprofile` writes a CPU profile of the job-role applies only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import { join } from 'node:path';
import type { ProfileId, UserId } from '../src/core/model.ts';
import { formatIpv4 } from '../src/core/net/ipv4.ts';
import { generateWireGuardKeyPair } from '../src/crypto/wireguard-keys.ts';
import { startServer } from '../src/server/main.ts';
import { type FleetFile, generateFleet, mergeCooperations, toFleetFile } from './fleet-generator.ts';

const OPERATOR = { email: 'bench-operator@example.test', password: 'bench-operator-password-1' };
/** `users` (with plants, organizations and cooperations in B1's proportions) overrides `scale` for small fleets. */
export type FleetApplyScaleOptions = { scale: number; runs: number; seed: number; database: 'sqlite' | 'pg'; users?: number; quiet?: boolean };

export async function fleetApplyScale(args: FleetApplyScaleOptions): Promise<Summary> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'plantgate-apply-'));
  let stopPg: (() => Promise<void>) | undefined;
  let database: string | undefined;
  if (args.database === 'pg') {
    const { startTestPostgres } = await import('../test/support/postgres.ts');
    const pg = await startTestPostgres();
    stopPg = pg.stop;
    database = pg.url;
  }
  const size = args.users
    ? { users: args.users, plants: args.users / 2, organizations: Math.max(6, Math.round(args.users / 200)), cooperations: args.users / 20 }
    : {};
  const fleet = generateFleet({ seed: args.seed, scale: args.scale, ...size });
  const file = toFleetFile(fleet);
  mergeCooperations(file);
  // Passwords would cost an argon2 hash each: only the user who revokes gets one.
  const revoker = pickRevoker(file);
  for (const u of file.users) if (u.email !== revoker.email) (u as { password?: string }).password = undefined;
  (revoker as { password?: string }).password = 'revoker-password-1';
  const server = await startServer(
    {
      listen: '127.0.0.1:0',
      dataDir,
      database,
      adminEmail: OPERATOR.email,
      adminPassword: OPERATOR.password,
      mappedSpace: fleet.options.mappedSpace,
      quiet: true,
    },
    () => undefined,
  );
  try {
    return await run(args, server.url, server.ctx, file, revoker.email);
  } finally {
    await server.close();
    await stopPg?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Summary = Record<string, number | number[]> & {
  applyOneJobRoleMedianMs: number;
  revokeWireBytesMedian: number;
  revokeDeltaBytesMedian: number;
  jobRoleDeltaBytesMedian: number;
  fullDocumentBytes: number;
};

async function run(
  args: FleetApplyScaleOptions,
  base: string,
  ctx: Awaited<ReturnType<typeof startServer>>['ctx'],
  file: FleetFile,
  revokerEmail: string,
): Promise<Summary> {
  const op = client(base, await login(base, OPERATOR.email, OPERATOR.password));
  let t = performance.now();
  const seeded = await op('POST', '/api/v1/admin/fleet', { document: JSON.parse(JSON.stringify(file)) });
  if (seeded.status !== 200) throw new Error(`seeding apply: ${seeded.status} ${seeded.text.slice(0, 400)}`);
  const seedMs = performance.now() - t;
  await op('POST', '/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' });

  t = performance.now();
  const users = await ctx.store.db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', '!=', OPERATOR.email)
    .where('email', '!=', revokerEmail)
    .execute();
  const now = new Date().toISOString();
  const rows = users.map((u, i) => {
    const ip = ctx.addressing.firstUserIp + i;
    return {
      id: randomUUID(),
      user_id: u.id,
      kind: 'wireguard',
      public_key: randomBytes(32).toString('base64'),
      tunnel_ip: formatIpv4(ip),
      tunnel_ip_num: ip,
      status: 'active' as const,
      created_at: now,
      rotated_at: null,
      revoked_at: null,
    };
  });
  await ctx.fleet.write(
    async (trx) => {
      for (let i = 0; i < rows.length; i += 200)
        await trx
          .insertInto('profiles')
          .values(rows.slice(i, i + 200))
          .execute();
    },
    (model) => {
      for (const r of rows)
        model.setProfile(r.user_id as UserId, { id: r.id as ProfileId, userId: r.user_id as UserId, publicKey: r.public_key, tunnelIp: r.tunnel_ip_num });
      return rows.map((r) => r.user_id as UserId);
    },
  );
  const profilesMs = performance.now() - t;

  const enrolment = await op('POST', '/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
  const enrolled = JSON.parse((await client(base)('POST', '/api/v1/enrol', { token: JSON.parse(enrolment.text).token })).text);
  const gw = client(base, enrolled.credential);
  const statePath = (after?: number) => `/api/v1/gateways/${enrolled.id}/state?delta=1${after === undefined ? '' : `&after=${after}&wait=30`}`;
  t = performance.now();
  const full = await gw('GET', statePath());
  const fullMs = performance.now() - t;
  let revision = JSON.parse(full.text).state.revision as number;
  const fullBytes = Buffer.byteLength(full.text);
  const fullState = JSON.parse(full.text).state;

  // ---- one job role changed, --runs times ----
  // A job role whose change moves routes (another role or a portfolio may cover the same plant).
  const candidates = file.organizations.flatMap((org) => org.jobRoles.filter((jr) => jr.role === 'operator' && 'plant' in jr));
  let target = candidates[0] as (typeof candidates)[number];
  for (const jr of candidates.slice(0, 20)) {
    target = jr;
    jr.role = 'viewer';
    const waiting = gw('GET', statePath(revision));
    await op('POST', '/api/v1/admin/fleet', { document: file });
    const delta = JSON.parse((await waiting).text);
    revision = delta.revision;
    jr.role = 'operator';
    const back = gw('GET', statePath(revision));
    await op('POST', '/api/v1/admin/fleet', { document: file });
    revision = JSON.parse((await back).text).revision;
    if (delta.allowed.remove.length > 0) break;
  }
  const originalRole = target.role;
  const applies: Array<{ applyMs: number; applyCpuMs: number; toDeltaMs: number; deltaBytes: number; changes: number }> = [];
  const profiler = process.env.BENCH_PROFILE ? await startProfile() : null;
  for (let r = 0; r < args.runs; r++) {
    target.role = target.role === originalRole ? 'viewer' : originalRole;
    const waiting = gw('GET', statePath(revision)).then((res) => ({ res, at: performance.now() }));
    await sleep(50);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const applied = await op('POST', '/api/v1/admin/fleet', { document: file });
    const applyMs = performance.now() - started;
    // Server and client share this process: its CPU time during the request is the apply's cost, whatever the machine's load.
    const used = process.cpuUsage(cpu);
    const applyCpuMs = (used.user + used.system) / 1000;
    if (applied.status !== 200) throw new Error(`apply: ${applied.status} ${applied.text.slice(0, 400)}`);
    const { res, at } = await waiting;
    const delta = JSON.parse(res.text);
    if (delta.kind !== 'delta') throw new Error(`expected a delta, got ${delta.kind}`);
    revision = delta.revision;
    applies.push({ applyMs, applyCpuMs, toDeltaMs: at - started, deltaBytes: Buffer.byteLength(res.text), changes: JSON.parse(applied.text).changes.length });
  }

  if (profiler) await profiler(process.env.BENCH_PROFILE as string);

  // ---- one revoke, --runs times (re-issued between) ----
  const revoker = client(base, await login(base, revokerEmail, 'revoker-password-1'));
  let revokedPairs = 0;
  const revokes: Array<{ deltaBytes: number; wireBytes: number; toDeltaMs: number }> = [];
  for (let r = 0; r < args.runs; r++) {
    const issued = await revoker('POST', '/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey });
    if (issued.status !== 201) throw new Error(`issue: ${issued.status} ${issued.text}`);
    const issuedDelta = JSON.parse((await gw('GET', statePath(revision))).text);
    revision = issuedDelta.revision;
    revokedPairs = issuedDelta.allowed.add.length;
    const waiting = gw('GET', statePath(revision)).then((res) => ({ res, at: performance.now() }));
    await sleep(50);
    const started = performance.now();
    await revoker('POST', '/api/v1/vpn/profile/revoke', {});
    const { res, at } = await waiting;
    const delta = JSON.parse(res.text);
    revision = delta.revision;
    if (delta.kind !== 'delta' || delta.peers.remove.length !== 1) throw new Error(`expected the revoke as a delta, got ${res.text.slice(0, 200)}`);
    revokes.push({ deltaBytes: Buffer.byteLength(res.text), wireBytes: res.wireBytes, toDeltaMs: at - started });
  }

  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
  const summary = {
    users: file.users.length,
    peers: fullState.peers.length,
    allowed: fullState.allowed.length,
    native: fullState.native.length,
    seedApplyMs: Math.round(seedMs),
    profilesWriteMs: Math.round(profilesMs),
    fullDocumentBytes: fullBytes,
    fullDocumentMs: Math.round(fullMs),
    applyOneJobRoleMedianMs: Math.round(med(applies.map((a) => a.applyMs))),
    applyOneJobRoleCpuMedianMs: Math.round(med(applies.map((a) => a.applyCpuMs))),
    applyToDeltaMedianMs: Math.round(med(applies.map((a) => a.toDeltaMs))),
    jobRoleDeltaBytesMedian: med(applies.map((a) => a.deltaBytes)),
    revokeDeltaBytesMedian: med(revokes.map((r) => r.deltaBytes)),
    revokeWireBytesMedian: med(revokes.map((r) => r.wireBytes)),
    revokedUserAllowedPairs: revokedPairs,
    revokeToDeltaMedianMs: Math.round(med(revokes.map((r) => r.toDeltaMs))),
    load: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
  if (args.quiet) return summary;
  const line = (label: string, value: string) => console.log(`${label.padEnd(48)} ${value}`);
  console.log(`\nFleet apply at scale (${args.database}, scale ${args.scale}, seed ${args.seed}, ${args.runs} runs)`);
  line('fleet', `${summary.users} users, ${summary.peers} peers, ${summary.allowed} allowed pairs, ${summary.native} native entries`);
  line('seeding apply (everything new)', `${summary.seedApplyMs} ms`);
  line('profiles for every user (one write)', `${summary.profilesWriteMs} ms`);
  line('full document', `${(fullBytes / 2 ** 20).toFixed(1)} MiB in ${summary.fullDocumentMs} ms`);
  for (const [i, a] of applies.entries())
    line(
      `apply #${i + 1} (${a.changes} change)`,
      `${Math.round(a.applyMs)} ms (CPU ${Math.round(a.applyCpuMs)} ms); delta ${a.deltaBytes} B at ${Math.round(a.toDeltaMs)} ms`,
    );
  line('apply of one job role change: median', `${summary.applyOneJobRoleMedianMs} ms wall (target < 2000), ${summary.applyOneJobRoleCpuMedianMs} ms CPU`);
  line(
    'revoke → delta at the gateway: median',
    `${summary.revokeWireBytesMedian} B on the wire (gzip; target < 10 kB), ${summary.revokeDeltaBytesMedian} B JSON, ${summary.revokeToDeltaMedianMs} ms`,
  );
  line('  the revoked user had', `${revokedPairs} allowed pairs`);
  line('load average', summary.load.join(' '));
  console.log(
    `RESULT ${JSON.stringify({ bench: 'fleet-apply-scale', database: args.database, scale: args.scale, seed: args.seed, runs: args.runs, ...summary, applies, revokes })}`,
  );
  return summary;
}

function pickRevoker(file: FleetFile): FleetFile['users'][number] {
  const withRoles = new Map<string, number>();
  for (const org of file.organizations)
    for (const jr of org.jobRoles) if (jr.role === 'operator' || jr.role === 'technical-manager') withRoles.set(jr.user, (withRoles.get(jr.user) ?? 0) + 1);
  const [email] = [...withRoles].sort((a, b) => b[1] - a[1])[Math.min(50, withRoles.size - 1)] as [string, number];
  return file.users.find((u) => u.email === email) as FleetFile['users'][number];
}

/** One connection per request (no keep-alive): server and client share this process's event loop, and a reused idle socket can race the server's keep-alive timeout when the loop is busy for seconds. */
function client(base: string, token?: string) {
  return (method: string, path: string, body?: unknown): Promise<{ status: number; text: string; wireBytes: number }> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        `${base}${path}`,
        {
          method,
          agent: false,
          headers: {
            'accept-encoding': 'gzip',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(data !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const bodyBytes = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
            resolve({ status: res.statusCode ?? 0, text: bodyBytes.toString('utf8'), wireBytes: raw.length });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
}

async function login(base: string, email: string, password: string): Promise<string> {
  const r = await client(base)('POST', '/api/v1/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
  return JSON.parse(r.text).token as string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function parseArgs(argv: string[]): FleetApplyScaleOptions {
  const out = { scale: 1, runs: 5, seed: 1, database: 'sqlite' as 'sqlite' | 'pg' };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--scale') out.scale = Number(v);
    else if (k === '--runs') out.runs = Number(v);
    else if (k === '--seed') out.seed = Number(v);
    else if (k === '--users') (out as FleetApplyScaleOptions).users = Number(v);
    else if (k === '--database' && (v === 'sqlite' || v === 'pg')) out.database = v;
    else throw new Error(`unknown argument ${k} ${v ?? ''}`);
  }
  return out;
}

if (import.meta.main) await fleetApplyScale(parseArgs(process.argv.slice(2)));

/** BENCH_PROFILE=file.cpuprofile: a CPU profile of the job-role applies only (not the seeding). */
async function startProfile(): Promise<(path: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (path) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  };
}
