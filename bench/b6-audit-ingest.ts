/**
 * B6 (issue 10) — flow ingest into the audit store through the real endpoint: a gateway
 * posts batches to POST /api/v1/gateways/:id/flows of a control plane in this process
 * (`startServer` on SQLite or PostgreSQL); each batch is validated, attributed (user by
 * tunnel IP, plant and device by mapped address), chained, checkpointed and committed.
 *
 *   node bench/b6-audit-ingest.ts [--database sqlite|pg] [--batches 20] [--batch 10000] [--parallel 2] [--runs 5] [--plants 50]
 *
 * Each run posts `--batches` batches of `--batch` records (by default MAX_BATCH_RECORDS: a
 * gateway's report window holds more than that at any rate above 170 flows/s, so under load
 * every batch it uploads is full), `--parallel` requests in flight,
 * from a worker thread (bench/b6-gateway-client.ts: the gateway's side, which is not the
 * server's work), and measures flows/s from the first request to the last acknowledgement. After all runs it
 * counts the stored rows: every record sent is stored exactly once (0 unreported loss), and
 * one batch sent again stores nothing. Prints `RESULT {json}` with the medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { formatIpv4 } from '../src/core/net/ipv4.ts';
import { MAX_BATCH_RECORDS } from '../src/core/wire/audit.ts';
import type { GatewayClientRun, GatewayClientSetup } from './b6-gateway-client.ts';
import { generateWireGuardKeyPair } from '../src/crypto/wireguard-keys.ts';
import { startServer } from '../src/server/main.ts';
import { commitGroupStats } from '../src/server/features/audit/commit-group.ts';

const OPERATOR = { email: 'bench-operator@example.test', password: 'bench-operator-password-1' };
export type AuditIngestOptions = { database: 'sqlite' | 'pg'; batches: number; batch: number; parallel: number; runs: number; plants: number };
export type AuditIngestSummary = AuditIngestOptions & {
  flowsPerSecond: number[];
  medianFlowsPerSecond: number;
  medianBatchMs: number;
  sent: number;
  stored: number;
  /** The first batch sent again was answered as a duplicate (and the count above includes the retry). */
  retryDuplicate: boolean;
  /** SQLite: batches per ingest transaction (commit-group.ts); null on PostgreSQL. */
  batchesPerCommit: number | null;
};

function batchesPerCommit(stats: { commits: number; batches: number } | null): number | null {
  return stats === null || stats.commits === 0 ? null : Math.round((stats.batches / stats.commits) * 100) / 100;
}

export async function auditIngest(args: AuditIngestOptions): Promise<AuditIngestSummary> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'plantgate-b6-'));
  let stopPg: (() => Promise<void>) | undefined;
  let database: string | undefined;
  if (args.database === 'pg') {
    const { startTestPostgres, createDatabase } = await import('../test/support/postgres.ts');
    const pg = await startTestPostgres();
    stopPg = pg.stop;
    database = await createDatabase(pg.url, `plantgate_b6_${process.pid}`);
  }
  const server = await startServer({ listen: '127.0.0.1:0', dataDir, database, adminEmail: OPERATOR.email, adminPassword: OPERATOR.password, quiet: true }, () => undefined);
  try {
    const op = client(server.url, await token(server.url, OPERATOR.email, OPERATOR.password));
    const users = ['ulla', 'udo', 'uwe', 'ute'].map((n) => ({ email: `${n}@bench.example`, name: n, password: `${n}-bench-password` }));
    const plants = Array.from({ length: args.plants }, (_, i) => ({
      name: `Bench Park ${i}`,
      subnets: [`10.${100 + Math.floor(i / 250)}.${i % 250}.0/24`],
      devices: Array.from({ length: 5 }, (_, d) => ({ name: `dev-${d}`, ip: `10.${100 + Math.floor(i / 250)}.${i % 250}.${10 + d}`, kind: 'plc', ports: [502] })),
    }));
    const document = {
      users,
      organizations: [
        {
          name: 'BenchCo',
          members: users.map((u) => ({ email: u.email, role: 'member' })),
          portfolios: [{ name: 'All', plants: plants.map((p) => p.name) }],
          plants,
          jobRoles: users.map((u) => ({ user: u.email, portfolio: 'All', role: 'operator' })),
          cooperations: [],
        },
      ],
    };
    must(await op('POST', '/api/v1/admin/fleet', { document }), 200, 'seed');
    must(await op('POST', '/api/v1/admin/regions', { name: 'bench', endpoint: 'vpn.bench.test:51820' }), 201, 'region');
    const enrolment = must(await op('POST', '/api/v1/admin/gateways/enrolments', { region: 'bench' }), 201, 'enrolment');
    const enrolled = must(await client(server.url, '')('POST', '/api/v1/enrol', { token: enrolment.token }), 201, 'enrol');
    for (const u of users) {
      must(await client(server.url, await token(server.url, u.email, u.password))('POST', '/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey }), 201, 'profile');
    }
    const model = await server.ctx.fleet.fresh();
    const tunnelIps = [...model.profiles.values()].map((p) => formatIpv4(p.tunnelIp));
    const mapped = [...model.subnets.values()].map((s) => s.mapped.start);
    const gateway = client(server.url, enrolled.credential);
    const path = `/api/v1/gateways/${enrolled.id}/flows`;

    const rates: number[] = [];
    const batchMs: number[] = [];
    let sent = 0;
    let firstBatch: string | undefined;
    const setup: GatewayClientSetup = { url: server.url, path, credential: enrolled.credential, tunnelIps, mapped, batch: args.batch, batches: args.batches, parallel: args.parallel };
    const worker = new Worker(new URL('./b6-gateway-client.ts', import.meta.url), { workerData: setup });
    try {
      for (let run = 0; run < args.runs; run++) {
        const answer = await new Promise<{ ok: boolean; result?: GatewayClientRun; error?: string }>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.postMessage({ run });
        });
        if (!answer.ok || answer.result === undefined) throw new Error(`gateway client: ${answer.error}`);
        firstBatch ??= answer.result.firstBody;
        sent += args.batches * args.batch;
        rates.push(answer.result.rate);
        batchMs.push(...answer.result.batchMs);
      }
    } finally {
      await worker.terminate();
    }
    const retry = must(await gateway('POST', path, firstBatch), 200, 'retry');
    const stored = await server.ctx.audit.store.db.selectFrom('audit_flows').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return {
      ...args,
      flowsPerSecond: rates,
      medianFlowsPerSecond: median(rates),
      medianBatchMs: Math.round(median(batchMs)),
      sent,
      stored: Number(stored.n),
      retryDuplicate: retry.duplicate === true,
      batchesPerCommit: batchesPerCommit(commitGroupStats(server.ctx.audit.store)),
    };
  } finally {
    await server.close();
    await stopPg?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

function client(base: string, bearer: string): Call {
  return async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

async function token(base: string, email: string, password: string): Promise<string> {
  const r = must(await client(base, '')('POST', '/api/v1/auth/login', { email, password }), 200, `login ${email}`);
  return r.token as string;
}

function must(r: { status: number; body: any }, status: number, what: string): any {
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
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
  const summary = await auditIngest({
    database: arg('database', 'sqlite') as 'sqlite' | 'pg',
    batches: Number(arg('batches', '20')),
    batch: Number(arg('batch', String(MAX_BATCH_RECORDS))),
    parallel: Number(arg('parallel', '2')),
    runs: Number(arg('runs', '5')),
    plants: Number(arg('plants', '50')),
  });
  console.log(`RESULT ${JSON.stringify(summary)}`);
}
