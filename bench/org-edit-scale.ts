/**
 * Issue 8 — one organization self-service change at fleet scale, through the real control
 * plane over HTTP (in this process: `startServer` on SQLite or PostgreSQL).
 *
 *   node bench/org-edit-scale.ts [--users 10000] [--runs 7] [--seed 1] [--database sqlite|pg]
 *
 * Seeds a generated fleet (B1 proportions: `--users` users, users/2 plants) with
 * `admin apply`, then `--runs` times each, as a platform operator acting in one organization:
 *  - POST /orgs/:org/job-roles (one job role, alternately operator and viewer): the scoped
 *    fleet edit (export of the organization, validation, apply, route fan-out);
 *  - POST then DELETE a subnet of one plant (mapped-prefix allocation, structural reload);
 *  - GET /orgs/:org/plants (the plant list with devices and agents).
 * Prints one line `RESULT {json}` with the medians (ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server/main.ts';
import { generateFleet, mergeCooperations, toFleetFile } from './fleet-generator.ts';

const OPERATOR = { email: 'bench-operator@example.test', password: 'bench-operator-password-1' };
export type OrgEditScaleOptions = { users: number; runs: number; seed: number; database: 'sqlite' | 'pg' };
export type OrgEditSummary = { users: number; grantJobRoleMedianMs: number; addSubnetMedianMs: number; removeSubnetMedianMs: number; listPlantsMedianMs: number; plantsInOrg: number };

export async function orgEditScale(args: OrgEditScaleOptions): Promise<OrgEditSummary> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'plantgate-orgedit-'));
  let stopPg: (() => Promise<void>) | undefined;
  let database: string | undefined;
  if (args.database === 'pg') {
    const { startTestPostgres } = await import('../test/support/postgres.ts');
    const pg = await startTestPostgres();
    stopPg = pg.stop;
    database = pg.url;
  }
  const fleet = generateFleet({ seed: args.seed, users: args.users, plants: args.users / 2, organizations: Math.max(6, Math.round(args.users / 200)), cooperations: args.users / 20 });
  const file = toFleetFile(fleet);
  mergeCooperations(file);
  // Passwords would cost an argon2 hash each; the operator acts.
  for (const u of file.users) (u as { password?: string }).password = undefined;
  const server = await startServer(
    { listen: '127.0.0.1:0', dataDir, database, adminEmail: OPERATOR.email, adminPassword: OPERATOR.password, mappedSpace: fleet.options.mappedSpace, quiet: true },
    () => undefined,
  );
  try {
    const call = client(server.url, await token(server.url));
    const seeded = await call('POST', '/api/v1/admin/fleet', { document: file });
    if (seeded.status !== 200) throw new Error(`seed: ${seeded.status} ${JSON.stringify(seeded.body).slice(0, 300)}`);
    // The organization with the most plants, one of its members and one of its plants.
    const org = [...file.organizations].sort((a, b) => b.plants.length - a.plants.length)[0] as (typeof file.organizations)[number];
    const member = org.members.find((m) => m.role !== 'guest')?.email as string;
    const plant = org.plants[0]?.name as string;
    const base = `/api/v1/orgs/${encodeURIComponent(org.name)}`;
    const grant: number[] = [];
    const add: number[] = [];
    const remove: number[] = [];
    const list: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      grant.push(await timed(call, 'POST', `${base}/job-roles`, { user: member, plant, role: i % 2 ? 'viewer' : 'operator' }, 201));
      const cidr = `172.31.${i % 250}.0/24`;
      add.push(await timed(call, 'POST', `${base}/plants/${encodeURIComponent(plant)}/subnets`, { cidr }, 201));
      remove.push(await timed(call, 'DELETE', `${base}/plants/${encodeURIComponent(plant)}/subnets/${encodeURIComponent(cidr)}`, undefined, 200));
      list.push(await timed(call, 'GET', `${base}/plants`, undefined, 200));
    }
    return {
      users: args.users,
      grantJobRoleMedianMs: median(grant),
      addSubnetMedianMs: median(add),
      removeSubnetMedianMs: median(remove),
      listPlantsMedianMs: median(list),
      plantsInOrg: org.plants.length,
    };
  } finally {
    await server.close();
    await stopPg?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

function client(base: string, bearer: string): Call {
  return async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
}

async function token(base: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OPERATOR) });
  return ((await r.json()) as { token: string }).token;
}

async function timed(call: Call, method: string, path: string, body: unknown, want: number): Promise<number> {
  const started = performance.now();
  const r = await call(method, path, body);
  const ms = performance.now() - started;
  if (r.status !== want) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return Math.round(ms * 10) / 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

if (import.meta.main) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] as string) : fallback;
  };
  const summary = await orgEditScale({
    users: Number(arg('users', '10000')),
    runs: Number(arg('runs', '7')),
    seed: Number(arg('seed', '1')),
    database: arg('database', 'sqlite') as 'sqlite' | 'pg',
  });
  console.log(`RESULT ${JSON.stringify(summary)}`);
}
