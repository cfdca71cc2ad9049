import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { REGION1_ENDPOINT, RegionLab, killNamespace } from '../test/e2e/region-lab.ts';
import { sleep } from '../test/e2e/scenario-lab.ts';

/**
 * Issue 11 item 3 figure: plantgate's own client (`plantgate vpn up`, the real CLI and
 * supervisor) in the region lab (test/e2e/region-lab.ts). Per cycle: up in region 1 and
 * reaching Plant A → kill every process of region 1's gateway namespace by PID → time until
 * Plant A answers again (the client fails over by itself; the probe traffic is what a user
 * would send) → vpn down, region 1's gateway started again. Medians over `cycles`. Root only.
 *
 *   node bench/own-client-failover.ts [--cycles 5]
 */

const cycles = Number(process.argv[process.argv.indexOf('--cycles') + 1] || 5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const r = new RegionLab();
const { s } = r;
let stateDir = '';
const endpointOf = () => {
  const path = join(stateDir, 'own-client.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { endpoint: string }).endpoint : '';
};
try {
  await r.build();
  await s.as(r.alice, ['vpn', 'issue', '--out', r.alice.confPath]);
  stateDir = join(s.work, 'own-client-state');
  const iface = s.lab.name('pgc');
  s.lab.trackWireGuardInterface(iface);
  const failover: number[] = [];
  const load: number[] = [];
  for (let cycle = 0; cycle < cycles; cycle++) {
    // Region 1 back and registered: a fresh vpn up resolves the service name to it again.
    for (let attempt = 0; attempt < 20; attempt++) {
      await s.as(r.alice, ['vpn', 'up', '--config', r.alice.confPath, '--interface', iface, '--state-dir', stateDir, '--poll-ms', '1000']);
      if (endpointOf() === REGION1_ENDPOINT) break;
      await s.as(r.alice, ['vpn', 'down', '--state-dir', stateDir]);
      await sleep(1000);
    }
    if (endpointOf() !== REGION1_ENDPOINT) throw new Error('the own client did not start in region 1');
    if ((await s.waitForAnswer(r.alice, r.mappedA, 'plant-A', 30_000)) !== 'plant-A') throw new Error('Plant A not reached through region 1');
    await r.gatewayRemembersAgents();
    const killed = Date.now();
    killNamespace(s.ns.gw);
    s.gateway = null;
    let ms = 0;
    while (Date.now() - killed < 60_000) {
      if ((await s.whoAnswers(r.alice, r.mappedA, 1000)) === 'plant-A') {
        ms = Date.now() - killed;
        break;
      }
      await sleep(100);
    }
    if (ms === 0) throw new Error('no failover within 60 s');
    failover.push(ms);
    load.push(loadavg()[0] as number);
    console.error(`cycle ${cycle + 1}: own-client failover ${ms} ms (now ${endpointOf()}), load ${loadavg()[0]?.toFixed(1)}`);
    await s.as(r.alice, ['vpn', 'down', '--state-dir', stateDir]);
    const back = await r.restartRegion1();
    if (back.fromReadyMs === 0) throw new Error('agent A did not reconnect to the restarted gateway within 30 s');
  }
  console.log(JSON.stringify({ cycles, failoverMs: failover, failoverMedianMs: median(failover), load, at: new Date().toISOString() }));
} finally {
  if (existsSync(join(stateDir, 'own-client.json'))) await s.cli(r.alice.ns, r.alice.env, ['vpn', 'down', '--state-dir', stateDir]);
  await r.cleanup();
}
