/**
 * Issue 11 — OpenVPN certificate profiles (SPEC P9): connect time, revoke → cut, and
 * throughput through the gateway against WireGuard on the same path.
 *
 * The lab of test/e2e/openvpn-profile.test.ts (test/e2e/openvpn-profile-lab.ts): the real
 * `plantgate server`, `plantgate gateway` (its OpenVPN servers) and `plantgate agent` in
 * network namespaces; Debian's `openvpn` client with the `.ovpn` that
 * `plantgate vpn issue --type openvpn` wrote; a wireguard-go client (wg-quick style) with the
 * `.conf` of `plantgate vpn issue --type wireguard` for the comparison.
 *
 *   connect:   `openvpn --config FILE` started → "Initialization Sequence Completed" (CONNECTS times).
 *   revoke:    per trial a fresh profile is issued and connected; inside the user's namespace
 *              one process keeps a TCP echo flow to plant A's device (a message every
 *              INTERVAL ms) and calls POST /vpn/profile/revoke itself (one clock): t0 = just
 *              before the request; first dropped = sending of the first message never echoed;
 *              last through = arrival of the last echo. TRIALS trials, p50/p99.
 *   throughput: iperf3 from the user's namespace to plant A's device (mapped address) through
 *              gateway and agent: Alice over OpenVPN (UDP), Wes over WireGuard, alternating,
 *              ROUNDS rounds of SECONDS s each; medians.
 *
 * Run as root (all traffic stays inside namespaces it creates and removes):
 *   node bench/openvpn-profile.ts [--trials 30] [--connects 10] [--rounds 3] [--seconds 5] [--interval 5]
 * Prints a table, then `RESULT {json}`.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { WireGuardGoDriver } from '../src/os/wireguard/wireguard-go-driver.ts';
import { flowCut, parseFlow } from '../test/e2e/scenario-lab.ts';
import { startOpenVpnProfileLab } from '../test/e2e/openvpn-profile-lab.ts';
import { wgQuickUp } from '../test/e2e/wg-quick.ts';
import { quantile } from './b3-trials.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '30' },
    connects: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    interval: { type: 'string', default: '5' },
  },
});
const TRIALS = Number(values.trials);
const CONNECTS = Number(values.connects);
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const INTERVAL_MS = Number(values.interval);
const WARMUP_MS = 600;
const AFTER_MS = 1500;
if (!(TRIALS >= 1 && TRIALS <= 300 && CONNECTS >= 1 && CONNECTS <= 100 && ROUNDS >= 1 && ROUNDS <= 20 && SECONDS >= 1 && SECONDS <= 60 && INTERVAL_MS >= 1)) {
  throw new Error('--trials 1..300, --connects 1..100, --rounds 1..20, --seconds 1..60, --interval ≥ 1');
}
const FLOW = new URL('../test/e2e/fixtures/flow.ts', import.meta.url).pathname;

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN, min: sorted[0] ?? Number.NaN };
}
function median(values: number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

const l = await startOpenVpnProfileLab({ deviceLifetimeMs: 30 * 60_000, device: 'echo' });
process.once('SIGINT', () => void l.stop().then(() => process.kill(process.pid, 'SIGINT')));
const ns = (who: string) => l.ns[who] as string;
const failures: string[] = [];
const connectMs: number[] = [];
const cuts: Array<{ firstDropped: number; lastThrough: number; revokeAnswer: number }> = [];
const throughput = { openvpn: [] as number[], wireguard: [] as number[] };

try {
  // --- connect time: the same .ovpn, connected again and again
  const { file } = await l.issue('alice', 'issue');
  for (let i = 0; i < CONNECTS; i++) {
    connectMs.push(await l.connect('alice', file));
    await l.clients.alice?.stop();
  }
  console.log(`connect: ${connectMs.join(', ')} ms`);

  // --- throughput: Alice over OpenVPN, Wes over WireGuard, same gateway → agent → device path
  await l.connect('alice', file);
  const wg = await l.issue('wes', 'issue', 'wireguard');
  const wgName = l.lab.name('wgw');
  l.lab.trackWireGuardInterface(wgName);
  await wgQuickUp(l.lab, ns('wes'), wgName, readFileSync(wg.file, 'utf8'), new WireGuardGoDriver({ netns: ns('wes') }));
  await l.eventually('alice', `http://${l.mapped.A}/`, /^OK/, 15_000);
  await l.eventually('wes', `http://${l.mapped.A}/`, /^OK/, 15_000);
  const iperf = l.lab.startProcess(ns('lanA'), 'iperf3', ['-s', '-B', '192.168.1.10', '-p', '5201', '--forceflush']);
  await iperf.waitForLine(/Server listening/, 10_000);
  const measure = async (who: 'alice' | 'wes') => {
    const { stdout } = await l.lab.exec(ns(who), 'iperf3', ['-c', l.mapped.A, '-p', '5201', '-t', String(SECONDS), '-J', '--connect-timeout', '5000'], {
      timeoutMs: (SECONDS + 30) * 1000,
    });
    return (JSON.parse(stdout) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second / 1e6;
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [who, kind] of (round % 2 === 0 ? [['alice', 'openvpn'], ['wes', 'wireguard']] : [['wes', 'wireguard'], ['alice', 'openvpn']]) as Array<
      ['alice' | 'wes', 'openvpn' | 'wireguard']
    >) {
      const mbps = await measure(who);
      throughput[kind].push(mbps);
      console.log(`throughput round ${round + 1} ${kind}: ${mbps.toFixed(0)} Mbit/s`);
    }
  }
  await iperf.stop();
  await l.cli('alice', 'alice', ['vpn', 'revoke']);
  await l.clients.alice?.stop();

  // --- revoke → cut, a fresh profile per trial
  for (let trial = 1; trial <= TRIALS; trial++) {
    const issued = await l.issue('alice', 'issue');
    await l.connect('alice', issued.file);
    await l.eventually('alice', `http://${l.mapped.A}/`, /^OK/, 10_000);
    const api = l.apiOf('alice');
    const flow = l.lab.startProcess(ns('alice'), l.node, [FLOW, 'flow', l.mapped.A, '502', String(INTERVAL_MS), String(WARMUP_MS + 1000 + AFTER_MS), String(WARMUP_MS), api.server, api.token]);
    await flow.waitForLine(/^done/, WARMUP_MS + AFTER_MS + 15_000).catch(() => {});
    await flow.stop();
    await l.clients.alice?.stop();
    const sample = parseFlow(flow.output());
    const cut = flowCut(sample);
    if (sample.revoke?.status !== '200' || cut.lastReceivedAt === null || cut.firstLostSentAt === null) {
      failures.push(`trial ${trial}: incomplete (${JSON.stringify({ revoke: sample.revoke, ...cut, errors: sample.errors })})`);
      continue;
    }
    const t0 = sample.revoke.start;
    const late = [...sample.received.values()].filter((at) => at > t0 + 1000).length;
    if (late > 0) failures.push(`trial ${trial}: ${late} echoes later than 1 s after the revoke`);
    cuts.push({ firstDropped: cut.firstLostSentAt - t0, lastThrough: cut.lastReceivedAt - t0, revokeAnswer: sample.revoke.end - t0 });
    console.log(`trial ${String(trial).padStart(3)}: first dropped ${cut.firstLostSentAt - t0} ms, last through ${cut.lastReceivedAt - t0} ms`);
    await sleep(100);
  }
} finally {
  await l.stop();
}

const connect = summary(connectMs);
const firstDropped = summary(cuts.map((c) => c.firstDropped));
const lastThrough = summary(cuts.map((c) => c.lastThrough));
const revokeAnswer = summary(cuts.map((c) => c.revokeAnswer));
const tput = { openvpnMbps: Math.round(median(throughput.openvpn)), wireguardMbps: Math.round(median(throughput.wireguard)) };
console.log(`\n| figure | p50 | p99 | max | min | n |\n|---|---|---|---|---|---|`);
for (const [label, x] of [
  ['OpenVPN connect (start → Initialization Sequence Completed), ms', connect],
  ['revoke → first dropped message (sent), ms', firstDropped],
  ['revoke → last echo through (arrived), ms', lastThrough],
  ['revoke API answer, ms', revokeAnswer],
] as const) {
  console.log(`| ${label} | ${x.p50} | ${x.p99} | ${x.max} | ${x.min} | ${x.n} |`);
}
console.log(`\nthroughput through the gateway (median of ${ROUNDS} × ${SECONDS} s): OpenVPN (UDP) ${tput.openvpnMbps} Mbit/s, WireGuard ${tput.wireguardMbps} Mbit/s`);
console.log(`goal p99(first dropped) < 1000 ms: ${firstDropped.p99 < 1000 ? 'met' : 'NOT met'}`);
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(`RESULT ${JSON.stringify({ bench: 'openvpn-profile', connect, firstDropped, lastThrough, revokeAnswer, throughput: { ...tput, runs: throughput }, failures })}`);
process.exitCode = failures.length || firstDropped.p99 >= 1000 ? 1 : 0;
