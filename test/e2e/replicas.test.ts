import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { type LabProcess, assertNetnsCapable } from './netns.ts';
import { GATEWAY_IP, type LabUser, NODE, REGION, ScenarioLab, type ServerOptions, flowCut, parseFlow, serverUrl, sleep } from './scenario-lab.ts';
import { PEOPLE, PLANT_A, passwordOf, scenarioFleet } from './scenario-fleet.ts';

/**
 * Issue 6, "two control-plane replicas on one PostgreSQL", with real packets: two
 * `plantgate server` processes share one throwaway PostgreSQL (in the control plane's
 * namespace) and one PLANTGATE_MASTER_KEY; the gateway long-polls replica 2 (replica 1
 * as its fallback), the agent replica 1 (replica 2 as its fallback). A change written
 * on one replica reaches daemons that listen to the other; a replica killed with
 * SIGKILL stops nothing: the data plane keeps forwarding and the next change comes
 * through the surviving replica.
 */

const URL1 = serverUrl(8080);
const URL2 = serverUrl(8081);
/** Each daemon prefers the first URL and fails over to the next. */
const GATEWAY_SERVERS = `${URL2},${URL1}`;
const AGENT_SERVERS = `${URL1},${URL2}`;
const CUT_MS = 1000;
const FLOW_INTERVAL_MS = 10;

describe('replicas: two control planes on one PostgreSQL, daemons on either (issue 6)', { timeout: 300_000 }, () => {
  const s = new ScenarioLab();
  let pg: TestPostgres | null = null;
  let replica1: LabProcess;
  let replica2: LabProcess;
  let dave: LabUser;
  let alice: LabUser;
  let erin: LabUser;
  let serverOptions: ServerOptions;
  let device = '';

  const output = () => `--- replica 1\n${replica1?.output() ?? ''}\n--- replica 2\n${replica2?.output() ?? ''}\n${s.daemonOutput()}`;

  before(async () => {
    await assertNetnsCapable();
    await s.build();
    pg = await startTestPostgres({ netns: s.ns.cp });
    serverOptions = { args: ['--database', pg.url], env: { PLANTGATE_MASTER_KEY: randomBytes(32).toString('base64') } };
    replica1 = await s.startServerProcess(8080, 'replica1', serverOptions);
    replica2 = await s.startServerProcess(8081, 'replica2', serverOptions);
    await s.loginAdmin(URL1);
    await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
    await s.applyFleet(scenarioFleet());
    s.gateway = await s.startGateway({ server: GATEWAY_SERVERS });
    await s.startAgent('agentA', PLANT_A, { server: AGENT_SERVERS });
    // dave's and erin's profiles are issued through replica 1, alice's through replica 2.
    dave = await s.addUser(PEOPLE.dave, passwordOf(PEOPLE.dave), { server: URL1 });
    alice = await s.addUser(PEOPLE.alice, passwordOf(PEOPLE.alice), { server: URL2 });
    erin = await s.addUser(PEOPLE.erin, passwordOf(PEOPLE.erin), { server: URL1 });
    for (const user of [dave, alice, erin]) await s.issueAndConnect(user);
    const route = (await s.routes(alice)).find((r) => r.plant === PLANT_A);
    assert.ok(route, 'alice has a route to Plant A');
    device = route.mapped.replace(/\.0\/24$/, '.10');
    for (const user of [dave, alice, erin]) {
      assert.equal(await s.waitForAnswer(user, device, 'plant-A', 20_000), 'plant-A', `${user.email} reaches Plant A through the gateway\n${output()}`);
    }
  });

  after(async () => {
    await s.cleanup();
    await pg?.stop();
  });

  /** A replica's gauge of long-polls waiting in it, by kind (read from inside the control plane's namespace). */
  const waiting = async (url: string): Promise<Record<string, number>> => {
    const script = `fetch(${JSON.stringify(`${url}/metrics`)}).then((r) => r.text()).then((t) => console.log(t))`;
    const { stdout } = await s.lab.exec(s.ns.cp, NODE, ['-e', script], { timeoutMs: 15_000 });
    return Object.fromEntries([...stdout.matchAll(/^plantgate_longpoll_waiters\{kind="(\w+)"\} (\d+)/gm)].map((m) => [m[1] as string, Number(m[2])]));
  };

  /** Starts a flow that revokes `user`'s profile through `server` after `revokeAtMs`; returns its log once done. */
  const flowWithRevoke = async (user: LabUser, server: string, revokeAtMs: number, whileRunning: () => Promise<void> = async () => undefined) => {
    const flow = s.startFlow(user, device, { intervalMs: FLOW_INTERVAL_MS, durationMs: revokeAtMs + CUT_MS + 1500, revokeAtMs, token: s.token(user), server });
    await flow.waitForLine(/^connected/, 5000);
    await whileRunning();
    await flow.waitForLine(/^done/, revokeAtMs + 20_000);
    return parseFlow(flow.output());
  };

  it('a revoke written on replica 1 cuts, within 1 s, the open flow of a user whose gateway long-polls replica 2', async () => {
    assert.equal((await waiting(URL2)).gateway, 1, 'the gateway long-polls replica 2');
    assert.equal((await waiting(URL1)).gateway ?? 0, 0, 'and not replica 1');
    const sample = await flowWithRevoke(dave, URL1, 600);
    assert.equal(sample.revoke?.status, '200', `the revoke through replica 1 answered ${JSON.stringify(sample.revoke)}`);
    const t0 = sample.revoke?.start as number;
    const cut = flowCut(sample);
    const before = [...sample.received.values()].filter((at) => at < t0).length;
    const late = [...sample.received.values()].filter((at) => at > t0 + CUT_MS);
    assert.ok(before >= 10, `the flow carried data before the revoke (${before} echoes)`);
    assert.deepEqual(late, [], `no echo later than ${CUT_MS} ms after the revoke (last echo ${(cut.lastReceivedAt ?? 0) - t0} ms after it)\n${output()}`);
    assert.equal(await s.whoAnswers(dave, device, 1000), 'none', 'a new connection of the revoked user fails');
  });

  it('replica 1 killed with SIGKILL: the gateway keeps forwarding another user\u2019s flow and takes the next change (a revoke on replica 2) from replica 2', async () => {
    let killedAt = 0;
    const revokeAtMs = 4000;
    const sample = await flowWithRevoke(alice, URL2, revokeAtMs, async () => {
      await sleep(500);
      killedAt = Date.now();
      process.kill(replica1.pid, 'SIGKILL');
    });
    assert.notEqual(replica1.child.signalCode, null, 'replica 1 is gone');
    assert.equal(sample.revoke?.status, '200', `the revoke through replica 2 answered ${JSON.stringify(sample.revoke)}`);
    const t0 = sample.revoke?.start as number;
    const echoes = [...sample.received.values()].sort((a, b) => a - b);
    // Forwarding went on after the kill: echoes all through the time until the revoke, no gap over 500 ms.
    const between = echoes.filter((at) => at > killedAt && at < t0);
    assert.ok(between.length >= 100, `the flow kept flowing after replica 1 died (${between.length} echoes in ${t0 - killedAt} ms)\n${output()}`);
    const gaps = [killedAt, ...between, t0].slice(1).map((at, i) => at - ([killedAt, ...between][i] as number));
    assert.ok(Math.max(...gaps) < 500, `no pause over 500 ms in the flow after the kill (longest ${Math.max(...gaps)} ms)`);
    const late = echoes.filter((at) => at > t0 + CUT_MS);
    assert.deepEqual(late, [], `the revoke on replica 2 cut the flow within ${CUT_MS} ms (last echo ${(echoes.at(-1) ?? 0) - t0} ms after it)\n${output()}`);
    assert.equal(await s.whoAnswers(alice, device, 1000), 'none', 'a new connection of the revoked user fails');
  });

  it('replica 2, the one the gateway long-polls, killed with SIGKILL: the gateway fails over to replica 1 (restarted) and a revoke written there cuts within 1 s', async () => {
    replica1 = await s.startServerProcess(8080, 'replica1', serverOptions);
    let killedAt = 0;
    const revokeAtMs = 4000;
    const sample = await flowWithRevoke(erin, URL1, revokeAtMs, async () => {
      await sleep(500);
      killedAt = Date.now();
      process.kill(replica2.pid, 'SIGKILL');
    });
    assert.equal(sample.revoke?.status, '200', `the revoke through replica 1 answered ${JSON.stringify(sample.revoke)}`);
    const t0 = sample.revoke?.start as number;
    const echoes = [...sample.received.values()].sort((a, b) => a - b);
    const between = echoes.filter((at) => at > killedAt && at < t0);
    assert.ok(between.length >= 100, `forwarding went on after replica 2 died (${between.length} echoes in ${t0 - killedAt} ms)\n${output()}`);
    const late = echoes.filter((at) => at > t0 + CUT_MS);
    assert.deepEqual(late, [], `the revoke on replica 1 reached the gateway, which had lost replica 2, within ${CUT_MS} ms (last echo ${(echoes.at(-1) ?? 0) - t0} ms after it)\n${output()}`);
    assert.equal((await waiting(URL1)).gateway, 1, 'the gateway now long-polls replica 1');
  });
});
