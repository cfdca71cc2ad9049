/**
 * Issue 9 — outgoing OpenVPN direct VPN: `create` → first packet through the tunnel, and
 * `disable` → tunnel down, over UDP and TCP.
 *
 * The lab of the e2e test (test/e2e/openvpn-router-lab.ts: network namespaces, the real
 * `plantgate server`, `gateway` and `agent`, a plant router running real `openvpn` 2.6 servers
 * with a LAN device behind it). Per run and transport:
 *   create  — from starting `plantgate site-vpn create … --config FILE --subnet 10.40.0.0/24`
 *             until an HTTP/TCP probe from the user's wireguard-go client answers from the
 *             router's LAN device through its mapped address (includes the user's `vpn
 *             refresh`, the agent's long-poll, openvpn start, TLS handshake and route check);
 *   disable — from starting `site-vpn disable` until a fresh probe (500 ms timeout, polled
 *             every 100 ms) fails, and until the agent's openvpn process is gone.
 * Then the direct VPN is deleted (its subnet leaves the plant) and the next run starts.
 *
 * Run as root (all traffic stays inside the namespaces it makes):
 *   npx node bench/direct-vpn-openvpn-timing.ts [--runs 5]
 * Prints a table, then `RESULT {json}`.
 */
import { parseArgs } from 'node:util';
import { OpenVpnRouterLab, SERVERS } from '../test/e2e/openvpn-router-lab.ts';
import { sleep } from '../test/e2e/scenario-lab.ts';
import { PLANT_A } from '../test/e2e/scenario-fleet.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs: 1 to 50');

export type Timing = { createMs: number; cutMs: number; processGoneMs: number };

export async function measure(o: OpenVpnRouterLab, transport: 'udp' | 'tcp', run: number): Promise<Timing> {
  const name = `Bench ${transport} ${run}`;
  const started = Date.now();
  await o.create(name, SERVERS[transport], []);
  const host = await o.mappedDevice();
  const answer = await o.s.waitForAnswer(o.alice, host, 'router-lan', 60_000);
  if (answer !== 'router-lan') throw new Error(`${name}: no answer through the tunnel (${answer})`);
  const createMs = Date.now() - started;
  const disabled = Date.now();
  await o.s.as(o.olga, ['site-vpn', 'disable', name, '--plant', PLANT_A]);
  let cutMs = -1;
  let processGoneMs = -1;
  while (Date.now() - disabled < 30_000 && (cutMs < 0 || processGoneMs < 0)) {
    if (cutMs < 0 && (await o.s.whoAnswers(o.alice, host, 500)) === 'none') cutMs = Date.now() - disabled;
    if (processGoneMs < 0 && o.agentOpenVpnPids().length === 0) processGoneMs = Date.now() - disabled;
    await sleep(100);
  }
  if (cutMs < 0 || processGoneMs < 0) throw new Error(`${name}: still up 30 s after disable`);
  await o.remove(name);
  return { createMs, cutMs, processGoneMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : Math.round(((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2);
}

const o = new OpenVpnRouterLab();
try {
  await o.build();
  const results: Record<'udp' | 'tcp', Timing[]> = { udp: [], tcp: [] };
  for (let run = 1; run <= runs; run++) {
    for (const transport of ['udp', 'tcp'] as const) results[transport].push(await measure(o, transport, run));
  }
  const row = (label: string, list: number[]) => `| ${label} | ${list.join(' / ')} | **${median(list)} ms** |`;
  const lines = ['| | runs (ms) | median |', '|---|---|---|'];
  for (const transport of ['udp', 'tcp'] as const) {
    const list = results[transport];
    lines.push(row(`${transport.toUpperCase()} create → first packet through`, list.map((t) => t.createMs)));
    lines.push(row(`${transport.toUpperCase()} disable → cut`, list.map((t) => t.cutMs)));
    lines.push(row(`${transport.toUpperCase()} disable → openvpn gone`, list.map((t) => t.processGoneMs)));
  }
  console.log(lines.join('\n'));
  console.log(`RESULT ${JSON.stringify(results)}`);
} finally {
  await o.cleanup();
}
