/**
 * Issue 12 figure — organization VPN: plant removal → cut and client removal → cut of an
 * established TCP flow (SPEC O1 items 6 and 8, the P3 bound).
 *
 * The organization VPN lab of test/e2e (network namespaces; the real `plantgate server`,
 * `plantgate gateway`, two `plantgate agent`s; an office router running wireguard-go with
 * the site config `plantgate org-vpn client add --out` wrote — or, with `--protocol openvpn`,
 * the real `openvpn` client with the site's show-once `.ovpn` against the gateway's OpenVPN
 * servers — and a host behind it). Per trial:
 *   1. Plant A is routed through the VPN and the site client is connected (re-added and the
 *      router's tunnel brought up again after a client trial), the host reaches plant A;
 *   2. inside the host's namespace one process opens a TCP connection to plant A's mapped
 *      device (:502 echo), sends a small message every INTERVAL ms, and after WARMUP ms
 *      sends the change itself (one clock for both): `DELETE …/org-vpns/office/plants/Plant A`
 *      (kind "plant") or `DELETE …/org-vpns/office/clients/<site>` (kind "client");
 *   3. from its log: t0 = just before the request is sent;
 *        first-dropped = sending of the first message that never got an echo − t0
 *        last-through  = arrival of the last echo − t0
 * Reports p50/p90/p99/max per kind over TRIALS trials each; goal p99(first-dropped) < 1 s.
 *
 * Run as root (it creates network namespaces; all traffic stays inside them):
 *   npx node bench/org-vpn-cut.ts [--trials 30] [--interval 5] [--warmup 600] [--protocol wireguard|openvpn]
 * Prints a table, then `RESULT {json}`.
 */
import { parseArgs } from 'node:util';
import { assertNetnsCapable } from '../test/e2e/netns.ts';
import { OrgVpnLab, VPN_PATH } from '../test/e2e/org-vpn-lab.ts';
import { PLANT_A } from '../test/e2e/scenario-fleet.ts';
import { flowCut, parseFlow, sleep } from '../test/e2e/scenario-lab.ts';
import { summary } from './b3-trials.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '30' },
    interval: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '600' },
    protocol: { type: 'string', default: 'wireguard' },
  },
});
const TRIALS = Number(values.trials);
const INTERVAL_MS = Number(values.interval);
const WARMUP_MS = Number(values.warmup);
const AFTER_MS = 1500;
const PROTOCOL = values.protocol;
if (PROTOCOL !== 'wireguard' && PROTOCOL !== 'openvpn') throw new Error('--protocol wireguard|openvpn');
if (!(TRIALS >= 1 && TRIALS <= 500 && INTERVAL_MS >= 1 && WARMUP_MS >= 100)) throw new Error('--trials 1..500, --interval ≥ 1, --warmup ≥ 100');


type Kind = 'plant' | 'client';
type Trial = { kind: Kind; trial: number; firstDropped: number; lastThrough: number; request: number; echoesBefore: number; lateEchoes: number };

await assertNetnsCapable();
const o = new OrgVpnLab({ protocol: PROTOCOL });
process.once('SIGINT', () => void o.cleanup().then(() => process.kill(process.pid, 'SIGINT')));
const trials: Trial[] = [];
const failures: string[] = [];
try {
  const setupStarted = Date.now();
  await o.start();
  console.log(`setup ${Date.now() - setupStarted} ms; ${PROTOCOL}; ${TRIALS} trials per kind, a message every ${INTERVAL_MS} ms, change after ${WARMUP_MS} ms`);
  let site = 'hq';
  let sites = 1;
  let plantIn = true;
  for (let trial = 1; trial <= TRIALS * 2; trial++) {
    const kind: Kind = trial % 2 === 1 ? 'plant' : 'client';
    if (!plantIn) {
      await o.olga(['org-vpn', 'plant', 'add', 'office', PLANT_A, '--org', 'SolarCo']);
      plantIn = true;
    }
    const ready = await o.s.waitForAnswer(o.host, o.mapped.A, 'plant-A', 15_000);
    if (ready !== 'plant-A') throw new Error(`trial ${trial}: plant A does not answer before the change (${ready})`);
    const path = kind === 'plant' ? `${VPN_PATH}/plants/${encodeURIComponent(PLANT_A)}` : `${VPN_PATH}/clients/${site}`;
    const flow = o.flowWithChange(o.mapped.A, WARMUP_MS, path, WARMUP_MS + 1000 + AFTER_MS, INTERVAL_MS);
    await flow.waitForLine(/^done/, WARMUP_MS + AFTER_MS + 15_000).catch(() => {});
    await flow.stop();
    const sample = parseFlow(flow.output());
    const cut = flowCut(sample);
    if (kind === 'plant') plantIn = false;
    else {
      site = `hq-${++sites}`;
      await o.connectSite(site);
    }
    if (sample.request?.status !== '200' || cut.lastReceivedAt === null || cut.firstLostSentAt === null) {
      failures.push(`${kind} trial ${trial}: incomplete (${JSON.stringify({ request: sample.request, ...cut, errors: sample.errors })})`);
      continue;
    }
    const t0 = sample.request.start;
    const result: Trial = {
      kind,
      trial,
      firstDropped: cut.firstLostSentAt - t0,
      lastThrough: cut.lastReceivedAt - t0,
      request: sample.request.end - t0,
      echoesBefore: [...sample.received.values()].filter((at) => at < t0).length,
      lateEchoes: [...sample.received.values()].filter((at) => at > t0 + 1000).length,
    };
    trials.push(result);
    if (result.echoesBefore < 10) failures.push(`${kind} trial ${trial}: only ${result.echoesBefore} echoes before the change`);
    if (result.lateEchoes > 0) failures.push(`${kind} trial ${trial}: ${result.lateEchoes} echoes later than 1 s after the change`);
    console.log(
      `${kind.padEnd(6)} trial ${String(trial).padStart(3)}: first dropped ${String(result.firstDropped).padStart(5)} ms, last through ${String(result.lastThrough).padStart(5)} ms, API answer ${String(result.request).padStart(5)} ms, ${result.echoesBefore} echoes before`,
    );
    await sleep(100);
  }
} finally {
  await o.cleanup();
}

const byKind = (kind: Kind) => trials.filter((t) => t.kind === kind);
const report: Record<string, unknown> = {};
console.log('\n| ms after the request was sent | n | p50 | p90 | p99 | max | min |\n|---|---|---|---|---|---|---|');
for (const kind of ['plant', 'client'] as const) {
  const label = kind === 'plant' ? 'plant removal' : 'client removal';
  const firstDropped = summary(byKind(kind).map((t) => t.firstDropped));
  const lastThrough = summary(byKind(kind).map((t) => t.lastThrough));
  const request = summary(byKind(kind).map((t) => t.request));
  for (const [what, x] of [['first dropped message (sent)', firstDropped], ['last echo through (arrived)', lastThrough], ['API answer', request]] as const) {
    console.log(`| ${label}: ${what} | ${x.n} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.min} |`);
  }
  report[kind] = { firstDropped, lastThrough, request };
  if (!(firstDropped.p99 < 1000)) failures.push(`${label}: p99(first dropped) ${firstDropped.p99} ms is not < 1000 ms`);
}
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(`RESULT ${JSON.stringify({ bench: 'org-vpn-cut', protocol: PROTOCOL, trialsPerKind: TRIALS, intervalMs: INTERVAL_MS, ...report, failures })}`);
process.exitCode = failures.length ? 1 : 0;
