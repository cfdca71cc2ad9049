import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable } from './netns.ts';
import { REGION1_ENDPOINT, REGION2, REGION2_ENDPOINT, RegionLab, killNamespace, waitFor } from './region-lab.ts';
import { DEVICE_IP, REGION, sleep } from './scenario-lab.ts';
import { NATIVE, PLANT_A } from './scenario-fleet.ts';

/**
 * Issue 11 item 3 with real packets: plantgate's own client (`sudo plantgate vpn up`) in
 * alice's namespace, on the region lab (two regions, the product's DNS answering the
 * service name). It reaches Plant A from the issued file; a native route switched off and
 * on again is applied by the running client without a refresh (the file stays byte for
 * byte); region 1's gateway killed by PID → traffic flows through region 2 within 10 s
 * without any user action; `vpn down` removes the interface, its routes and the state.
 */

const FAILOVER_TARGET_MS = 10_000;

describe('own client: vpn up / route sync / failover / vpn down (issue 11 item 3)', { timeout: 240_000 }, () => {
  const r = new RegionLab();
  const { s } = r;
  let stateDir = '';
  let iface = '';
  const up = (args: string[] = []) => s.as(r.alice, ['vpn', 'up', '--config', r.alice.confPath, '--interface', iface, '--state-dir', stateDir, ...args]);
  const status = async () => JSON.parse((await s.as(r.alice, ['vpn', 'status', '--json', '--state-dir', stateDir])).stdout);
  const routesOnIface = async () => (await s.lab.exec(r.alice.ns, 'ip', ['-4', 'route', 'show', 'dev', iface]).catch(() => ({ stdout: '' }))).stdout;
  const clientLog = () => {
    const path = join(stateDir, 'own-client.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '(no log)';
  };

  before(async () => {
    await assertNetnsCapable();
    await r.build();
    stateDir = join(s.work, 'own-client-state');
    iface = s.lab.name('pgc');
    s.lab.trackWireGuardInterface(iface);
    await s.as(r.alice, ['vpn', 'issue', '--out', r.alice.confPath]);
  });
  after(async () => {
    // A failed test must not leave the supervisor running: stop it by the PID it wrote.
    const path = join(stateDir, 'own-client.json');
    if (existsSync(path)) {
      const { pid } = JSON.parse(readFileSync(path, 'utf8')) as { pid: number };
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
      await sleep(1000);
    }
    await r.cleanup();
  });

  it('vpn up brings the tunnel up from the issued file; alice reaches Plant A (mapped and native); vpn status shows region, endpoint, handshake, bytes and routes', async () => {
    const started = await up();
    assert.match(started.stdout, /^up: /m);
    assert.equal(await s.waitForAnswer(r.alice, r.mappedA, 'plant-A', 20_000), 'plant-A', `mapped address of Plant A\n${clientLog()}\n${r.output()}`);
    assert.equal(await s.waitForAnswer(r.alice, DEVICE_IP, 'plant-A', 10_000), 'plant-A', 'native address of Plant A');
    assert.equal(await s.whoAnswers(r.alice, r.mappedB, 1500), 'none', 'and not Plant B');
    const st = await waitFor(async () => {
      const value = await status();
      return value.lastHandshake !== null && value.routes.length > 0 ? value : null;
    }, 10_000);
    assert.deepEqual(Object.keys(st), ['region', 'gateway', 'endpoint', 'lastHandshake', 'bytesIn', 'bytesOut', 'routes']);
    assert.equal(st.region, REGION);
    assert.equal(st.endpoint, REGION1_ENDPOINT);
    assert.ok(st.bytesIn > 0 && st.bytesOut > 0, JSON.stringify(st));
    assert.deepEqual(
      st.routes.map((x: { plant: string; subnet: string; native: boolean }) => [x.plant, x.subnet, x.native]),
      [[PLANT_A, NATIVE, true]],
    );
    assert.doesNotMatch(clientLog(), /PrivateKey|[A-Za-z0-9+/]{43}=/, 'the log holds no key');
    const again = await s.cli(r.alice.ns, r.alice.env, ['vpn', 'up', '--config', r.alice.confPath, '--interface', iface, '--state-dir', stateDir]);
    assert.notEqual(again.code, 0, 'a second vpn up is refused');
    assert.match(again.stderr, /already up/);
  });

  it('a native route switched off and on is applied by the running client without a refresh; the file stays unchanged', async (t) => {
    const file = s.config(r.alice);
    await s.as(r.alice, ['vpn', 'route', 'disable', '--plant', PLANT_A, '--subnet', NATIVE]);
    await waitFor(async () => !(await routesOnIface()).includes(NATIVE), 10_000);
    assert.equal(await s.whoAnswers(r.alice, DEVICE_IP, 1500), 'none', 'the disabled native prefix left the interface');
    const enabling = Date.now();
    await s.as(r.alice, ['vpn', 'route', 'enable', '--plant', PLANT_A, '--subnet', NATIVE]);
    assert.equal(await s.waitForAnswer(r.alice, DEVICE_IP, 'plant-A', 10_000), 'plant-A', `the native route is back without refresh\n${clientLog()}`);
    const usableMs = Date.now() - enabling;
    t.diagnostic(`native route usable ${usableMs} ms after vpn route enable`);
    // The periodic read runs every 10 s: sooner means the long-poll (GET /vpn/profile/changes) brought the change.
    assert.ok(usableMs < 5000, `the long-poll applied the change (${usableMs} ms)`);
    assert.match(await routesOnIface(), new RegExp(NATIVE.replace(/\./g, '\\.').replace('/', '\\/')));
    assert.equal(s.config(r.alice), file, 'the WireGuard file was not touched');
  });

  it('region 1 killed by PID: traffic flows again through region 2 within 10 s, without user action; status names region 2', async (t) => {
    await r.gatewayRemembersAgents();
    assert.equal((await status()).endpoint, REGION1_ENDPOINT, `still in region 1 before the kill (no false failover)\n${clientLog()}`);
    const killed = Date.now();
    killNamespace(s.ns.gw);
    s.gateway = null;
    let ms = 0;
    while (Date.now() - killed < 30_000) {
      if ((await s.whoAnswers(r.alice, r.mappedA, 1000)) === 'plant-A') {
        ms = Date.now() - killed;
        break;
      }
      await sleep(100);
    }
    t.diagnostic(`own client failover (kill → Plant A answers again): ${ms} ms; ${clientLog().split('\n').filter((l) => l.includes('failover')).join(' | ')}`);
    assert.ok(ms > 0 && ms < FAILOVER_TARGET_MS, `traffic again after ${ms || 'never (30 s)'} ms\n${clientLog()}\n${r.output()}`);
    const st = await status();
    assert.equal(st.region, REGION2);
    assert.equal(st.endpoint, REGION2_ENDPOINT);
    assert.equal(await s.whoAnswers(r.alice, r.mappedB, 1500), 'none', 'Plant B stays out of reach in region 2 (R6)');
  });

  it('vpn down stops the supervisor by PID and removes the interface, its routes and the state', async () => {
    const { pid } = JSON.parse(readFileSync(join(stateDir, 'own-client.json'), 'utf8')) as { pid: number };
    await s.as(r.alice, ['vpn', 'down', '--state-dir', stateDir]);
    const link = await s.lab.exec(r.alice.ns, 'ip', ['link', 'show', iface]).then(() => 'present', () => 'gone');
    assert.equal(link, 'gone');
    assert.equal(await routesOnIface(), '');
    assert.equal(existsSync(join(stateDir, 'own-client.json')), false);
    assert.throws(() => process.kill(pid, 0), 'the supervisor exited');
    assert.equal(await s.whoAnswers(r.alice, r.mappedA, 1500), 'none');
  });
});
