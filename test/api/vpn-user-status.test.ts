import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Issue 8: what the web UI's Personal VPN and Routes pages show beyond the CLI's answers. */
describe('the user side of issue 8: per-gateway profile status and devices per route', () => {
  let server: Server;
  let op: ReturnType<typeof http>;
  const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));

  before(async () => {
    server = await startTestServer();
    op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const fleet = baseFleet();
    fleet.organizations[0]!.plants[1]!.devices = [
      { name: 'logger', ip: '192.168.1.5', kind: 'data-logger', ports: [80] },
      { name: 'meter', ip: '10.31.0.9', kind: 'meter', ports: [502] },
    ];
    fleet.organizations[0]!.plants[1]!.subnets.push('10.31.0.0/24');
    assert.equal((await op.post('/api/v1/admin/fleet', { document: fleet })).status, 200);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
  });
  after(async () => server?.close());

  it('P5: each route lists the devices in its subnet with the same host part in the mapped prefix; the plain answer stays as it was', async () => {
    const alice = await as('alice@solarco.example', 'alice-password');
    const plain = (await alice.get('/api/v1/vpn/routes')).body as Array<Record<string, unknown>>;
    assert.ok(plain.length > 0 && plain.every((r) => !('devices' in r)), 'the plain answer (scripts poll it) is as small as it was');
    const bad = await alice.get('/api/v1/vpn/routes?devices=yes');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'devices');
    const routes = (await alice.get('/api/v1/vpn/routes?devices=true')).body as Array<{
      plant: string;
      subnet: string;
      mapped: string;
      state: string;
      devices: Array<{ name: string; ip: string; mappedIp: string; kind: string }>;
    }>;
    const parkA = routes.find((r) => r.plant === 'Park A');
    assert.ok(parkA);
    const mappedBase = parkA.mapped.split('/')[0]!.split('.').slice(0, 3).join('.');
    assert.deepEqual(parkA.devices, [{ name: 'inverter-1', ip: '192.168.1.17', mappedIp: `${mappedBase}.17`, kind: 'inverter' }]);
    const parkB = routes.filter((r) => r.plant === 'Park B');
    assert.deepEqual(
      parkB.map((r) => [r.subnet, r.devices.map((d) => d.name)]),
      [
        ['10.31.0.0/24', ['meter']],
        ['192.168.1.0/24', ['logger']],
      ],
      'a device is listed under the subnet that holds it, not under every route of its plant',
    );
    assert.deepEqual(routes.find((r) => r.plant === 'Park C')?.devices, []);
    assert.equal(typeof parkA.state, 'string', 'the fields scripts read are still there');

    // The answer to a route choice carries the devices too (the page draws from it).
    const chosen = await alice.put('/api/v1/vpn/routes/priority', { plant: 'Park B', subnet: '192.168.1.0/24' });
    assert.equal(chosen.status, 200);
    assert.deepEqual(chosen.body.find((r: { plant: string }) => r.plant === 'Park A').devices, parkA.devices);

    // A device added by a fleet apply shows up at once (the per-revision device list is reloaded).
    const more = baseFleet();
    more.organizations[0]!.plants[0]!.devices.push({ name: 'camera', ip: '192.168.1.40', kind: 'camera', ports: [443] });
    assert.equal((await op.post('/api/v1/admin/fleet', { document: more })).status, 200);
    const after = (await alice.get('/api/v1/vpn/routes?devices=true')).body as typeof routes;
    assert.deepEqual(
      after.find((r) => r.plant === 'Park A')?.devices.map((d) => `${d.name} ${d.mappedIp}`),
      [`camera ${mappedBase}.40`, `inverter-1 ${mappedBase}.17`],
    );
  });

  it('the profile status lists what each enrolled gateway reported about the caller’s own peer, nobody else’s', async () => {
    const bob = await as('bob@solarco.example', 'bob-password');
    assert.equal((await bob.get('/api/v1/vpn/profile/status')).status, 404, 'no profile: nothing to report on');
    const bobKey = generateWireGuardKeyPair().publicKey;
    assert.equal((await bob.post('/api/v1/vpn/profile', { publicKey: bobKey })).status, 201);
    assert.deepEqual((await bob.get('/api/v1/vpn/profile/status')).body, [], 'no gateway has reported the peer yet');

    const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: created.body.token });
    assert.equal(enrolled.status, 201);
    const gateway = http(server.url, enrolled.body.credential);
    const otherKey = generateWireGuardKeyPair().publicKey;
    const handshake = Math.floor(Date.now() / 1000) - 42;
    const report = {
      appliedRevision: 1,
      version: 'test',
      lastError: null,
      peers: [
        { publicKey: bobKey, endpoint: '203.0.113.9:40000', latestHandshake: handshake, rxBytes: 123_456, txBytes: 7_890 },
        { publicKey: otherKey, endpoint: null, latestHandshake: 0, rxBytes: 5, txBytes: 6 },
      ],
    };
    assert.equal((await gateway.post(`/api/v1/gateways/${enrolled.body.id}/status`, report)).status, 204);

    const status = await bob.get('/api/v1/vpn/profile/status');
    assert.equal(status.status, 200);
    assert.equal(status.body.length, 1);
    const [row] = status.body;
    assert.equal(row.region, 'eu-central');
    assert.equal(row.gateway, enrolled.body.name);
    assert.equal(row.lastHandshakeAt, new Date(handshake * 1000).toISOString());
    assert.equal(row.rxBytes, 123_456);
    assert.equal(row.txBytes, 7_890);
    assert.ok(Date.now() - Date.parse(row.reportedAt) < 60_000, row.reportedAt);
    assert.ok(!JSON.stringify(status.body).includes('203.0.113.9'), 'the answer carries the figures, not the peer endpoint');

    // Alice's profile is not in the report: her answer is empty, and Bob's rotation leaves him with a new key the gateway has not seen.
    const alice = await as('alice@solarco.example', 'alice-password');
    assert.equal((await alice.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey })).status, 201);
    assert.deepEqual((await alice.get('/api/v1/vpn/profile/status')).body, []);
    assert.equal((await bob.post('/api/v1/vpn/profile/rotate', { publicKey: generateWireGuardKeyPair().publicKey })).status, 200);
    assert.deepEqual((await bob.get('/api/v1/vpn/profile/status')).body, [], 'figures of the old key are not shown for the new one');
  });
});
