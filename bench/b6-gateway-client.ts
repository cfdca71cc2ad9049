/**
 * B6's gateway side, in a worker thread: builds the flow batches a gateway would send and
 * posts them to the control plane's ingest endpoint, `parallel` requests in flight. It runs
 * beside the server's thread, as gateways run on their own machines: the server's event loop
 * does only the server's work.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { formatIpv4 } from '../src/core/net/ipv4.ts';

export type GatewayClientSetup = { url: string; path: string; credential: string; tunnelIps: string[]; mapped: number[]; batch: number; batches: number; parallel: number };
export type GatewayClientRun = { rate: number; batchMs: number[]; firstBody: string };

const setup = workerData as GatewayClientSetup;
let recordNo = 0;

function makeBatch(id: string): string {
  const now = Date.now();
  const records = Array.from({ length: setup.batch }, () => {
    const n = recordNo++;
    return {
      id: `r${n}`,
      tunnelIp: setup.tunnelIps[n % setup.tunnelIps.length],
      destinationIp: formatIpv4((setup.mapped[n % setup.mapped.length] as number) + 10 + (n % 5)),
      protocol: n % 7 === 0 ? 'udp' : 'tcp',
      port: n % 3 === 0 ? 80 : 502,
      connections: 1 + (n % 4),
      bytesIn: 1000 + (n % 9000),
      bytesOut: 200 + (n % 700),
      firstSeen: new Date(now - 60_000).toISOString(),
      lastSeen: new Date(now).toISOString(),
      session: `s${n % 16}`,
    };
  });
  return JSON.stringify({ batchId: id, records, gaps: [] });
}

async function post(body: string): Promise<{ status: number; body: { stored?: number } }> {
  const response = await fetch(`${setup.url}${setup.path}`, { method: 'POST', headers: { authorization: `Bearer ${setup.credential}`, 'content-type': 'application/json' }, body });
  return { status: response.status, body: (await response.json()) as { stored?: number } };
}

async function run(run: number): Promise<GatewayClientRun> {
  // Bodies are built before the clock starts: the figure is the server's ingest, not the generator.
  const bodies = Array.from({ length: setup.batches }, (_, b) => makeBatch(`run${run}-b${b}`));
  const batchMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: setup.parallel }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const t = performance.now();
        const ack = await post(body);
        batchMs.push(performance.now() - t);
        if (ack.status !== 200 || ack.body.stored !== setup.batch) throw new Error(`a batch stored ${ack.body.stored} of ${setup.batch}: ${ack.status} ${JSON.stringify(ack.body)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: Math.round((setup.batches * setup.batch) / seconds), batchMs, firstBody: bodies[0] as string };
}

parentPort?.on('message', (message: { run: number }) => {
  run(message.run).then(
    (result) => parentPort?.postMessage({ ok: true, result }),
    (error: Error) => parentPort?.postMessage({ ok: false, error: error.message }),
  );
});
