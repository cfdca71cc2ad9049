import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { orgFleet } from './org-self-service-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof http>;

const ORG = '/api/v1/orgs/SolarCo';

/** Organization self-service (issue 8) against a real server, on every storage engine. */
export function orgSelfServiceSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`organization self-service on ${engine}`, () => {
    let server: Server;
    let op: Client;
    let alice: Client;
    let mona: Client;
    let wanda: Client;
    let bob: Client;
    const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));

    before(async () => {
      server = await startTestServer({ database: await database() });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const applied = await op.post('/api/v1/admin/fleet', { document: orgFleet() });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
      alice = await as('alice@solarco.example', 'alice-password');
      mona = await as('mona@solarco.example', 'mona-password');
      wanda = await as('wanda@windserv.example', 'wanda-password');
      bob = await as('bob@solarco.example', 'bob-password');
    });
    after(async () => server?.close());

    it('GET /orgs: each caller sees their own organizations; an operator every one', async () => {
      const mine = (await alice.get('/api/v1/orgs')).body;
      assert.deepEqual(
        mine.map((o: { name: string; myRole: string }) => [o.name, o.myRole]),
        [['SolarCo', 'admin']],
      );
      assert.equal(mine[0].plants, 3);
      assert.equal(mine[0].cooperationsOwned, 1);
      const all = (await op.get('/api/v1/orgs')).body.map((o: { name: string; myRole: string | null }) => [o.name, o.myRole]);
      assert.deepEqual(all, [['OtherCo', null], ['SolarCo', null], ['WindServ', null]]);
      const byId = await alice.get(`/api/v1/orgs/${mine[0].id}`);
      assert.equal(byId.body.name, 'SolarCo');
    });

    it('S2: an organization the caller does not belong to answers exactly like a missing one', async () => {
      const otto = await as('otto@otherco.example', 'otto-password');
      for (const path of ['', '/members', '/plants', '/plants/Park%20A', '/events', '/job-roles']) {
        const foreign = await otto.get(`${ORG}${path}`);
        const missing = await otto.get(`/api/v1/orgs/NoSuchOrg${path}`);
        assert.equal(foreign.status, 404, path);
        assert.deepEqual(foreign, missing, path);
      }
      assert.deepEqual(
        (await mona.get('/api/v1/orgs')).body.map((o: { name: string }) => o.name),
        ['SolarCo'],
        'a Moderator is not shown another organization',
      );
    });

    it('invitation: the admin invites, the link is shown once, a new user accepts with a new account and becomes a member', async () => {
      const created = await alice.post(`${ORG}/invitations`, { email: 'Nina@SolarCo.example', role: 'member' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.token, /^pgi_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.body.link, `${server.url}/invite#${created.body.token}`);
      assert.equal(created.body.email, 'nina@solarco.example');
      const listed = (await alice.get(`${ORG}/invitations`)).body;
      assert.equal(listed.length, 1);
      assert.equal(listed[0].status, 'pending');
      assert.equal(JSON.stringify(listed).includes(created.body.token), false, 'the token is shown only in the answer that created it');
      const anon = http(server.url);
      const lookup = await anon.post('/api/v1/invitations/lookup', { token: created.body.token });
      assert.deepEqual(lookup.body, { organization: 'SolarCo', email: 'nina@solarco.example', role: 'member', expiresAt: created.body.expiresAt, accountExists: false });
      const short = await anon.post('/api/v1/invitations/accept', { token: created.body.token, name: 'Nina', password: 'short' });
      assert.equal(short.status, 400);
      assert.equal(short.body.error.field, 'password');
      const accepted = await anon.post('/api/v1/invitations/accept', { token: created.body.token, name: 'Nina', password: 'nina-password' });
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.accountCreated, true);
      assert.equal(accepted.body.organization.name, 'SolarCo');
      const again = await anon.post('/api/v1/invitations/accept', { token: created.body.token, password: 'nina-password' });
      const unknown = await anon.post('/api/v1/invitations/accept', { token: `pgi_${'A'.repeat(43)}`, password: 'nina-password' });
      assert.equal(again.status, 404);
      assert.deepEqual(again, unknown, 'a used link and an unknown one get the same answer');
      const members = (await alice.get(`${ORG}/members`)).body.map((m: { email: string; role: string }) => `${m.email}:${m.role}`);
      assert.ok(members.includes('nina@solarco.example:member'), members.join());
      const nina = await as('nina@solarco.example', 'nina-password');
      assert.deepEqual((await nina.get('/api/v1/orgs')).body.map((o: { name: string }) => o.name), ['SolarCo']);
      assert.equal((await alice.get(`${ORG}/invitations`)).body[0].status, 'accepted');
      const kinds = (await alice.get(`${ORG}/events?kind=org.invitation-accepted`)).body.events.map((e: { kind: string }) => e.kind);
      assert.deepEqual(kinds, ['org.invitation-accepted']);
    });

    it('invitation: an existing account accepts with its password; a Moderator may invite only Member or Guest', async () => {
      const refused = await mona.post(`${ORG}/invitations`, { email: 'otto@otherco.example', role: 'admin' });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.field, 'role');
      const created = await mona.post(`${ORG}/invitations`, { email: 'otto@otherco.example', role: 'guest' });
      assert.equal(created.status, 201);
      const anon = http(server.url);
      assert.equal((await anon.post('/api/v1/invitations/lookup', { token: created.body.token })).body.accountExists, true);
      const wrong = await anon.post('/api/v1/invitations/accept', { token: created.body.token, password: 'not-ottos-password' });
      assert.equal(wrong.status, 401);
      const ok = await anon.post('/api/v1/invitations/accept', { token: created.body.token, password: 'otto-password' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.accountCreated, false);
      const otto = await as('otto@otherco.example', 'otto-password');
      assert.deepEqual((await otto.get('/api/v1/orgs')).body.map((o: { name: string; myRole: string }) => `${o.name}:${o.myRole}`), ['OtherCo:admin', 'SolarCo:guest']);
      const revoked = await alice.post(`${ORG}/invitations`, { email: 'zed@solarco.example', role: 'member' });
      assert.equal((await alice.delete(`${ORG}/invitations/${revoked.body.id}`)).status, 204);
      assert.equal((await anon.post('/api/v1/invitations/lookup', { token: revoked.body.token })).status, 404, 'a revoked link stops working');
    });

    it('invitation: an existing account with a second factor accepts only with a current code', async () => {
      const sam = await newMember(alice, server.url, 'sam@solarco.example', 'member');
      const started = await sam.post('/api/v1/me/totp');
      assert.equal((await sam.post('/api/v1/me/totp/confirm', { code: await generate({ secret: started.body.secret }) })).status, 200);
      await server.ctx.store.db.updateTable('users').set({ totp_last_step: null }).where('email', '=', 'sam@solarco.example').execute();
      const invited = await wanda.post('/api/v1/orgs/WindServ/invitations', { email: 'sam@solarco.example', role: 'member' });
      const anon = http(server.url);
      const noCode = await anon.post('/api/v1/invitations/accept', { token: invited.body.token, password: 'sam@solarco.example-password' });
      assert.equal(noCode.status, 401);
      assert.equal(noCode.body.error.field, 'totp');
      const withCode = await anon.post('/api/v1/invitations/accept', {
        token: invited.body.token,
        password: 'sam@solarco.example-password',
        totp: await generate({ secret: started.body.secret }),
      });
      assert.equal(withCode.status, 200, JSON.stringify(withCode.body));
      assert.equal(withCode.body.organization.name, 'WindServ');
    });

    it('plants: create with subnets (each gets a mapped prefix), add a subnet and a device with its mapped address; refusals name the field', async () => {
      const created = await alice.post(`${ORG}/plants`, { name: 'Park E', subnets: ['10.70.0.0/24'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.ok(created.body.changes.some((c: string) => /^\+ subnet 10\.70\.0\.0\/24 of plant Park E \(SolarCo\) → mapped 100\./.test(c)), created.body.changes.join('\n'));
      const subnet = await mona.post(`${ORG}/plants/Park%20E/subnets`, { cidr: '10.71.0.0/24' });
      assert.equal(subnet.status, 201, JSON.stringify(subnet.body));
      const device = await mona.post(`${ORG}/plants/Park%20E/devices`, { name: 'logger', ip: '10.71.0.17', kind: 'logger', ports: [502] });
      assert.equal(device.status, 201, JSON.stringify(device.body));
      const detail = (await alice.get(`${ORG}/plants/Park%20E`)).body;
      const added = detail.subnets.find((s: { cidr: string }) => s.cidr === '10.71.0.0/24');
      assert.match(added.mapped, /^100\.\d+\.\d+\.0\/24$/);
      assert.equal(added.devices, 1);
      const logger = detail.devicesList[0];
      assert.equal(logger.mappedIp, `${added.mapped.split('.').slice(0, 3).join('.')}.17`, 'SPEC P5: the host part is kept');
      assert.equal(logger.subnet, '10.71.0.0/24');
      assert.equal(detail.agent, null);

      const rows: Array<[string, unknown, number, string, string?]> = [
        ['/plants', { name: 'Park E' }, 409, 'name', 'plant-exists'],
        ['/plants/Park%20E/subnets', { cidr: '10.71.0.128/25' }, 409, 'cidr', 'subnet-overlap'],
        ['/plants/Park%20E/subnets', { cidr: '10.72.0.5/24' }, 400, 'cidr'],
        ['/plants/Park%20E/subnets', { cidr: '100.80.0.0/24' }, 400, 'cidr'],
        ['/plants/Park%20E/devices', { name: 'logger', ip: '10.71.0.18' }, 409, 'name', 'device-exists'],
        ['/plants/Park%20E/devices', { name: 'far', ip: '10.99.0.1' }, 400, 'ip'],
        ['/plants/Park%20E/devices', { name: 'bad', ip: 'ten' }, 400, 'ip'],
        ['/plants', { name: 'Park F', subnets: ['10.80.0.0/16', '10.80.1.0/24'] }, 409, 'subnets[1]', 'subnet-overlap'],
      ];
      for (const [path, body, status, field, code] of rows) {
        const r = await alice.post(`${ORG}${path}`, body);
        assert.equal(r.status, status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.field, field, JSON.stringify(r.body));
        if (code) assert.equal(r.body.error.code, code);
      }
      const reserved = await alice.post(`${ORG}/plants/Park%20E/subnets`, { cidr: '100.80.0.0/24' });
      assert.match(reserved.body.error.message, /^cidr: .*reserved mapped space/);
      assert.equal(reserved.body.error.message.includes('organizations['), false, 'no path of a file the caller never saw');
    });

    it('SPEC D8: removing a subnet with devices behind it is refused listing them, and done with confirm', async () => {
      const refused = await alice.delete(`${ORG}/plants/Park%20E/subnets/10.71.0.0%2F24`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'subnet-has-devices');
      assert.match(refused.body.error.message, /logger \(10\.71\.0\.17\)/);
      assert.equal((await alice.get(`${ORG}/plants/Park%20E`)).body.devices, 1, 'nothing changed');
      const done = await alice.delete(`${ORG}/plants/Park%20E/subnets/10.71.0.0%2F24?confirm=true`);
      assert.equal(done.status, 200, JSON.stringify(done.body));
      const detail = (await alice.get(`${ORG}/plants/Park%20E`)).body;
      assert.deepEqual(detail.subnets.map((s: { cidr: string }) => s.cidr), ['10.70.0.0/24']);
      assert.equal(detail.devices, 0);
    });

    it('plants: rename keeps the mapped prefixes; a Moderator may not delete a plant (403 naming the action), an Admin may', async () => {
      assert.equal((await mona.post(`${ORG}/plants/Park%20E/devices`, { name: 'meter', ip: '10.70.0.9', kind: 'meter' })).status, 201);
      const edited = await mona.put(`${ORG}/plants/Park%20E/devices/meter`, { name: 'meter-2', ip: '10.70.0.10', kind: 'meter', ports: [80] });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      const devices = (await alice.get(`${ORG}/plants/Park%20E`)).body.devicesList.map((d: { name: string; ip: string; ports: number[] }) => `${d.name} ${d.ip} ${d.ports}`);
      assert.deepEqual(devices, ['meter-2 10.70.0.10 80']);
      assert.equal((await mona.delete(`${ORG}/plants/Park%20E/devices/meter-2`)).status, 200);
      const mappedBefore = (await alice.get(`${ORG}/plants/Park%20E`)).body.subnets[0].mapped;
      assert.equal((await mona.put(`${ORG}/plants/Park%20E`, { name: 'Park E2' })).status, 200);
      const renamed = (await alice.get(`${ORG}/plants/Park%20E2`)).body;
      assert.equal(renamed.subnets[0].mapped, mappedBefore);
      const refused = await mona.delete(`${ORG}/plants/Park%20E2`);
      assert.equal(refused.status, 403);
      assert.match(refused.body.error.message, /plants\.delete .*needs the org role admin/);
      assert.equal((await alice.delete(`${ORG}/plants/Park%20E2`)).status, 200);
      assert.equal((await alice.get(`${ORG}/plants/Park%20E2`)).status, 404);
    });

    it('plants: a plant with an enrolled agent is removed only with force, and the agent with it', async () => {
      assert.equal((await alice.post(`${ORG}/plants`, { name: 'Park G', subnets: ['10.90.0.0/24'] })).status, 201);
      const token = (await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park G' })).body.token;
      const agent = await http(server.url).post('/api/v1/enrol', { token });
      assert.equal(agent.status, 201);
      const listed = (await bob.get(`${ORG}/plants`)).body.find((p: { name: string }) => p.name === 'Park G');
      assert.equal(listed.agent.id, agent.body.id);
      assert.equal(listed.agent.connected, false, 'enrolled, never seen');
      const agentClient = http(server.url, agent.body.credential);
      const report = { appliedRevision: 0, version: 'test', peers: [], lastError: null };
      assert.equal((await agentClient.post(`/api/v1/agents/${agent.body.id}/status`, report)).status, 204);
      const seen = (await bob.get(`${ORG}/plants/Park%20G`)).body.agent;
      assert.equal(seen.connected, true, 'reported just now: connected');
      assert.ok(seen.lastSeenAt);
      const refused = await alice.delete(`${ORG}/plants/Park%20G`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'plant-has-agent');
      const forced = await alice.delete(`${ORG}/plants/Park%20G?force=true`);
      assert.equal(forced.status, 200, JSON.stringify(forced.body));
      assert.equal((await op.get('/api/v1/admin/agents')).body.some((a: { id: string }) => a.id === agent.body.id), false);
    });

    it('P4: the admin grants a new member Operator: the member\u2019s routes show the plant and the gateway state moves; removing the member removes them', async () => {
      const gw = await enrolGateway(op, server.url);
      const before = (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body;
      const paul = await newMember(alice, server.url, 'paul@solarco.example', 'member');
      assert.equal((await paul.post('/api/v1/vpn/profile', { publicKey: key() })).status, 201);
      assert.deepEqual((await paul.get('/api/v1/vpn/routes')).body, [], 'a member without job role has no route');
      const granted = await alice.post(`${ORG}/job-roles`, { user: 'paul@solarco.example', plant: 'Park C', role: 'operator' });
      assert.equal(granted.status, 201, JSON.stringify(granted.body));
      assert.deepEqual(granted.body.changes, ['+ job role operator for paul@solarco.example on plant Park C (SolarCo)']);
      assert.ok(granted.body.revision > before.revision);
      const routes = (await paul.get('/api/v1/vpn/routes')).body;
      assert.deepEqual(routes.map((r: { plant: string; subnet: string; via: string }) => [r.plant, r.subnet, r.via]), [['Park C', '10.30.0.0/24', 'own']]);
      const paulIp = (await paul.get('/api/v1/vpn/profile')).body.profile.tunnelIp;
      const allowedOf = (state: { allowed: Array<{ userIp: string; mapped: string }> }) => state.allowed.filter((a) => a.userIp === paulIp).map((a) => a.mapped);
      assert.deepEqual(allowedOf(before), []);
      const after = (await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body;
      assert.ok(after.revision > before.revision, 'the gateways get a new revision');
      assert.deepEqual(allowedOf(after), [routes[0].mapped], 'the gateway lets the member reach the plant');
      const listed = (await mona.get(`${ORG}/job-roles`)).body.filter((j: { user: { email: string } }) => j.user.email === 'paul@solarco.example');
      assert.deepEqual(listed.map((j: { target: { name: string }; role: string; cooperationId: null }) => [j.target.name, j.role, j.cooperationId]), [['Park C', 'operator', null]]);
      const moved = (await alice.get(`${ORG}/events?kind=routes.changed&user=paul@solarco.example`)).body.events;
      assert.equal(moved.length, 1);
      assert.deepEqual(moved[0].details.added, ['SolarCo/Park C 10.30.0.0/24']);

      const removed = await alice.delete(`${ORG}/members/paul@solarco.example`);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      assert.deepEqual((await paul.get('/api/v1/vpn/routes')).body, [], 'removing the member removes their routes');
      assert.equal((await alice.get(`${ORG}/job-roles`)).body.some((j: { user: { email: string } }) => j.user.email === 'paul@solarco.example'), false, 'and their job roles');
      assert.deepEqual(allowedOf((await gw.client.get(`/api/v1/gateways/${gw.id}/state`)).body), [], 'and the gateway no longer lets them through');
    });

    it('P4: a Viewer and an Asset Manager get no route; a Guest gets none even as Operator', async () => {
      const vera = await newMember(alice, server.url, 'vera@solarco.example', 'member');
      for (const role of ['viewer', 'asset-manager']) {
        assert.equal((await alice.post(`${ORG}/job-roles`, { user: 'vera@solarco.example', plant: 'Park C', role })).status, 201);
        assert.deepEqual((await vera.get('/api/v1/vpn/routes')).body, [], role);
      }
      assert.equal((await alice.post(`${ORG}/job-roles`, { user: 'vera@solarco.example', plant: 'Park C', role: 'operator' })).status, 201);
      assert.equal((await vera.get('/api/v1/vpn/routes')).body.length, 1, 'granting again replaces the role on that target');
      assert.equal((await alice.put(`${ORG}/members/vera@solarco.example`, { role: 'guest' })).status, 200);
      assert.deepEqual((await vera.get('/api/v1/vpn/routes')).body, [], 'demoted to guest: the route goes');
      const notMember = await alice.post(`${ORG}/job-roles`, { user: 'carol@windserv.example', plant: 'Park C', role: 'operator' });
      assert.equal(notMember.status, 404);
      assert.equal(notMember.body.error.field, 'user');
    });

    it('a Moderator is refused what only an Admin may do (403 naming the action and the role)', async () => {
      const rows: Array<[string, string, unknown, string]> = [
        ['put', `${ORG}/members/bob@solarco.example`, { role: 'moderator' }, 'members.set-role'],
        ['delete', `${ORG}/members/bob@solarco.example`, undefined, 'members.remove'],
        ['post', `${ORG}/cooperations`, { partner: 'OtherCo', plants: ['Park B'] }, 'cooperations.manage'],
        ['delete', `${ORG}/plants/Park%20B`, undefined, 'plants.delete'],
      ];
      for (const [method, path, body, action] of rows) {
        const r = await (mona as unknown as Record<string, (p: string, b?: unknown) => Promise<{ status: number; body: any }>>)[method]!(path, body);
        assert.equal(r.status, 403, path);
        assert.match(r.body.error.message, new RegExp(`^${action.replace('.', '\\.')} in SolarCo needs the org role admin; you are moderator`));
      }
      const selfDemote = await alice.put(`${ORG}/members/alice@solarco.example`, { role: 'member' });
      assert.equal(selfDemote.status, 409);
      assert.equal(selfDemote.body.error.code, 'last-admin');
    });

    it('cooperation: the partner Admin assigns job roles only on shared plants and only to its own members; it never sees the owner\u2019s plants, members or events', async () => {
      const coops = (await wanda.get('/api/v1/orgs/WindServ/cooperations')).body;
      assert.equal(coops.length, 1);
      const coop = coops[0];
      assert.equal(coop.side, 'partner');
      assert.deepEqual(coop.plants.map((p: { name: string }) => p.name), ['Park A', 'Park C']);
      assert.match(coop.plants[1].subnets[0].mapped, /^100\./);
      for (const path of ['/plants', '/members', '/events', '/job-roles', '/plants/Park%20B', '']) {
        assert.equal((await wanda.get(`${ORG}${path}`)).status, 404, `partner must not see ${ORG}${path}`);
      }
      const carol = await as('carol@windserv.example', 'carol-password');
      const grant = (body: unknown, who: Client = wanda) => who.post(`/api/v1/orgs/WindServ/cooperations/${coop.id}/job-roles`, body);
      const ok = await grant({ user: 'carol@windserv.example', plant: 'Park C', role: 'operator' });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      const carolRoutes = (await carol.get('/api/v1/vpn/routes')).body.map((r: { plant: string; via: string }) => `${r.plant}:${r.via}`);
      assert.deepEqual(carolRoutes.sort(), ['Park A:cooperation', 'Park C:cooperation']);
      const notShared = await grant({ user: 'carol@windserv.example', plant: 'Park B', role: 'operator' });
      const unknownPlant = await grant({ user: 'carol@windserv.example', plant: 'Park Nowhere', role: 'operator' });
      assert.equal(notShared.status, 404);
      assert.equal(notShared.body.error.field, 'plant');
      assert.deepEqual(notShared.body.error.code, unknownPlant.body.error.code, 'a plant not shared is as unknown as one that does not exist');
      const notOwnMember = await grant({ user: 'bob@solarco.example', plant: 'Park C', role: 'operator' });
      assert.equal(notOwnMember.status, 404);
      assert.equal(notOwnMember.body.error.field, 'user');
      assert.equal((await grant({ user: 'carol@windserv.example', plant: 'Park C', role: 'viewer' }, carol)).status, 403, 'a partner Member may not assign');
      const ownerView = (await alice.get(`${ORG}/cooperations`)).body[0];
      assert.equal(ownerView.side, 'owner');
      const jobRole = ownerView.jobRoles.find((j: { target: { name: string } }) => j.target.name === 'Park C');
      assert.equal(jobRole.user.email, 'carol@windserv.example');
      assert.equal(jobRole.cooperationId, coop.id);
      assert.equal((await wanda.delete(`/api/v1/orgs/WindServ/cooperations/${coop.id}/job-roles/${jobRole.id}`)).status, 200);
      assert.deepEqual((await carol.get('/api/v1/vpn/routes')).body.map((r: { plant: string }) => r.plant), ['Park A']);
      assert.ok((await wanda.get('/api/v1/orgs/WindServ/events')).body.events.some((e: { kind: string }) => e.kind === 'org.job-role-removed'), 'the partner sees its own changes');
    });

    it('explain access: why a user reaches or not, with the routes now and the profile; an unrelated user is unknown', async () => {
      const gus = await mona.get(`${ORG}/explain?user=gus@solarco.example&plant=Park%20A`);
      assert.equal(gus.status, 200, JSON.stringify(gus.body));
      assert.equal(gus.body.reaches, false);
      assert.equal(gus.body.decisive, 'denied: guest');
      assert.deepEqual(gus.body.routes, []);
      const alicePark = (await alice.get(`${ORG}/explain?user=alice@solarco.example&plant=Park%20C`)).body;
      assert.equal(alicePark.reaches, true);
      assert.equal(alicePark.via, 'own');
      assert.deepEqual(alicePark.routes.map((r: { subnet: string }) => r.subnet), ['10.30.0.0/24']);
      assert.equal(alicePark.hasActiveProfile, false);
      assert.ok(alicePark.steps.some((s: { ok: boolean; text: string }) => s.ok && /portfolio North/.test(s.text)), JSON.stringify(alicePark.steps));
      const carol = (await alice.get(`${ORG}/explain?user=carol@windserv.example&plant=Park%20A`)).body;
      assert.equal(carol.via, 'cooperation');
      const unrelated = await alice.get(`${ORG}/explain?user=${OPERATOR.email}&plant=Park%20A`);
      const missing = await alice.get(`${ORG}/explain?user=nobody@nowhere.example&plant=Park%20A`);
      assert.equal(unrelated.status, 404);
      assert.equal(unrelated.body.error.code, missing.body.error.code);
      assert.equal((await bob.get(`${ORG}/explain?user=gus@solarco.example&plant=Park%20A`)).status, 403);
    });

    it('portfolios: a job role on a portfolio opens its plants; changing the plant list moves the routes', async () => {
      const pia = await newMember(alice, server.url, 'pia@solarco.example', 'member');
      assert.equal((await mona.post(`${ORG}/portfolios`, { name: 'South', plants: ['Park B'] })).status, 201);
      assert.equal((await mona.post(`${ORG}/portfolios`, { name: 'South' })).status, 409);
      assert.equal((await alice.post(`${ORG}/job-roles`, { user: 'pia@solarco.example', portfolio: 'South', role: 'technical-manager' })).status, 201);
      assert.deepEqual((await pia.get('/api/v1/vpn/routes')).body.map((r: { plant: string }) => r.plant), ['Park B']);
      assert.equal((await mona.put(`${ORG}/portfolios/South`, { name: 'South Parks', plants: ['Park C'] })).status, 200);
      assert.deepEqual((await pia.get('/api/v1/vpn/routes')).body.map((r: { plant: string }) => r.plant), ['Park C'], 'renamed in place: the job role stays');
      const listed = (await bob.get(`${ORG}/portfolios`)).body.find((f: { name: string }) => f.name === 'South Parks');
      assert.deepEqual(listed.plants.map((p: { name: string }) => p.name), ['Park C']);
      const bad = await mona.post(`${ORG}/portfolios`, { name: 'X', plants: ['Park A', 'Park Nowhere'] });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, 'plants[1]');
      assert.equal((await mona.delete(`${ORG}/portfolios/South%20Parks`)).status, 200);
      assert.deepEqual((await pia.get('/api/v1/vpn/routes')).body, []);
    });

    it('concurrent edits lose nothing: parallel subnet adds and job-role grants all land', async () => {
      const cidrs = ['10.31.0.0/24', '10.32.0.0/24', '10.33.0.0/24', '10.34.0.0/24'];
      const results = await Promise.all([
        ...cidrs.map((cidr, i) => (i % 2 ? alice : mona).post(`${ORG}/plants/Park%20C/subnets`, { cidr })),
        alice.post(`${ORG}/job-roles`, { user: 'bob@solarco.example', plant: 'Park C', role: 'operator' }),
        mona.post(`${ORG}/job-roles`, { user: 'mona@solarco.example', plant: 'Park C', role: 'operator' }),
      ]);
      assert.deepEqual(results.map((r) => r.status), [201, 201, 201, 201, 201, 201], JSON.stringify(results.map((r) => r.body)));
      const subnets = (await alice.get(`${ORG}/plants/Park%20C`)).body.subnets.map((s: { cidr: string }) => s.cidr);
      assert.deepEqual(subnets, ['10.30.0.0/24', ...cidrs]);
      const mapped = new Set((await alice.get(`${ORG}/plants/Park%20C`)).body.subnets.map((s: { mapped: string }) => s.mapped));
      assert.equal(mapped.size, 5, 'each subnet its own mapped prefix');
      const holders = (await alice.get(`${ORG}/job-roles`)).body
        .filter((j: { target: { name: string } }) => j.target.name === 'Park C')
        .map((j: { user: { email: string } }) => j.user.email);
      for (const email of ['bob@solarco.example', 'mona@solarco.example']) assert.ok(holders.includes(email), email);
      assert.equal((await bob.get('/api/v1/vpn/routes')).body.filter((r: { plant: string }) => r.plant === 'Park C').length, 5);
    });

    it('events: the organization\u2019s own events, newest first, paged by id', async () => {
      const first = (await alice.get(`${ORG}/events?limit=3`)).body;
      assert.equal(first.events.length, 3);
      assert.ok(first.events[0].id > first.events[2].id);
      assert.equal(first.nextBefore, first.events[2].id);
      const second = (await alice.get(`${ORG}/events?limit=3&before=${first.nextBefore}`)).body;
      assert.ok(second.events.every((e: { id: number }) => e.id < first.nextBefore));
      const kinds = new Set((await alice.get(`${ORG}/events?limit=500`)).body.events.map((e: { kind: string }) => e.kind));
      for (const kind of ['org.plant-created', 'org.subnet-added', 'org.member-invited', 'org.job-role-granted', 'routes.changed']) assert.ok(kinds.has(kind), kind);
      assert.equal(kinds.has('fleet.applied'), false, 'installation-wide events are the operators\u2019');
      const other = (await (await as('otto@otherco.example', 'otto-password')).get('/api/v1/orgs/OtherCo/events')).body.events;
      assert.equal(other.some((e: { details: { plant?: string } }) => e.details.plant !== undefined), false, 'another organization sees none of them');
      const bad = await alice.get(`${ORG}/events?before=x`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, 'before');
    });

    it('cooperation: a partner removing its member removes the job roles it assigned them within the cooperation', async () => {
      const cleo = await newMember(wanda, server.url, 'cleo@windserv.example', 'member', '/api/v1/orgs/WindServ');
      const coop = (await wanda.get('/api/v1/orgs/WindServ/cooperations')).body[0];
      assert.equal((await wanda.post(`/api/v1/orgs/WindServ/cooperations/${coop.id}/job-roles`, { user: 'cleo@windserv.example', plant: 'Park C', role: 'operator' })).status, 201);
      assert.deepEqual([...new Set((await cleo.get('/api/v1/vpn/routes')).body.map((r: { plant: string }) => r.plant))], ['Park C']);
      const again = await wanda.post('/api/v1/orgs/WindServ/invitations', { email: 'cleo@windserv.example', role: 'member' });
      assert.equal(again.status, 409, 'a member is not invited twice');
      assert.equal((await wanda.delete('/api/v1/orgs/WindServ/members/cleo@windserv.example')).status, 200);
      assert.deepEqual((await cleo.get('/api/v1/vpn/routes')).body, []);
      const ownerView = (await alice.get(`${ORG}/cooperations`)).body.find((c: { id: string }) => c.id === coop.id);
      assert.equal(ownerView.jobRoles.some((j: { user: { email: string } }) => j.user.email === 'cleo@windserv.example'), false);
    });

    it('cooperation: offer, change shares, end; the partner\u2019s routes follow', async () => {
      const offered = await alice.post(`${ORG}/cooperations`, { partner: 'OtherCo', plants: ['Park B'] });
      assert.equal(offered.status, 201, JSON.stringify(offered.body));
      assert.equal((await alice.post(`${ORG}/cooperations`, { partner: 'OtherCo' })).body.error.code, 'cooperation-exists');
      const otto = await as('otto@otherco.example', 'otto-password');
      const theirs = (await otto.get('/api/v1/orgs/OtherCo/cooperations')).body.find((c: { owner: { name: string } }) => c.owner.name === 'SolarCo');
      assert.deepEqual(theirs.plants.map((p: { name: string }) => p.name), ['Park B']);
      assert.equal((await otto.post(`/api/v1/orgs/OtherCo/cooperations/${theirs.id}/job-roles`, { user: 'otto@otherco.example', plant: 'Park B', role: 'operator' })).status, 201);
      assert.deepEqual((await otto.get('/api/v1/vpn/routes')).body.map((r: { plant: string }) => r.plant), ['Park B']);
      const changed = await alice.put(`${ORG}/cooperations/${theirs.id}`, { plants: ['Park C'] });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual((await otto.get('/api/v1/vpn/routes')).body, [], 'no longer shared: the partner job role on it goes');
      const windCoop = (await alice.get(`${ORG}/cooperations`)).body.find((c: { partner: { name: string } }) => c.partner.name === 'WindServ');
      const carol = await as('carol@windserv.example', 'carol-password');
      assert.equal((await carol.get('/api/v1/vpn/routes')).body.length, 1);
      assert.equal((await alice.post(`${ORG}/cooperations/${windCoop.id}/end`)).status, 200);
      assert.deepEqual((await carol.get('/api/v1/vpn/routes')).body, [], 'ended: the partner\u2019s routes go');
      const all = (await alice.get(`${ORG}/cooperations?ended=true`)).body;
      assert.ok(all.some((c: { id: string; endedAt: string | null }) => c.id === windCoop.id && c.endedAt !== null), 'an ended cooperation is kept as history');
      assert.equal((await alice.get(`${ORG}/cooperations`)).body.some((c: { id: string }) => c.id === windCoop.id), false);
      const orgs = (await op.get('/api/v1/orgs')).body.map((o: { name: string }) => o.name);
      assert.deepEqual(orgs, ['OtherCo', 'SolarCo', 'WindServ'], 'an organization edit never removes another organization');
    });

    it('a Guest sees the organization but not its plants or members', async () => {
      const gus = await as('gus@solarco.example', 'gus-password');
      assert.equal((await gus.get(ORG)).status, 200);
      assert.equal((await gus.get(`${ORG}/plants`)).status, 403);
      assert.equal((await gus.get(`${ORG}/members`)).status, 403);
    });

    // Last: it leaves this address blocked for logins too (one budget per source, like login guessing).
    it('invitation links are throttled like logins: guessing from one address is answered 429 before long', async () => {
      const anon = http(server.url);
      let status = 0;
      let tries = 0;
      for (; tries < 60 && status !== 429; tries++) {
        status = (await anon.post('/api/v1/invitations/lookup', { token: `pgi_${randomBytes(32).toString('base64url')}` })).status;
        if (status !== 429) assert.equal(status, 404);
      }
      assert.equal(status, 429, 'unknown tokens from one address are throttled');
      assert.ok(tries <= 30, `blocked after ${tries} guesses`);
    });
  });
}

const key = () => generateWireGuardKeyPair().publicKey;

async function enrolGateway(op: Client, base: string) {
  const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
  const enrolled = await http(base).post('/api/v1/enrol', { token: created.body.token });
  if (enrolled.status !== 201) throw new Error(JSON.stringify(enrolled.body));
  return { id: enrolled.body.id as string, client: http(base, enrolled.body.credential) };
}

/** Invited by `admin`, accepted with a new account, logged in. */
async function newMember(admin: Client, base: string, email: string, role: string, org = ORG): Promise<Client> {
  const invited = await admin.post(`${org}/invitations`, { email, role });
  if (invited.status !== 201) throw new Error(JSON.stringify(invited.body));
  const accepted = await http(base).post('/api/v1/invitations/accept', { token: invited.body.token, password: `${email}-password` });
  if (accepted.status !== 200) throw new Error(JSON.stringify(accepted.body));
  return http(base, await login(base, email, `${email}-password`));
}
