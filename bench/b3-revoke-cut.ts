/**
 * B3 — revoke → first dropped packet of an established TCP flow (issue 3, SPEC P3).
 *
 * The scenario harness of test/e2e (network namespaces; the real `plantgate server`,
 * `plantgate gateway` and `plantgate agent`; a wireguard-go client fed with the file
 * `plantgate vpn issue` wrote). Per trial:
 *   1. `plantgate vpn issue --out FILE` in the user's namespace, wg-quick-like client up;
 *   2. inside the user's namespace one process opens a TCP connection to plant A's device
 *      (mapped address, :502 echo), sends a small message every INTERVAL ms, and after
 *      WARMUP ms calls `POST /api/v1/vpn/profile/revoke` itself (one clock for both);
 *   3. from its log: t0 = just before the revoke request is sent;
 *        last-through  = arrival of the last echo − t0
 *        first-dropped = sending of the first message that never got an echo − t0
 *      and checks that the flow carried data before and nothing arrived after t0 + 1 s.
 * Reports p50/p90/p99/max of both over TRIALS trials; goal p99(first-dropped) < 1 s.
 *
 * Run as root (it creates network namespaces; all traffic stays inside them):
 *   npx node bench/b3-revoke-cut.ts [--trials 50] [--interval 5] [--warmup 600]
 * Prints a table, then `RESULT {json}`.
 */
import { parseArgs } from 'node:util';
import { assertNetnsCapable } from '../test/e2e/netns.ts';
import { GATEWAY_IP, REGION, ScenarioLab, flowCut, parseFlow, sleep } from '../test/e2e/scenario-lab.ts';
import { PEOPLE, PLANT_A, PLANT_B, passwordOf, scenarioFleet } from '../test/e2e/scenario-fleet.ts';
import { summary } from './b3-trials.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '50' },
    interval: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '600' },
  },
});
const TRIALS = Number(values.trials);
const INTERVAL_MS = Number(values.interval);
const WARMUP_MS = Number(values.warmup);
const AFTER_MS = 1500;
if (!(TRIALS >= 1 && TRIALS <= 500 && INTERVAL_MS >= 1 && WARMUP_MS >= 100)) throw new Error('--trials 1..500, --interval ≥ 1, --warmup ≥ 100');


await assertNetnsCapable();
const s = new ScenarioLab();
const stop = async () => {
  await s.cleanup();
};
process.once('SIGINT', () => void stop().then(() => process.kill(process.pid, 'SIGINT')));

type Trial = { trial: number; lastThrough: number; firstDropped: number; revokeRequest: number; echoesBefore: number; lateEchoes: number };
const trials: Trial[] = [];
const failures: string[] = [];
try {
  const setupStarted = Date.now();
  await s.build();
  await s.startServer();
  await s.loginAdmin();
  await s.applyFleet(scenarioFleet());
  await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
  await s.startGateway();
  await s.startAgent('agentA', PLANT_A);
  await s.startAgent('agentB', PLANT_B);
  const user = await s.addUser(PEOPLE.bench, passwordOf(PEOPLE.bench));
  const token = s.token(user);
  let mappedA = '';
  console.log(`setup ${Date.now() - setupStarted} ms; ${TRIALS} trials, a message every ${INTERVAL_MS} ms, revoke after ${WARMUP_MS} ms`);

  for (let trial = 1; trial <= TRIALS; trial++) {
    await s.issueAndConnect(user);
    if (!mappedA) {
      const route = (await s.routes(user)).find((r) => r.plant === PLANT_A);
      if (!route) throw new Error('the bench user has no route to Plant A');
      mappedA = route.mapped.replace(/\.0\/24$/, '.10');
    }
    const ready = await s.waitForAnswer(user, mappedA, 'plant-A', 10_000);
    if (ready !== 'plant-A') throw new Error(`trial ${trial}: plant A does not answer before the revoke (${ready})`);
    const flow = s.startFlow(user, mappedA, { intervalMs: INTERVAL_MS, durationMs: WARMUP_MS + 1000 + AFTER_MS, revokeAtMs: WARMUP_MS, token });
    await flow.waitForLine(/^done/, WARMUP_MS + AFTER_MS + 15_000).catch(() => {});
    await flow.stop();
    const sample = parseFlow(flow.output());
    const cut = flowCut(sample);
    if (sample.revoke?.status !== '200' || cut.lastReceivedAt === null || cut.firstLostSentAt === null) {
      failures.push(`trial ${trial}: incomplete (${JSON.stringify({ revoke: sample.revoke, ...cut, errors: sample.errors })})`);
      continue;
    }
    const t0 = sample.revoke.start;
    const result: Trial = {
      trial,
      lastThrough: cut.lastReceivedAt - t0,
      firstDropped: cut.firstLostSentAt - t0,
      revokeRequest: sample.revoke.end - t0,
      echoesBefore: [...sample.received.values()].filter((at) => at < t0).length,
      lateEchoes: [...sample.received.values()].filter((at) => at > t0 + 1000).length,
    };
    trials.push(result);
    if (result.echoesBefore < 10) failures.push(`trial ${trial}: only ${result.echoesBefore} echoes before the revoke`);
    if (result.lateEchoes > 0) failures.push(`trial ${trial}: ${result.lateEchoes} echoes later than 1 s after the revoke`);
    console.log(
      `trial ${String(trial).padStart(3)}: first dropped ${String(result.firstDropped).padStart(5)} ms, last through ${String(result.lastThrough).padStart(5)} ms, revoke request ${String(result.revokeRequest).padStart(5)} ms, ${result.echoesBefore} echoes before`,
    );
    await sleep(100);
  }
} finally {
  await stop();
}

const firstDropped = summary(trials.map((t) => t.firstDropped));
const lastThrough = summary(trials.map((t) => t.lastThrough));
const request = summary(trials.map((t) => t.revokeRequest));
const row = (label: string, x: ReturnType<typeof summary>) =>
  `| ${label} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.min} |`;
console.log(`\n| ms after the revoke request was sent (n=${trials.length}) | p50 | p90 | p99 | max | min |\n|---|---|---|---|---|---|`);
console.log(row('first dropped message (sent)', firstDropped));
console.log(row('last echo through (arrived)', lastThrough));
console.log(row('revoke API answer', request));
console.log(`goal p99(first dropped) < 1000 ms: ${firstDropped.p99 < 1000 ? 'met' : 'NOT met'}`);
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(`RESULT ${JSON.stringify({ bench: 'B3', trials: trials.length, intervalMs: INTERVAL_MS, firstDropped, lastThrough, revokeRequest: request, failures })}`);
process.exitCode = failures.length || firstDropped.p99 >= 1000 ? 1 : 0;
