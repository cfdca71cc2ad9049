import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { cidr, formatIpv4, ipv4ToInt, prefixSize } from '../../src/core/net/ipv4.ts';
import { assertNetnsCapable } from './netns.ts';
import { DEVICE_IP, GATEWAY_IP, INTERNET_IP, NODE, REGION, type LabUser, ScenarioLab, SERVER_IP, flowCut, parseFlow, sleep } from './scenario-lab.ts';
import { type FleetChange, NATIVE, PEOPLE, PLANT_A, PLANT_B, passwordOf, scenarioFleet } from './scenario-fleet.ts';

/**
 * SPEC P1–P6 as a user sees them, with real packets: the real `plantgate` binary runs
 * the control plane, a gateway and two agents in network namespaces; every user has a
 * standard WireGuard client fed with the file `plantgate vpn issue` wrote; two plants
 * share 192.168.1.0/24 and their devices answer with their plant's name (HTTP :80,
 * TCP :502). Topology: see scenario-lab.ts. Issue 3, "End-to-end tests", assertions 1–7.
 */

const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;
const CUT_MS = 1000;

/** 100.80.3.0/24 + 192.168.1.10 → 100.80.3.10 (the host part is preserved, SPEC P5). */
function mappedHost(mappedPrefix: string, real = DEVICE_IP): string {
  const mapped = cidr(mappedPrefix);
  return formatIpv4(mapped.start + (ipv4ToInt(real) % prefixSize(mapped.length)));
}

describe('scenarios: the product end to end (plantgate server, gateway, agents, wireguard-go clients)', { timeout: 900_000 }, () => {
  const s = new ScenarioLab();
  const people = {} as Record<keyof typeof PEOPLE, LabUser>;
  let fleet: FleetChange = {};
  const mapped = { A: '', B: '' };

  const connect = async (key: keyof typeof PEOPLE) => {
    people[key] = await s.addUser(PEOPLE[key], passwordOf(PEOPLE[key]));
    await s.issueAndConnect(people[key]);
  };
  const applyFleet = async (change: FleetChange) => {
    fleet = { ...fleet, ...change };
    return s.applyFleet(scenarioFleet(fleet));
  };
  /** True once the client's tunnel to the gateway has completed a handshake. */
  const handshake = async (user: LabUser) => {
    const { stdout } = await s.lab.exec(user.ns, 'wg', ['show', user.iface, 'latest-handshakes']);
    return Number(stdout.trim().split(/\s+/)[1] ?? 0) > 0;
  };

  /**
   * An open TCP flow (a message every 20 ms, echoed by the device) is running when
   * `change` runs; from the moment it returns, within 1 s: the flow carries nothing
   * more and a new connection fails.
   */
  const assertCut = async (t: TestContext, user: LabUser, host: string, change: () => Promise<unknown>) => {
    const flow = s.startFlow(user, host, { intervalMs: 20, durationMs: 30_000 });
    await flow.waitForLine(/^connected/, 3000);
    await sleep(500);
    const changeStarted = Date.now();
    await change();
    const returned = Date.now();
    await sleep(Math.max(0, returned + CUT_MS - Date.now()));
    const fresh = await s.whoAnswers(user, host, 1500);
    // The flow goes on sending for a while after the deadline, then stops (output is flushed every 100 ms).
    await sleep(Math.max(0, returned + CUT_MS + 1000 - Date.now()));
    await flow.stop();
    const sample = parseFlow(flow.output());
    const cut = flowCut(sample);
    const before = [...sample.received.values()].filter((at) => at < changeStarted).length;
    const late = [...sample.received.values()].filter((at) => at > returned + CUT_MS);
    t.diagnostic(
      `command took ${returned - changeStarted} ms; last echo ${cut.lastReceivedAt === null ? '-' : cut.lastReceivedAt - returned} ms after it returned ` +
        `(${cut.lastReceivedAt === null ? '-' : cut.lastReceivedAt - changeStarted} ms after it started); first lost message sent ${cut.firstLostSentAt === null ? '-' : cut.firstLostSentAt - changeStarted} ms after it started`,
    );
    assert.ok(before >= 10, `the flow carried data before the change (${before} echoes)`);
    assert.ok([...sample.sent.values()].some((at) => at > returned + CUT_MS), 'the flow kept sending after the cut');
    assert.deepEqual(late, [], `no echo later than ${CUT_MS} ms after the command returned`);
    assert.equal(fresh, 'none', `a new connection ${CUT_MS} ms after the command returned fails`);
  };

  before(async () => {
    await assertNetnsCapable();
    await s.build();
    await s.startServer();
    await s.loginAdmin();
    await applyFleet({});
    await s.admin(['admin', 'region', 'add', REGION, '--endpoint', `${GATEWAY_IP}:51820`]);
    await s.startGateway();
    await s.startAgent('agentA', PLANT_A);
    await s.startAgent('agentB', PLANT_B);
    for (const key of ['alice', 'bob'] as const) await connect(key);
    for (const route of await s.routes(people.bob)) {
      if (route.plant === PLANT_A) mapped.A = mappedHost(route.mapped);
      if (route.plant === PLANT_B) mapped.B = mappedHost(route.mapped);
    }
    assert.ok(mapped.A && mapped.B && mapped.A !== mapped.B, `two distinct mapped prefixes (${JSON.stringify(mapped)})`);
    // Readiness: the gateway and agent A are up once alice reaches A (bounded).
    const ready = await s.waitForAnswer(people.alice, mapped.A, 'plant-A', 60_000);
    assert.equal(ready, 'plant-A', `alice reaches plant A within 60 s of the daemons' start\n--- gateway:\n${s.gateway?.output()}\n--- agent A:\n${s.agents.get('agentA')?.output()}`);
    assert.equal(await s.waitForAnswer(people.bob, mapped.B, 'plant-B', 30_000), 'plant-B', `bob reaches plant B\n--- agent B:\n${s.agents.get('agentB')?.output()}`);
  });

  after(async () => {
    await s.cleanup();
  });

  it('1. an Operator of plant A reaches its device via the mapped address and, without a conflict, the native one', async () => {
    const { alice } = people;
    assert.match(s.config(alice), new RegExp(`AllowedIPs = .*${NATIVE.replace(/\./g, '\\.')}`), 'the config routes the native prefix');
    assert.equal(await s.whoAnswers(alice, mapped.A), 'plant-A');
    assert.equal(await s.whoAnswers(alice, DEVICE_IP), 'plant-A');
    assert.equal(await s.whoAnswers(alice, mapped.B), 'none', 'plant B is not among her routes');
  });

  it('2. routed to both plants: conflict, prefer, switch, disable; mapped addresses always reach the right plant', async () => {
    const { bob } = people;
    const state = async () => Object.fromEntries((await s.routes(bob)).map((route) => [route.plant, route.state]));
    const mappedRight = async (expectA = 'plant-A', expectB = 'plant-B') => {
      assert.equal(await s.whoAnswers(bob, mapped.A), expectA);
      assert.equal(await s.whoAnswers(bob, mapped.B), expectB);
    };

    // Unresolved: the config leaves the native prefix out, and even routed into the tunnel by hand it reaches no plant.
    assert.deepEqual(await state(), { [PLANT_A]: 'conflict', [PLANT_B]: 'conflict' });
    assert.doesNotMatch(s.config(bob), /192\.168\.1\.0\/24/);
    assert.equal(await s.whoAnswers(bob, DEVICE_IP), 'none');
    const servicePublicKey = /PublicKey = (\S+)/.exec(s.config(bob).split('[Peer]')[1] ?? '')?.[1] as string;
    await s.lab.exec(bob.ns, 'wg', ['set', bob.iface, 'peer', servicePublicKey, 'allowed-ips', `100.80.0.0/12,${NATIVE}`]);
    await s.lab.exec(bob.ns, 'ip', ['route', 'replace', NATIVE, 'dev', bob.iface]);
    assert.equal(await s.whoAnswers(bob, DEVICE_IP), 'none', 'native forced into the tunnel: still no plant');
    await mappedRight();

    // Prefer A, refresh the config's AllowedIPs (`vpn refresh`, then down/up): exactly A answers natively.
    await s.as(bob, ['vpn', 'prefer', '--plant', PLANT_A, '--subnet', NATIVE]);
    await s.refreshConfig(bob);
    assert.match(s.config(bob), /192\.168\.1\.0\/24/);
    assert.equal(await s.waitForAnswer(bob, DEVICE_IP, 'plant-A', CUT_MS), 'plant-A');
    await mappedRight();

    // Switch to B: B answers (no refresh needed, the native prefix is already routed).
    await s.as(bob, ['vpn', 'prefer', '--plant', PLANT_B, '--subnet', NATIVE]);
    assert.equal(await s.waitForAnswer(bob, DEVICE_IP, 'plant-B', CUT_MS), 'plant-B');
    await mappedRight();

    // Disable B: B is unreachable, A (the one left) answers natively.
    await s.as(bob, ['vpn', 'route', 'disable', '--plant', PLANT_B, '--subnet', NATIVE]);
    assert.equal((await state())[PLANT_A], 'active');
    assert.equal(await s.waitForAnswer(bob, DEVICE_IP, 'plant-A', CUT_MS), 'plant-A');
    await mappedRight('plant-A', 'none');

    // Enable B again: the mapped address of B works again; native follows what `vpn routes` says.
    await s.as(bob, ['vpn', 'route', 'enable', '--plant', PLANT_B, '--subnet', NATIVE]);
    const routes = await s.routes(bob);
    const nativeWinner = routes.find((route) => route.native)?.plant;
    const expectedNative = nativeWinner === PLANT_A ? 'plant-A' : nativeWinner === PLANT_B ? 'plant-B' : 'none';
    assert.equal(await s.waitForAnswer(bob, DEVICE_IP, expectedNative, CUT_MS), expectedNative);
    assert.equal(await s.waitForAnswer(bob, mapped.B, 'plant-B', CUT_MS), 'plant-B');
    await mappedRight();
  });

  it('3. a Viewer, an Asset Manager, a Guest and a cooperation user without Operator reach nothing', async (t) => {
    for (const key of ['vic', 'amy', 'gus', 'carl'] as const) {
      await connect(key);
      const user = people[key];
      assert.deepEqual(await s.routes(user), [], `${key} has no routes`);
      for (const host of [mapped.A, mapped.B, DEVICE_IP]) assert.equal(await s.whoAnswers(user, host), 'none', `${key} → ${host}`);
      assert.ok(await handshake(user), `${key}'s tunnel itself is up (a handshake happened): it is the gateway that drops the packets`);
      t.diagnostic(`${key}: tunnel up, nothing reachable`);
    }
  });

  it('5. rotate: the old key stops at once; the new key works with the same tunnel IP and routes', async (t) => {
    const { alice } = people;
    const oldText = s.config(alice);
    const address = /Address = (\S+)/.exec(oldText)?.[1];
    const allowed = /AllowedIPs = (.+)/.exec(oldText)?.[1];
    await assertCut(t, alice, mapped.A, () => s.as(alice, ['vpn', 'rotate', '--out', alice.confPath, '--force']));
    const newText = s.config(alice);
    assert.notEqual(/PrivateKey = (\S+)/.exec(newText)?.[1], /PrivateKey = (\S+)/.exec(oldText)?.[1]);
    assert.equal(/Address = (\S+)/.exec(newText)?.[1], address, 'same tunnel IP');
    assert.equal(/AllowedIPs = (.+)/.exec(newText)?.[1], allowed, 'same routes');
    await s.clientUp(alice);
    assert.equal(await s.waitForAnswer(alice, mapped.A, 'plant-A', 5000), 'plant-A');
    assert.equal(await s.whoAnswers(alice, DEVICE_IP), 'plant-A');
  });

  it('6. a crafted client (AllowedIPs 0.0.0.0/0, spoofed source) reaches nothing beyond its routes', async () => {
    await connect('frank');
    const { frank, bob } = people;
    const crafted = s.config(frank).replace(/AllowedIPs = .*/, 'AllowedIPs = 0.0.0.0/0');
    await s.clientUp(frank, crafted);
    assert.equal(await s.whoAnswers(frank, mapped.A), 'plant-A', 'control: his own route works');
    assert.equal(await s.whoAnswers(frank, DEVICE_IP), 'plant-A', 'his native route (no conflict) works');
    assert.equal(await s.whoAnswers(frank, mapped.B), 'none', 'another plant');
    const http = async (url: string, localAddress?: string) =>
      (await s.lab.exec(frank.ns, NODE, [PROBE, 'http', url, '1500', ...(localAddress ? [localAddress] : [])], { timeoutMs: 20_000 })).stdout.trim();
    assert.match(await http(`http://${INTERNET_IP}/`), /^ERR/, 'the internet behind the gateway');
    assert.match(await http('http://10.10.1.1/'), /^OK internet/, 'control: the underlay itself works (more specific route than the /0, as with wg-quick)');
    // The control plane routed into the tunnel by hand: the gateway must not forward it.
    await s.lab.exec(frank.ns, 'ip', ['route', 'add', `${SERVER_IP}/32`, 'dev', frank.iface]);
    assert.match(await http(`http://${SERVER_IP}:8080/api/v1/vpn/routes`), /^ERR/, 'the control plane through the tunnel');
    assert.match(await http('http://100.64.0.1/'), /^ERR/, 'the gateway itself on the service address');
    // Spoofing: frank sends with bob's tunnel IP as source, towards plant B (bob's route).
    const bobIp = (/Address = (\S+)\/32/.exec(s.config(bob))?.[1]) as string;
    await s.lab.exec(frank.ns, 'ip', ['address', 'add', `${bobIp}/32`, 'dev', frank.iface]);
    assert.match(await http(`http://${mapped.B}/`, bobIp), /^ERR/, 'spoofed source towards B');
    assert.match(await http(`http://${mapped.A}/`, bobIp), /^ERR/, 'spoofed source towards A');
  });

  // 4a–4c run after 5–6 and 4d after 7: each of them takes something away for good.
  it('4a. revoke: an open connection stops and new ones fail within 1 s', async (t) => {
    await connect('dave');
    assert.equal(await s.whoAnswers(people.dave, mapped.A), 'plant-A');
    await assertCut(t, people.dave, mapped.A, () => s.as(people.dave, ['vpn', 'revoke']));
  });

  it('4b. job role removed (fleet apply): cut within 1 s', async (t) => {
    await connect('erin');
    assert.equal(await s.whoAnswers(people.erin, mapped.A), 'plant-A');
    await assertCut(t, people.erin, mapped.A, () => applyFleet({ erinRoleRemoved: true }));
  });

  it('4c. cooperation ended (fleet apply): cut within 1 s', async (t) => {
    await connect('carol');
    assert.equal(await s.whoAnswers(people.carol, mapped.A), 'plant-A');
    await assertCut(t, people.carol, mapped.A, () => applyFleet({ cooperationEnded: true }));
  });

  it('7. gateway restart; control plane away: forwarding continues, a change made on its return is applied', async (t) => {
    const { alice } = people;
    // Gateway killed by PID (no chance to clean up) and started again.
    const old = s.gateway;
    assert.ok(old);
    process.kill(old.pid, 'SIGKILL');
    await old.stop();
    const restarted = Date.now();
    await s.startGateway();
    assert.equal(await s.waitForAnswer(alice, mapped.A, 'plant-A', 30_000), 'plant-A', `forwarding resumes after a gateway restart\n${s.gateway?.output()}`);
    t.diagnostic(`forwarding after gateway restart: ${Date.now() - restarted} ms`);

    // Control plane stopped: forwarding goes on, for longer than a long-poll cycle.
    await s.stopServer();
    const stopped = Date.now();
    while (Date.now() - stopped < 8000) {
      assert.equal(await s.whoAnswers(alice, mapped.A), 'plant-A', `forwarding ${Date.now() - stopped} ms into the outage`);
      await sleep(1000);
    }
    // A gateway restarted while the control plane is away rebuilds from its state dir.
    const gw = s.gateway;
    assert.ok(gw);
    process.kill(gw.pid, 'SIGKILL');
    await gw.stop();
    await s.startGateway();
    assert.equal(await s.waitForAnswer(alice, mapped.A, 'plant-A', 20_000), 'plant-A', `a gateway restarted during the outage forwards from its state dir\n${s.gateway?.output()}`);
    assert.equal(await s.whoAnswers(alice, mapped.B), 'none');

    // Back: the change made right after the return reaches the gateway within a bounded time.
    await s.startServer();
    await applyFleet({ aliceOnB: true });
    const changed = Date.now();
    assert.equal(await s.waitForAnswer(alice, mapped.B, 'plant-B', 30_000), 'plant-B', `the change is applied after the control plane returns\n${s.gateway?.output()}`);
    t.diagnostic(`change applied ${Date.now() - changed} ms after the control plane returned`);
    assert.equal(await s.whoAnswers(alice, mapped.A), 'plant-A');
  });

  it('8. organization self-service (issue 8): an org Admin grants a job role through the API and the route opens without a new profile; removing the member cuts within 1 s', async (t) => {
    const olga = await s.addUser(PEOPLE.olga, passwordOf(PEOPLE.olga));
    await connect('otto');
    assert.equal(await s.whoAnswers(people.otto, mapped.A), 'none', 'otto has no job role yet: no route');
    const granting = Date.now();
    await s.as(olga, ['org', 'grant', 'SolarCo', PEOPLE.otto, 'operator', '--plant', PLANT_A]);
    assert.equal(await s.waitForAnswer(people.otto, mapped.A, 'plant-A', 10_000), 'plant-A', `the granted route reaches plant A\n${s.gateway?.output()}`);
    t.diagnostic(`route open ${Date.now() - granting} ms after olga ran org grant (same profile, no reinstall)`);
    const refused = await s.cli(people.otto.ns, people.otto.env, ['org', 'remove-member', 'SolarCo', PEOPLE.alice]);
    assert.equal(refused.code, 3, `a Member may not remove members (exit 3)\n${refused.stderr}`);
    await assertCut(t, people.otto, mapped.A, () => s.as(olga, ['org', 'remove-member', 'SolarCo', PEOPLE.otto]));
  });

  it('4d. plant deleted (fleet apply): cut within 1 s; the other plant keeps working', async (t) => {
    const { bob } = people;
    assert.equal(await s.whoAnswers(bob, mapped.B), 'plant-B');
    await assertCut(t, bob, mapped.B, () => applyFleet({ plantBDeleted: true }));
    assert.equal(await s.whoAnswers(bob, mapped.A), 'plant-A');
    assert.equal(await s.waitForAnswer(bob, DEVICE_IP, 'plant-A', CUT_MS), 'plant-A', 'A is the only plant left: its native addresses are active');
  });
});
