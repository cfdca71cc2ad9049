import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dnsPacket from 'dns-packet';
import { generateWireGuardKeyPair } from '../src/crypto/wireguard-keys.ts';
import { startServer } from '../src/server/main.ts';

/**
 * Issue 11 figure: answers per second of the built-in DNS responder (`plantgate server
 * --service-name … --dns-listen …`), through the real code path: a real control plane
 * on SQLite with `regions` regions of one registered gateway each, the responder on a
 * loopback UDP port, and a load generator in a child process (so it does not share the
 * server's event loop) keeping `inFlight` A queries with EDNS client subnets outstanding
 * for `seconds`. Median over `runs`.
 *
 *   node bench/dns-responder.ts [--runs 5] [--seconds 5] [--in-flight 64] [--regions 4]
 */

export type DnsBenchOptions = { runs: number; seconds: number; inFlight: number; regions: number };
export type DnsBenchResult = { answersPerSecond: number[]; medianAnswersPerSecond: number; lostPerRun: number[]; load: number[] };

const NAME = 'vpn.bench.test';
/** Client subnets from a few countries, so the ordering (geo-IP) is part of every answer. */
const SUBNETS = ['217.0.0.0', '3.5.0.0', '80.0.0.0', '2.16.0.0', '62.0.0.0'];
const GATEWAY_ADDRESSES = ['194.25.0.1', '12.0.0.1', '80.0.0.1', '2.16.0.1', '62.0.0.1', '193.0.0.1', '8.8.8.8', '3.5.0.1'];

export async function benchDnsResponder(options: DnsBenchOptions): Promise<DnsBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plantgate-dns-bench-'));
  const server = await startServer(
    { listen: '127.0.0.1:0', dataDir, adminEmail: 'op@bench.test', adminPassword: 'bench-password-1', quiet: true, logLevel: 'silent', serviceName: NAME, dnsListen: '127.0.0.1:0' },
    () => undefined,
  );
  try {
    await seedRegions(server.url, options.regions);
    const answersPerSecond: number[] = [];
    const lostPerRun: number[] = [];
    const load: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const result = await runClient(server.dns?.udpPort as number, options.seconds, options.inFlight, options.regions);
      if (result.badAnswers > 0) throw new Error(`${result.badAnswers} answers did not carry ${options.regions} addresses`);
      answersPerSecond.push(Math.round(result.answers / options.seconds));
      lostPerRun.push(result.lost);
      load.push(loadavg()[0] as number);
    }
    const sorted = [...answersPerSecond].sort((a, b) => a - b);
    return { answersPerSecond, medianAnswersPerSecond: sorted[Math.floor(sorted.length / 2)] as number, lostPerRun, load };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function seedRegions(base: string, count: number): Promise<void> {
  const call = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, string>;
  };
  const { token } = await call('/auth/login', { email: 'op@bench.test', password: 'bench-password-1' });
  for (let i = 0; i < count; i++) {
    const address = GATEWAY_ADDRESSES[i % GATEWAY_ADDRESSES.length] as string;
    const region = `r${i}`;
    await call('/admin/regions', { name: region, endpoint: `${address}:51820` }, token);
    const enrolment = await call('/admin/gateways/enrolments', { region }, token);
    const enrolled = await call('/enrol', { token: enrolment.token });
    await call(`/gateways/${enrolled.id}/register`, { sitePublicKey: generateWireGuardKeyPair().publicKey, siteEndpoint: `${address}:51821` }, enrolled.credential);
  }
}

type ClientResult = { answers: number; lost: number; badAnswers: number };

function runClient(port: number, seconds: number, inFlight: number, regions: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--client', String(port), String(seconds), String(inFlight), String(regions)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as ClientResult));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
  });
}

/** The load generator: `inFlight` queries outstanding, each answer sends the next; a query unanswered for 1 s counts as lost and is replaced. */
async function client(port: number, seconds: number, inFlight: number, regions: number | null): Promise<ClientResult> {
  const socket = createSocket('udp4');
  const pending = new Map<number, number>();
  let answers = 0;
  let lost = 0;
  let badAnswers = 0;
  let nextId = 0;
  const until = Date.now() + seconds * 1000;
  const send = () => {
    nextId = (nextId + 1) % 65536;
    const subnet = SUBNETS[nextId % SUBNETS.length] as string;
    const query = dnsPacket.encode({
      type: 'query',
      id: nextId,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: 'A', name: NAME, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: subnet }] } as unknown as dnsPacket.Answer],
    });
    pending.set(nextId, Date.now());
    socket.send(query, port, '127.0.0.1');
  };
  await new Promise<void>((resolve) => {
    socket.on('message', (message) => {
      const packet = dnsPacket.decode(message);
      if (!pending.delete(packet.id ?? -1)) return;
      answers++;
      if (regions !== null && (packet.answers?.length ?? 0) !== regions) badAnswers++;
      if (Date.now() < until) send();
      else if (pending.size === 0) resolve();
    });
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [id, sent] of pending) {
        if (now - sent < 1000) continue;
        pending.delete(id);
        lost++;
        if (now < until) send();
      }
      if (now >= until + 1000) {
        clearInterval(sweep);
        resolve();
      }
    }, 200);
    for (let i = 0; i < inFlight; i++) send();
  });
  socket.close();
  return { answers, lost, badAnswers };
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.main) {
  if (process.argv[2] === '--client') {
    const [port, seconds, inFlight, regions] = process.argv.slice(3, 7).map(Number) as [number, number, number, number];
    const result = await client(port, seconds, inFlight, regions);
    process.send?.(result);
    process.disconnect?.();
  } else {
    const options = { runs: flag('--runs', 5), seconds: flag('--seconds', 5), inFlight: flag('--in-flight', 64), regions: flag('--regions', 4) };
    const result = await benchDnsResponder(options);
    console.log(JSON.stringify({ ...options, ...result, at: new Date().toISOString() }));
  }
}
