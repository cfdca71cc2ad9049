import { loadavg } from 'node:os';
import { REGION1_ENDPOINT, RegionLab } from '../test/e2e/region-lab.ts';
import { sleep } from '../test/e2e/scenario-lab.ts';

/**
 * Issue 11 figures, in the e2e lab (test/e2e/region-lab.ts: real control plane with its
 * DNS responder, two regions' gateways, two agents, wireguard-go, a standard client
 * resolving the service name at each connect). Per cycle: kill every process of region
 * 1's gateway namespace → time until a reconnect lands in region 2 and reaches Plant A
 * (failover); start region 1's gateway again → time until agent A handshook with it
 * (agent reconnect, from the interface having its key and from the process start);
 * reconnect the client to region 1 for the next cycle. Medians over `cycles`. Root only.
 *
 *   node bench/region-failover.ts [--cycles 5]
 */

const cycles = Number(process.argv[process.argv.indexOf('--cycles') + 1] || 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const r = new RegionLab();
try {
  await r.build();
  await r.s.as(r.alice, ['vpn', 'issue', '--out', r.alice.confPath]);
  const failover: number[] = [];
  const fromReady: number[] = [];
  const fromSpawn: number[] = [];
  const load: number[] = [];
  for (let cycle = 0; cycle < cycles; cycle++) {
    if ((await r.reconnect()) !== REGION1_ENDPOINT) throw new Error('the client did not start in region 1');
    if ((await r.s.waitForAnswer(r.alice, r.mappedA, 'plant-A', 30_000)) !== 'plant-A') throw new Error('Plant A not reached through region 1');
    await r.gatewayRemembersAgents();
    const f = await r.failover(60_000, r.killRegion1());
    if (f.ms === 0) throw new Error(`no failover within 60 s (last endpoint ${f.lastEndpoint})`);
    const back = await r.restartRegion1();
    if (back.fromReadyMs === 0) throw new Error('agent A did not reconnect to the restarted gateway within 30 s');
    failover.push(f.ms);
    fromReady.push(back.fromReadyMs);
    fromSpawn.push(back.fromSpawnMs);
    load.push(loadavg()[0] as number);
    console.error(`cycle ${cycle + 1}: failover ${f.ms} ms, agent reconnect ${back.fromReadyMs} ms (${back.fromSpawnMs} ms from process start), load ${loadavg()[0]?.toFixed(1)}`);
    // Region 1 healthy again (it registered) and preferred: the next cycle starts there.
    await sleep(1000);
  }
  console.log(
    JSON.stringify({
      cycles,
      failoverMs: failover,
      failoverMedianMs: median(failover),
      agentReconnectFromReadyMs: fromReady,
      agentReconnectFromReadyMedianMs: median(fromReady),
      agentReconnectFromSpawnMedianMs: median(fromSpawn),
      load,
      at: new Date().toISOString(),
    }),
  );
} finally {
  await r.cleanup();
}
