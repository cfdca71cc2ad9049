/**
 * R5 (issue 10) — kill -9 of the control plane during flow ingest: nothing lost, nothing
 * duplicated. The real `plantgate server` runs as a child process (SQLite); the gateway's
 * own upload path — FlowSpool on a spool directory with the HTTP gateway client the gateway
 * daemon uses (src/gateway/flow-spool.ts, src/daemon/http-control-plane.ts) — spools and
 * uploads batches continuously. Each cycle SIGKILLs the server at a random moment while
 * uploads are in flight, keeps spooling while it is down, starts it again on the same data
 * directory and port, and waits until the spool is empty. Then it reads the cycle's new
 * records through the export endpoint: every record id sent is stored exactly once (0 lost,
 * 0 duplicated), and the plant's chain verifies (`GET …/verify`, what `plantgate audit verify` calls).
 *
 *   node bench/r5-control-plane-kill.ts [--cycles 100] [--batches 12] [--batch 300]
 *
 * Prints one line per cycle and `RESULT {json}`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import type { FlowBatch, FlowBatchAck } from '../src/core/wire/audit.ts';
import { generateWireGuardKeyPair } from '../src/crypto/wireguard-keys.ts';
import { httpGatewayControlPlane } from '../src/daemon/http-control-plane.ts';
import { memoryLogger } from '../src/daemon/log.ts';
import { DirectorySpoolFiles, FlowSpool } from '../src/daemon/flow-spool.ts';
import { baseFleet } from '../test/api/fleet-fixture.ts';
import { type ServerProcess, startServerProcess } from '../test/support/server-process.ts';

const OPERATOR = { email: 'r5-operator@example.test', password: 'r5-operator-password-1' };

export type R5Options = { cycles: number; batches: number; batch: number };
export type R5Summary = R5Options & {
  sent: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** Cycles whose kill hit while at least one upload was in flight. */
  killsDuringUpload: number;
  verified: boolean;
  verifiedRecords: number;
  /** Per cycle: ms from the kill until the spool was empty again. */
  medianRecoveryMs: number;
  maxRecoveryMs: number;
  seconds: number;
};

type Client = { get(path: string): Promise<any>; post(path: string, body: unknown): Promise<any> };
function client(base: () => string, token?: string): Client {
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base()}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b) };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function r5ControlPlaneKill(options: R5Options, progress: (line: string) => void = () => undefined): Promise<R5Summary> {
  const work = mkdtempSync(join(os.tmpdir(), 'plantgate-r5-'));
  const dataDir = join(work, 'server');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const start = () =>
    startServerProcess({
      dataDir,
      args: ['--listen', `127.0.0.1:${port}`, '--admin-email', OPERATOR.email, '--admin-password', OPERATOR.password, '--log-level', 'warn'],
      readyTimeoutMs: 60_000,
    });
  let server: ServerProcess = await start();
  const started = Date.now();
  let spool: FlowSpool | null = null;
  try {
    const login = async (email: string, password: string) => (await client(() => url).post('/api/v1/auth/login', { email, password })).token as string;
    const op = client(() => url, await login(OPERATOR.email, OPERATOR.password));
    await op.post('/api/v1/admin/fleet', { document: baseFleet() });
    await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' });
    const token = (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).token as string;
    const gateway = (await client(() => url).post('/api/v1/enrol', { token })) as { id: string; credential: string };
    const carol = client(() => url, await login('carol@windserv.example', 'carol-password'));
    const profile = await carol.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey });
    const tunnelIp = profile.profile.tunnelIp as string;
    const routes = (await carol.get('/api/v1/vpn/routes')) as Array<{ plant: string; mapped: string }>;
    const mapped = routes.find((r) => r.plant === 'Park A')?.mapped.split('/')[0] as string;
    const device = mapped.replace(/\.\d+$/, '.17');
    const alice = client(() => url, await login('alice@solarco.example', 'alice-password'));

    // The gateway's own upload path: its spool directory, its HTTP client (short timeout: a killed server answers nothing).
    const api = httpGatewayControlPlane(url, gateway.id, gateway.credential, { timeoutMs: 5000 });
    let inFlight = 0;
    const upload = async (batch: FlowBatch): Promise<FlowBatchAck> => {
      inFlight++;
      try {
        return await (api.flows as (b: FlowBatch) => Promise<FlowBatchAck>)(batch);
      } finally {
        inFlight--;
      }
    };
    spool = new FlowSpool({ daemonId: gateway.id, files: new DirectorySpoolFiles(join(work, 'spool')), upload, now: Date.now, random: Math.random, log: memoryLogger() });

    let sent = 0;
    let stored = 0;
    let lost = 0;
    let duplicated = 0;
    let killsDuringUpload = 0;
    let lastSeq = 0;
    let verifiedRecords = 0;
    let verified = true;
    const recoveries: number[] = [];
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const ids = new Set<string>();
      const addBatch = async (b: number) => {
        const now = new Date().toISOString();
        const records = Array.from({ length: options.batch }, (_, i) => {
          const id = `r5-${cycle}-${b}-${i}`;
          ids.add(id);
          return { id, tunnelIp, destinationIp: device, protocol: 'tcp', port: 502, connections: 1, bytesIn: 100 + i, bytesOut: 10, firstSeen: now, lastSeen: now, session: null };
        });
        await spool?.add(records, []);
        spool?.kick();
      };
      // Spool and upload; SIGKILL the server at a random moment in the middle of it.
      const killAfter = Math.floor(options.batches / 3) + Math.floor(Math.random() * Math.max(1, Math.floor(options.batches / 3)));
      let b = 0;
      for (; b < killAfter; b++) {
        await addBatch(b);
        await sleep(15);
      }
      // Wait (bounded) for an upload to be in flight, so the kill lands during ingest.
      for (let i = 0; i < 200 && inFlight === 0; i++) await sleep(1);
      const duringUpload = inFlight > 0;
      if (duringUpload) killsDuringUpload++;
      const killedAt = Date.now();
      const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
      server.child.kill('SIGKILL');
      await exited;
      // Keep capturing while it is down; then start it again on the same data directory and port.
      for (; b < options.batches; b++) await addBatch(b);
      server = await start();
      spool.kick();
      const deadline = Date.now() + 120_000;
      while ((await spool.pending()) > 0) {
        if (Date.now() > deadline) throw new Error(`cycle ${cycle}: the spool did not drain within 120 s`);
        await sleep(20);
      }
      recoveries.push(Date.now() - killedAt);
      sent += ids.size;

      // This cycle's new records, by their ids: each exactly once.
      const seen = new Map<string, number>();
      for (let cursor: string | null = String(lastSeq); cursor !== null; ) {
        const page = (await alice.get(`/api/v1/audit/plants/Park%20A/export?cursor=${cursor}&limit=10000`)) as { records: Array<{ recordId: string; seq: number }>; next: string | null };
        for (const r of page.records) {
          seen.set(r.recordId, (seen.get(r.recordId) ?? 0) + 1);
          lastSeq = r.seq;
        }
        cursor = page.next;
      }
      const cycleLost = [...ids].filter((id) => !seen.has(id)).length;
      const cycleDup = [...seen.values()].reduce((sum, n) => sum + (n - 1), 0) + [...seen.keys()].filter((id) => !ids.has(id)).length;
      stored += [...seen.values()].reduce((a, n) => a + n, 0);
      lost += cycleLost;
      duplicated += cycleDup;
      const verdict = (await alice.get('/api/v1/audit/plants/Park%20A/verify')) as { ok: boolean; records?: number; problem?: string };
      if (!verdict.ok) verified = false;
      verifiedRecords = verdict.records ?? verifiedRecords;
      progress(`cycle ${cycle}: sent ${ids.size}, lost ${cycleLost}, duplicated ${cycleDup}, kill during upload ${duringUpload ? 'yes' : 'no'}, recovered in ${recoveries.at(-1)} ms, verify ${verdict.ok ? `ok (${verdict.records} records)` : `FAILED: ${verdict.problem}`}`);
    }
    const sorted = [...recoveries].sort((a, b) => a - b);
    return {
      ...options,
      sent,
      stored,
      lost,
      duplicated,
      killsDuringUpload,
      verified,
      verifiedRecords,
      medianRecoveryMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
      maxRecoveryMs: sorted.at(-1) ?? 0,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await spool?.stop(0);
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] as string) : fallback;
  };
  const options = { cycles: Number(arg('cycles', '100')), batches: Number(arg('batches', '12')), batch: Number(arg('batch', '300')) };
  const summary = await r5ControlPlaneKill(options, (line) => console.log(line));
  console.log(`RESULT ${JSON.stringify({ ...summary, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) })}`);
  if (summary.lost > 0 || summary.duplicated > 0 || !summary.verified) process.exitCode = 1;
}
