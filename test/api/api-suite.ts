import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { applyGatewayDelta, canonicalGatewayState } from '../../src/core/state/gateway-delta.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

async function enrolGateway(op: ReturnType<typeof http>, base: string, region: string) {
  const created = await op.post('/api/v1/admin/gateways/enrolments', { region });
  const enrolled = await http(base).post('/api/v1/enrol', { token: created.body.token });
  if (enrolled.status !== 201) throw new Error(JSON.stringify(enrolled.body));
  return { id: enrolled.body.id as string, name: enrolled.body.name as string, client: http(base, enrolled.body.credential) };
}

/** The API contract, run against every storage engine (SQLite and PostgreSQL). */
export function apiSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`API on ${engine}`, () => {
    let server: Server;
    let op: ReturnType<typeof http>;
    const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));

    before(async () => {
      server = await startTestServer({ database: await database() });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    });
    after(async () => server?.close());

    it('S1: a wrong password and an unknown email get the same answer', async () => {
      const anon = http(server.url);
      const wrong = await anon.post('/api/v1/auth/login', { email: OPERATOR.email, password: 'not-the-password' });
      const unknown = await anon.post('/api/v1/auth/login', { email: 'nobody@example.test', password: 'not-the-password' });
      assert.equal(wrong.status, 401);
      assert.deepEqual(wrong, unknown);
    });

    it('refuses the API without a token, and admin endpoints to non-operators', async () => {
      assert.equal((await http(server.url).get('/api/v1/vpn/routes')).status, 401);
      assert.equal((await http(server.url, 'pgt_garbage').get('/api/v1/vpn/routes')).body.error.message, 'invalid token');
    });

    it('fleet apply: a bad file names the path and applies nothing', async () => {
      const fleet = baseFleet();
      fleet.organizations[0]!.plants[2]!.subnets = ['10.30.0.5/24'];
      const r = await op.post('/api/v1/admin/fleet', { document: fleet });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.field, 'organizations[0].plants[2].subnets[0]');
      assert.match(r.body.error.message, /did you mean 10\.30\.0\.0\/24/);
      const regions = await op.get('/api/v1/admin/routes?user=alice@solarco.example');
      assert.equal(regions.status, 404, 'no user was created by the refused apply');
    });

    it('fleet apply: reserved ranges, unknown references, duplicates, device outside its subnets', async () => {
      const rows: Array<[string, (f: ReturnType<typeof baseFleet>) => void, string, RegExp]> = [
        ['mapped space', (f) => (f.organizations[0]!.plants[0]!.subnets = ['100.80.4.0/24']), 'organizations[0].plants[0].subnets[0]', /reserved mapped space/],
        ['tunnel range', (f) => (f.organizations[0]!.plants[0]!.subnets = ['100.64.0.0/10']), 'organizations[0].plants[0].subnets[0]', /reserved tunnel range/],
        ['unknown user', (f) => (f.organizations[0]!.jobRoles[0]!.user = 'zed@nowhere.example'), 'organizations[0].jobRoles[0].user', /unknown user/],
        ['unknown plant', (f) => (f.organizations[0]!.portfolios[0]!.plants = ['Park Z']), 'organizations[0].portfolios[0].plants[0]', /unknown plant .*Park Z/],
        ['duplicate plant', (f) => (f.organizations[0]!.plants[1]!.name = 'Park A'), 'organizations[0].plants[1].name', /duplicate plant/],
        ['device outside', (f) => (f.organizations[0]!.plants[0]!.devices = [{ name: 'x', ip: '10.9.9.9', kind: 'logger', ports: [] }]), 'organizations[0].plants[0].devices[0].ip', /none of the subnets/],
        ['bad role', (f) => ((f.organizations[0]!.members[0] as { role: string }).role = 'owner'), 'organizations[0].members[0].role', /must be one of/],
        ['malformed cidr', (f) => (f.organizations[0]!.plants[0]!.subnets = ['192.168.1/24']), 'organizations[0].plants[0].subnets[0]', /not a valid IPv4 CIDR|not a CIDR/],
        ['unknown partner', (f) => (f.organizations[0]!.cooperations[0]!.partner = 'Nobody'), 'organizations[0].cooperations[0].partner', /unknown organization/],
      ];
      for (const [name, mutate, field, message] of rows) {
        const fleet = baseFleet();
        mutate(fleet);
        const r = await op.post('/api/v1/admin/fleet', { document: fleet });
        assert.equal(r.status, 400, name);
        assert.ok(
          r.body.error.field === field || r.body.error.problems?.some((p: { field: string }) => p.field === field),
          `${name}: ${JSON.stringify(r.body.error)}`,
        );
        assert.match(JSON.stringify(r.body.error), message, name);
      }
    });

    it('fleet apply: idempotent, and an edited file changes exactly the difference (removals included)', async () => {
      const first = await op.post('/api/v1/admin/fleet', { document: baseFleet() });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.ok(first.body.changes.length > 10);
      const again = await op.post('/api/v1/admin/fleet', { document: baseFleet() });
      assert.deepEqual(again.body.changes, []);
      const edited = baseFleet();
      edited.organizations[0]!.jobRoles = edited.organizations[0]!.jobRoles.filter((j) => j.user !== 'gus@solarco.example');
      edited.organizations[0]!.members[1]!.role = 'moderator';
      const diff = await op.post('/api/v1/admin/fleet', { document: edited, dryRun: true, prune: true });
      assert.deepEqual(diff.body.changes.sort(), [
        '- job role operator for gus@solarco.example on plant Park A (SolarCo)',
        '~ member bob@solarco.example of SolarCo: member → moderator',
      ]);
      assert.equal(diff.body.applied, false);
      assert.deepEqual((await op.post('/api/v1/admin/fleet', { document: baseFleet(), dryRun: true })).body.changes, [], 'dry run changed nothing');
    });

    it('P4/P5: route JSON for an operator reaching two plants on the same subnet', async () => {
      const alice = await as('alice@solarco.example', 'alice-password');
      const r = await alice.get('/api/v1/vpn/routes');
      assert.equal(r.status, 200);
      const byPlant = Object.fromEntries(r.body.map((x: { plant: string }) => [x.plant, x]));
      assert.deepEqual(Object.keys(byPlant).sort(), ['Park A', 'Park B', 'Park C']);
      assert.equal(byPlant['Park A'].state, 'conflict');
      assert.equal(byPlant['Park A'].native, false);
      assert.deepEqual(byPlant['Park A'].conflictsWith, [{ plant: 'Park B', subnet: '192.168.1.0/24' }]);
      assert.equal(byPlant['Park C'].state, 'active');
      assert.equal(byPlant['Park C'].native, true);
      assert.equal(byPlant['Park A'].via, 'own');
      assert.equal(byPlant['Park A'].organization, 'SolarCo');
      assert.match(byPlant['Park A'].mapped, /^100\.(8[0-9]|9[0-5])\.\d+\.0\/24$/);
      assert.notEqual(byPlant['Park A'].mapped, byPlant['Park B'].mapped);
      const carol = await as('carol@windserv.example', 'carol-password');
      const coop = (await carol.get('/api/v1/vpn/routes')).body;
      assert.deepEqual(coop.map((x: { plant: string; via: string; state: string }) => [x.plant, x.via, x.state]), [['Park A', 'cooperation', 'active']]);
      assert.equal(coop[0].mapped, byPlant['Park A'].mapped, 'one mapped prefix per subnet, whoever looks');
      const bob = await as('bob@solarco.example', 'bob-password');
      assert.deepEqual((await bob.get('/api/v1/vpn/routes')).body, [], 'a viewer gets no route');
    });

    it('P6: prefer, disable and enable; unknown and ambiguous selections are refused by name', async () => {
      const alice = await as('alice@solarco.example', 'alice-password');
      const preferred = await alice.put('/api/v1/vpn/routes/priority', { plant: 'Park B', subnet: '192.168.1.0/24' });
      const state = (routes: Array<{ plant: string; state: string }>) => Object.fromEntries(routes.map((x) => [x.plant, x.state]));
      assert.deepEqual(state(preferred.body), { 'Park A': 'shadowed', 'Park B': 'priority', 'Park C': 'active' });
      const switched = await alice.put('/api/v1/vpn/routes/priority', { plant: 'SolarCo/Park A', subnet: '192.168.1.0/24' });
      assert.deepEqual(state(switched.body), { 'Park A': 'priority', 'Park B': 'shadowed', 'Park C': 'active' });
      const disabled = await alice.put('/api/v1/vpn/routes/disabled', { plant: 'Park A', subnet: '192.168.1.0/24' });
      assert.deepEqual(state(disabled.body), { 'Park A': 'disabled', 'Park B': 'active', 'Park C': 'active' });
      const enabled = await alice.put('/api/v1/vpn/routes/enabled', { plant: 'Park A', subnet: '192.168.1.0/24' });
      assert.deepEqual(state(enabled.body), { 'Park A': 'priority', 'Park B': 'shadowed', 'Park C': 'active' }, 'P6: re-enabling keeps the priority choice');
      const unknown = await alice.put('/api/v1/vpn/routes/priority', { plant: 'Park Z', subnet: '192.168.1.0/24' });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.field, 'plant');
      const wrongSubnet = await alice.put('/api/v1/vpn/routes/priority', { plant: 'Park A', subnet: '10.0.0.0/24' });
      assert.equal(wrongSubnet.status, 404);
      assert.equal(wrongSubnet.body.error.field, 'subnet');
      const badCidr = await alice.put('/api/v1/vpn/routes/priority', { plant: 'Park A', subnet: '192.168.1.1/24' });
      assert.equal(badCidr.status, 400);
    });

    it('P1–P3: issue, refuse a second, rotate, revoke — reflected in the gateway state', async () => {
      const alice = await as('alice@solarco.example', 'alice-password');
      const key1 = generateWireGuardKeyPair().publicKey;
      const noRegion = await alice.post('/api/v1/vpn/profile', { publicKey: key1 });
      assert.equal(noRegion.status, 409);
      assert.match(noRegion.body.error.message, /region/);
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn-eu.example.test:51820' })).status, 201);
      const badRegion = await op.post('/api/v1/admin/regions', { name: 'EU Central', endpoint: 'nope' });
      assert.equal(badRegion.status, 400);
      const badKey = await alice.post('/api/v1/vpn/profile', { publicKey: 'not-a-key' });
      assert.equal(badKey.status, 400);
      assert.equal(badKey.body.error.field, 'publicKey');

      const issued = await alice.post('/api/v1/vpn/profile', { publicKey: key1 });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      assert.equal(issued.body.profile.publicKey, key1);
      assert.deepEqual(issued.body.regions, [{ name: 'eu-central', endpoint: 'vpn-eu.example.test:51820' }]);
      assert.deepEqual(issued.body.allowedIps, ['100.80.0.0/12', '10.30.0.0/24', '192.168.1.0/24'], 'Park A kept the priority alice chose (P6 above)');
      assert.ok(!JSON.stringify(issued.body).includes('privateKey'));
      const second = await alice.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey });
      assert.equal(second.status, 409);
      assert.match(second.body.error.message, /rotate instead/);

      let state = (await op.get('/api/v1/admin/regions/eu-central/state')).body;
      const tunnelIp = issued.body.profile.tunnelIp;
      assert.deepEqual(state.peers.map((p: { publicKey: string }) => p.publicKey), [key1]);
      assert.equal(state.allowed.filter((a: { userIp: string }) => a.userIp === tunnelIp).length, 3);
      assert.deepEqual(state.native.map((n: { native: string }) => n.native).sort(), ['10.30.0.0/24', '192.168.1.0/24']);

      const key2 = generateWireGuardKeyPair().publicKey;
      const rotated = await alice.post('/api/v1/vpn/profile/rotate', { publicKey: key2 });
      assert.equal(rotated.status, 200);
      assert.equal(rotated.body.profile.tunnelIp, tunnelIp);
      state = (await op.get('/api/v1/admin/regions/eu-central/state')).body;
      assert.deepEqual(state.peers.map((p: { publicKey: string }) => p.publicKey), [key2], 'the old key is gone from the gateway state');
      const reuse = await alice.post('/api/v1/vpn/profile/rotate', { publicKey: key1 });
      assert.equal(reuse.status, 409);

      assert.equal((await alice.post('/api/v1/vpn/profile/revoke')).status, 200);
      state = (await op.get('/api/v1/admin/regions/eu-central/state')).body;
      assert.deepEqual(state.peers, []);
      assert.deepEqual(state.allowed, []);
      assert.equal((await alice.get('/api/v1/vpn/profile')).status, 404);
      const kinds = (await op.get('/api/v1/admin/events?user=alice@solarco.example')).body.map((e: { kind: string }) => e.kind);
      for (const kind of ['profile.issued', 'profile.rotated', 'profile.revoked', 'routes.changed']) assert.ok(kinds.includes(kind), kind);
      const reissued = await alice.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey });
      assert.equal(reissued.status, 201, 'a revoked profile can be replaced by a new one');
      assert.notEqual(reissued.body.profile.tunnelIp, tunnelIp, 'tunnel IPs are not reused');
    });

    it('P4: a permission change moves the gateway state, records who lost what, and wakes long-polls', async () => {
      const gw = await enrolGateway(op, server.url, 'eu-central');
      const before = (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body;
      assert.equal(before.gateway.id, gw.id);
      const waiting = gw.client.get(`/api/v1/gateways/${gw.id}/state?after=${before.revision}&wait=20`);
      const started = Date.now();
      const fleet = baseFleet();
      fleet.organizations[0]!.jobRoles = fleet.organizations[0]!.jobRoles.filter((j) => j.portfolio !== 'North');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await op.post('/api/v1/admin/fleet', { document: fleet, prune: true })).status, 200);
      const woke = await waiting;
      assert.ok(Date.now() - started < 5000, 'the long-poll answered at the change, not at its timeout');
      assert.ok(woke.body.revision > before.revision);
      assert.deepEqual(
        woke.body.native.map((n: { native: string }) => n.native),
        ['192.168.1.0/24'],
        'alice lost Parks A and C; Park B has no conflict left, so its native addresses are on',
      );
      const aliceIp = woke.body.peers[0]?.tunnelIp;
      assert.deepEqual(
        woke.body.allowed.filter((a: { userIp: string }) => a.userIp === aliceIp).length,
        1,
        'only Park B remains',
      );
      const events = (await op.get('/api/v1/admin/events?kind=routes.changed&user=alice@solarco.example')).body;
      assert.ok(events[0].details.removed.includes('SolarCo/Park C 10.30.0.0/24'), JSON.stringify(events[0]));
    });

    it('mapped prefixes stay stable while subnets come and go', async () => {
      const alice = await as('alice@solarco.example', 'alice-password');
      const mappedOf = async () => Object.fromEntries((await alice.get('/api/v1/vpn/routes')).body.map((r: { plant: string; mapped: string }) => [r.plant, r.mapped]));
      await op.post('/api/v1/admin/fleet', { document: baseFleet() });
      const before = await mappedOf();
      const more = baseFleet();
      more.organizations[0]!.plants.push({ name: 'Park D', subnets: ['10.40.0.0/16'], devices: [] });
      more.organizations[0]!.plants[2]!.subnets.push('10.31.0.0/24');
      await op.post('/api/v1/admin/fleet', { document: more });
      await op.post('/api/v1/admin/fleet', { document: baseFleet(), prune: true });
      assert.deepEqual(await mappedOf(), before);
    });

    it('personal tokens: shown once, listed without secret, revoked and expired ones refused', async () => {
      const alice = await as('alice@solarco.example', 'alice-password');
      const created = await alice.post('/api/v1/tokens', { name: 'ci' });
      assert.equal(created.status, 201);
      const viaToken = http(server.url, created.body.token);
      assert.equal((await viaToken.get('/api/v1/me')).body.email, 'alice@solarco.example');
      const listed = await alice.get('/api/v1/tokens');
      assert.ok(!JSON.stringify(listed.body).includes(created.body.token.slice(-43)));
      assert.equal((await alice.delete(`/api/v1/tokens/${created.body.id}`)).status, 204);
      const revoked = await viaToken.get('/api/v1/me');
      assert.equal(revoked.status, 401);
      assert.equal(revoked.body.error.message, 'token revoked');
      const expiring = await alice.post('/api/v1/tokens', { name: 'short', expiresInDays: 1 });
      await server.ctx.store.db.updateTable('api_tokens').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', expiring.body.id).execute();
      const expired = await http(server.url, expiring.body.token).get('/api/v1/me');
      assert.equal(expired.status, 401);
      assert.match(expired.body.error.message, /expired/);
      assert.equal((await alice.post('/api/v1/tokens', { name: '' })).body.error.field, 'name');
      assert.equal((await alice.get('/api/v1/admin/events')).status, 403);
    });

    it('enrolment: show-once, single use even under a race, expiring', async () => {
      const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
      assert.equal(created.status, 201);
      assert.match(created.body.token, /^pge_/);
      const anon = http(server.url);
      const race = await Promise.all(Array.from({ length: 5 }, () => anon.post('/api/v1/enrol', { token: created.body.token })));
      assert.deepEqual(race.map((r) => r.status).sort(), [201, 401, 401, 401, 401]);
      assert.match(race.find((r) => r.status === 401)?.body.error.message, /already used/);
      const short = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central', expiresInMinutes: 1 });
      await server.ctx.store.db.updateTable('enrolment_tokens').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute();
      const late = await anon.post('/api/v1/enrol', { token: short.body.token });
      assert.equal(late.status, 401);
      assert.match(late.body.error.message, /expired/);
      assert.equal((await op.post('/api/v1/admin/gateways/enrolments', { region: 'nowhere' })).body.error.field, 'region');
      assert.equal((await op.post('/api/v1/admin/agents/enrolments', { plant: 'Park Z' })).status, 404);
    });

    it('daemon credentials and user tokens never cross over', async () => {
      const gw = await enrolGateway(op, server.url, 'eu-central');
      assert.equal((await gw.client.get('/api/v1/me')).status, 401, 'a daemon credential is no user token');
      assert.equal((await op.get(`/api/v1/gateways/${gw.id}/state`)).status, 401, 'a user token is no daemon credential');
      const other = await enrolGateway(op, server.url, 'eu-central');
      assert.equal((await gw.client.get(`/api/v1/gateways/${other.id}/state`)).status, 403, 'a gateway acts only as itself');
      assert.equal((await gw.client.get(`/api/v1/agents/${gw.id}/state`)).status, 403, 'a gateway is no agent');
      assert.equal((await op.delete(`/api/v1/admin/gateways/${other.id}`)).status, 204);
      assert.equal((await other.client.get(`/api/v1/gateways/${other.id}/state`)).status, 401, 'a removed gateway is locked out at once');
    });

    it('gateways and agents register, see each other in their states, and report status', async () => {
      const gw = await enrolGateway(op, server.url, 'eu-central');
      const gwKey = generateWireGuardKeyPair().publicKey;
      const reg = await gw.client.post(`/api/v1/gateways/${gw.id}/register`, { sitePublicKey: gwKey, siteEndpoint: '198.51.100.1:51821' });
      assert.equal(reg.status, 200);
      const secrets = (await gw.client.get(`/api/v1/gateways/${gw.id}/secrets`)).body;
      assert.equal(secrets.servicePublicKey, (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body.servicePublicKey);
      const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park A' });
      assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
      const agent = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token, name: 'park-a-agent' })).body;
      const agentClient = http(server.url, agent.credential);
      const agentKey = generateWireGuardKeyPair().publicKey;
      const agentReg = await agentClient.post(`/api/v1/agents/${agent.id}/register`, { publicKey: agentKey });
      assert.equal(agentReg.status, 200);
      const gwState = (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body;
      const site = gwState.sites.find((x: { plantName: string }) => x.plantName === 'Park A');
      assert.equal(site.agentPublicKey, agentKey);
      assert.equal(site.agentTunnelIp, agentReg.body.tunnelIp);
      assert.equal(gwState.gateway.siteTunnelIp, reg.body.siteTunnelIp);
      const agentState = (await agentClient.get(`/api/v1/agents/${agent.id}/state`)).body;
      assert.equal(agentState.agent.plantName, 'Park A');
      assert.deepEqual(agentState.translations.map((t: { real: string }) => t.real), ['192.168.1.0/24']);
      const seen = agentState.gateways.find((g: { id: string }) => g.id === gw.id);
      assert.deepEqual(seen, { id: gw.id, name: gw.name, region: 'eu-central', publicKey: gwKey, endpoint: '198.51.100.1:51821', siteTunnelIp: reg.body.siteTunnelIp });
      // The agent's long-poll wakes for its own plant, not for every change of the installation.
      const alice = await as('alice@solarco.example', 'alice-password');
      const quiet = agentClient.get(`/api/v1/agents/${agent.id}/state?after=${agentState.revision}&wait=2`);
      const startedQuiet = Date.now();
      assert.equal((await alice.put('/api/v1/vpn/routes/priority', { plant: 'Park B', subnet: '192.168.1.0/24' })).status, 200);
      assert.equal((await quiet).body.revision, agentState.revision);
      assert.ok(Date.now() - startedQuiet >= 1500, 'a route preference of a user does not wake the agent');
      const moved = agentClient.get(`/api/v1/agents/${agent.id}/state?after=${agentState.revision}&wait=20`);
      const startedMove = Date.now();
      const more = baseFleet();
      more.organizations[0]!.plants[0]!.subnets.push('10.50.0.0/24');
      assert.equal((await op.post('/api/v1/admin/fleet', { document: more })).status, 200);
      const movedState = (await moved).body;
      assert.ok(Date.now() - startedMove < 5000, 'a new subnet of its plant wakes the agent at once');
      assert.ok(movedState.revision > agentState.revision);
      assert.deepEqual(movedState.translations.map((t: { real: string }) => t.real).sort(), ['10.50.0.0/24', '192.168.1.0/24']);
      await op.post('/api/v1/admin/fleet', { document: baseFleet(), prune: true });
      const second = await op.post('/api/v1/admin/agents/enrolments', { plant: 'Park A' });
      assert.equal(second.status, 409, 'one agent per plant');
      const report = { appliedRevision: agentState.revision, version: 'test', peers: [{ publicKey: gwKey, endpoint: null, latestHandshake: 0, rxBytes: 0, txBytes: 0 }], lastError: null };
      assert.equal((await agentClient.post(`/api/v1/agents/${agent.id}/status`, report)).status, 204);
      const listed = (await op.get('/api/v1/admin/agents')).body.find((a: { id: string }) => a.id === agent.id);
      assert.equal(listed.plant, 'SolarCo/Park A');
      assert.deepEqual(listed.status, { ...report, peerCount: 1, peersWithRecentHandshake: 0 });
      assert.equal((await agentClient.post(`/api/v1/agents/${agent.id}/status`, { ...report, appliedRevision: 'x' })).status, 400);
      assert.equal((await op.delete(`/api/v1/admin/agents/${agent.id}`)).status, 204);
      const after = (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body.sites.find((x: { plantName: string }) => x.plantName === 'Park A');
      assert.equal(after.agentPublicKey, null);
    });

    it('S1: a TOTP second factor guards the login once confirmed; codes are single use', async () => {
      const bob = await as('bob@solarco.example', 'bob-password');
      const started = await bob.post('/api/v1/me/totp');
      assert.equal(started.status, 201);
      assert.match(started.body.uri, /^otpauth:\/\/totp\/plantgate:bob%40solarco\.example\?secret=/);
      const row = await server.ctx.store.db.selectFrom('users').select('totp_secret').where('email', '=', 'bob@solarco.example').executeTakeFirstOrThrow();
      assert.ok(row.totp_secret && !row.totp_secret.includes(started.body.secret), 'the secret is sealed at rest');
      assert.equal((await bob.post('/api/v1/me/totp/confirm', { code: '000000' })).status, 400);
      const code = await generate({ secret: started.body.secret });
      const confirmed = await bob.post('/api/v1/me/totp/confirm', { code });
      assert.equal(confirmed.status, 200);
      assert.equal(confirmed.body.recoveryCodes.length, 10, 'recovery codes are shown once, at confirm');
      const anon = http(server.url);
      const noCode = await anon.post('/api/v1/auth/login', { email: 'bob@solarco.example', password: 'bob-password' });
      assert.equal(noCode.status, 401);
      assert.equal(noCode.body.error.field, 'totp');
      const replay = await anon.post('/api/v1/auth/login', { email: 'bob@solarco.example', password: 'bob-password', totp: code });
      assert.equal(replay.status, 401, 'a code is accepted once');
      await server.ctx.store.db.updateTable('users').set({ totp_last_step: null }).where('email', '=', 'bob@solarco.example').execute();
      const fresh = await anon.post('/api/v1/auth/login', { email: 'bob@solarco.example', password: 'bob-password', totp: await generate({ secret: started.body.secret }) });
      assert.equal(fresh.status, 200);
      await server.ctx.store.db.updateTable('users').set({ totp_last_step: null }).where('email', '=', 'bob@solarco.example').execute();
      assert.equal((await bob.post('/api/v1/me/totp/disable', { code: await generate({ secret: started.body.secret }) })).status, 204);
      assert.equal((await anon.post('/api/v1/auth/login', { email: 'bob@solarco.example', password: 'bob-password' })).status, 200);
    });

    it('issue 6 delta sync: full document first, then only what a revoke changed; unknown or future revisions get the full document', async () => {
      const gw = await enrolGateway(op, server.url, 'eu-central');
      const carol = await as('carol@windserv.example', 'carol-password');
      const carolKey = generateWireGuardKeyPair().publicKey;
      assert.equal((await carol.post('/api/v1/vpn/profile', { publicKey: carolKey })).status, 201);
      const first = (await gw.client.get(`/api/v1/gateways/${gw.id}/state?delta=1`)).body;
      assert.equal(first.kind, 'full', 'no `after`: the full document');
      assert.equal(first.state.gateway.id, gw.id);
      assert.ok(first.state.peers.some((p: { publicKey: string }) => p.publicKey === carolKey));
      const R = first.state.revision as number;

      const waiting = gw.client.get(`/api/v1/gateways/${gw.id}/state?after=${R}&wait=20&delta=1`);
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      assert.equal((await carol.post('/api/v1/vpn/profile/revoke')).status, 200);
      const woke = await waiting;
      assert.ok(Date.now() - started < 2000, 'the long-poll answered at the change');
      assert.equal(woke.body.kind, 'delta');
      assert.equal(woke.body.fromRevision, R);
      assert.deepEqual(woke.body.peers, { upsert: [], remove: [carolKey] });
      assert.ok(woke.body.allowed.remove.length > 0 && woke.body.allowed.add.length === 0, 'carol\u2019s pairs go, nothing is added');
      assert.equal(woke.body.sites.upsert.length, 0);
      const now = (await gw.client.get(`/api/v1/gateways/${gw.id}/state?delta=1`)).body.state;
      const applied = applyGatewayDelta(first.state, woke.body);
      assert.ok(applied.ok);
      if (applied.ok) assert.deepEqual(canonicalGatewayState(applied.state), canonicalGatewayState(now), 'the delta applied to the last document is the next document');

      const idle = await gw.client.get(`/api/v1/gateways/${gw.id}/state?after=${now.revision}&wait=1&delta=1`);
      assert.deepEqual(
        { kind: idle.body.kind, from: idle.body.fromRevision, to: idle.body.revision, peers: idle.body.peers.remove.length + idle.body.peers.upsert.length },
        { kind: 'delta', from: now.revision, to: now.revision, peers: 0 },
        'a long-poll that times out answers an empty delta, not the whole document',
      );
      for (const after of [-1, now.revision + 1000]) {
        const full = await gw.client.get(`/api/v1/gateways/${gw.id}/state?after=${after}&wait=0&delta=1`);
        assert.equal(full.body.kind, 'full', `after=${after} is outside the history`);
      }
      const legacy = await gw.client.get(`/api/v1/gateways/${gw.id}/state?after=${R}&wait=0`);
      assert.equal(legacy.body.revision, now.revision, 'without delta=1 the bare document, as daemons before issue 6 expect');
      assert.equal(legacy.body.kind, undefined);
    });

    it('serves an OpenAPI document that lists the endpoints', async () => {
      const doc = (await http(server.url).get('/api/openapi.json')).body;
      assert.equal(doc.openapi, '3.1.0');
      for (const path of ['/api/v1/vpn/routes', '/api/v1/vpn/profile', '/api/v1/admin/fleet', '/api/v1/gateways/{id}/state', '/api/v1/enrol']) assert.ok(doc.paths[path], path);
    });
  });
}
