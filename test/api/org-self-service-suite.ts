import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
      const refused = await alice.delete(`${ORG}/plants/Park%20G`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'plant-has-agent');
      const forced = await alice.delete(`${ORG}/plants/Park%20G?force=true`);
      assert.equal(forced.status, 200, JSON.stringify(forced.body));
      assert.equal((await op.get('/api/v1/admin/agents')).body.some((a: { id: string }) => a.id === agent.body.id), false);
    });

    it('a Guest sees the organization but not its plants or members', async () => {
      const gus = await as('gus@solarco.example', 'gus-password');
      assert.equal((await gus.get(ORG)).status, 200);
      assert.equal((await gus.get(`${ORG}/plants`)).status, 403);
      assert.equal((await gus.get(`${ORG}/members`)).status, 403);
    });
  });
}

export const key = () => generateWireGuardKeyPair().publicKey;
