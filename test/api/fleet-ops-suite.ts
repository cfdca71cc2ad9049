import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { generateFleet, toFleetFile } from '../../bench/fleet-generator.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof http>;

const ROOT = join(import.meta.dirname, '../..');

/** The first ```yaml block of a Markdown document, as written. */
function firstYamlBlock(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  const match = /```yaml\n([\s\S]*?)```/.exec(text);
  if (!match) throw new Error(`${path} has no yaml block`);
  return parse(match[1] as string);
}

/**
 * Operator safety around the fleet (issue 7, items 13 and 14): an apply removes only on
 * purpose, an export round-trips, plants and regions with enrolled daemons need --force.
 * Run against every storage engine.
 */
export function fleetOpsSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`fleet operations on ${engine}`, () => {
    let server: Server;
    let op: Client;
    const apply = (document: unknown, flags: { dryRun?: boolean; prune?: boolean; force?: boolean } = {}) => op.post('/api/v1/admin/fleet', { document, ...flags });
    const exportFleet = async () => {
      const r = await op.get('/api/v1/admin/fleet');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    };
    const orgNames = async () => (await exportFleet()).organizations.map((o: { name: string }) => o.name);

    before(async () => {
      server = await startTestServer({ database: await database() });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    });
    after(async () => server?.close());

    it('#13: the example in docs/fleet-file.md applies as written (into a fresh installation)', async () => {
      const example = firstYamlBlock(join(ROOT, 'docs/fleet-file.md'));
      const r = await apply(example);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.changes.includes('+ organization SolarCo'), JSON.stringify(r.body.changes));
      assert.deepEqual((await apply(example)).body.changes, [], 'and again as "no changes"');
    });

    it('#13: a fleet file listing one new organization deleted every organization it did not list', async () => {
      assert.equal((await apply(baseFleet(), { prune: true })).status, 200);
      const only = { users: [{ email: 'nina@newco.example', name: 'Nina' }], organizations: [{ name: 'NewCo', members: [{ email: 'nina@newco.example', role: 'admin' }] }] };
      const dry = await apply(only, { dryRun: true });
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      assert.deepEqual(
        dry.body.changes.filter((c: string) => c.startsWith('-')),
        [],
        'the dry run says nothing would be removed',
      );
      assert.ok(dry.body.kept.includes('- organization SolarCo (with its plants, portfolios, memberships and cooperations)'), JSON.stringify(dry.body.kept));
      const applied = await apply(only);
      assert.equal(applied.status, 200);
      assert.deepEqual(applied.body.changes, ['+ user nina@newco.example', '+ organization NewCo', '+ member nina@newco.example (admin) of NewCo']);
      assert.deepEqual((await orgNames()).sort(), ['NewCo', 'SolarCo', 'WindServ'], 'every organization the file did not list is still there');
      const sharing = {
        organizations: [
          {
            ...only.organizations[0],
            plants: [{ name: 'Depot', subnets: ['10.77.0.0/24'] }],
            cooperations: [{ partner: 'WindServ', plants: ['Depot'], jobRoles: [{ user: 'carol@windserv.example', plant: 'Depot', role: 'operator' }] }],
          },
        ],
      };
      const shared = await apply(sharing);
      assert.equal(shared.status, 200, `a partial file may name a stored organization as partner: ${JSON.stringify(shared.body)}`);
      assert.ok(shared.body.changes.includes('+ cooperation NewCo → WindServ'), JSON.stringify(shared.body.changes));
      const pruning = await apply(sharing, { prune: true, dryRun: true });
      assert.equal(pruning.status, 400, 'a pruning file must list the partner it keeps');
      assert.equal(pruning.body.error.field, 'organizations[0].cooperations[0].partner');
      const alice = await op.get('/api/v1/admin/routes?user=alice@solarco.example');
      assert.equal(alice.body.routes.length, 3, 'and so are its routes');
    });

    it('#13: removals happen with prune, and with a file that says complete: true', async () => {
      const edited = baseFleet();
      edited.organizations[0]!.jobRoles = edited.organizations[0]!.jobRoles.filter((j) => j.user !== 'gus@solarco.example');
      const kept = await apply(edited);
      assert.deepEqual(kept.body.changes, []);
      assert.ok(kept.body.kept.some((k: string) => k.startsWith('- job role operator for gus@solarco.example')), JSON.stringify(kept.body.kept));
      const pruned = await apply(edited, { prune: true });
      assert.ok(pruned.body.changes.includes('- job role operator for gus@solarco.example on plant Park A (SolarCo)'), JSON.stringify(pruned.body.changes));
      assert.ok(pruned.body.changes.some((c: string) => c.startsWith('- organization NewCo')));
      assert.deepEqual((await orgNames()).sort(), ['SolarCo', 'WindServ']);
      const complete = { ...baseFleet(), complete: true };
      complete.organizations = complete.organizations.filter((o) => o.name === 'SolarCo');
      complete.organizations[0]!.cooperations = [];
      const whole = await apply(complete);
      assert.equal(whole.status, 200, JSON.stringify(whole.body));
      assert.ok(whole.body.changes.some((c: string) => c.startsWith('- organization WindServ')), JSON.stringify(whole.body.changes));
      assert.deepEqual(await orgNames(), ['SolarCo']);
      assert.equal((await apply(baseFleet(), { prune: true })).status, 200);
    });

    it('#13: export writes the current fleet as a file that applies as "no changes" (fixture, demo and generated fleets)', async () => {
      const demo = parse(readFileSync(join(ROOT, 'src/server/demo/fleet.yaml'), 'utf8'));
      const generated = toFleetFile(generateFleet({ seed: 7, users: 60, plants: 30, organizations: 4, cooperations: 5 }));
      for (const user of generated.users) (user as { password?: string }).password = undefined;
      for (const [name, fleet] of [
        ['fixture', baseFleet()],
        ['demo', demo],
        ['generated', generated],
      ] as const) {
        const loaded = await apply(fleet, { prune: true });
        assert.equal(loaded.status, 200, `${name}: ${JSON.stringify(loaded.body)}`);
        const exported = await exportFleet();
        const again = await apply(exported, { dryRun: true, prune: true });
        assert.equal(again.status, 200, `${name}: ${JSON.stringify(again.body)}`);
        assert.deepEqual(again.body.changes, [], `${name}: the export applies as no changes`);
        assert.deepEqual((await apply(exported)).body.kept, [], `${name}: and lacks nothing`);
      }
      assert.equal((await apply(baseFleet(), { prune: true, force: true })).status, 200);
    });

    it('#16 P6: temporarily disable and re-enable lost the user\u2019s priority choice (prefer A → disable A → enable A)', async () => {
      // alice was created by the docs example, with its password.
      const alice = http(server.url, await login(server.url, 'alice@solarco.example', 'change-me-alice'));
      const state = (routes: Array<{ plant: string; state: string }>) => Object.fromEntries(routes.map((x) => [x.plant, x.state]));
      const route = { plant: 'Park A', subnet: '192.168.1.0/24' };
      assert.deepEqual(state((await alice.put('/api/v1/vpn/routes/priority', route)).body), { 'Park A': 'priority', 'Park B': 'shadowed', 'Park C': 'active' });
      assert.deepEqual(state((await alice.put('/api/v1/vpn/routes/disabled', route)).body), { 'Park A': 'disabled', 'Park B': 'active', 'Park C': 'active' });
      assert.deepEqual(state((await alice.put('/api/v1/vpn/routes/enabled', route)).body), { 'Park A': 'priority', 'Park B': 'shadowed', 'Park C': 'active' });
      await server.ctx.fleet.load();
      assert.deepEqual(state((await alice.get('/api/v1/vpn/routes')).body), { 'Park A': 'priority', 'Park B': 'shadowed', 'Park C': 'active' }, 'stored, not only in memory');
      await alice.put('/api/v1/vpn/routes/disabled', route);
      await server.ctx.fleet.load();
      assert.equal(state((await alice.put('/api/v1/vpn/routes/enabled', route)).body)['Park A'], 'priority', 'the remembered choice survives a reload');
    });

    it('#8: WireGuard keys were not unique across profiles, agents, gateways and the service key', async () => {
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'keys', endpoint: 'vpn-keys.example.test:51820' })).status, 201);
      const enrolAgent = async (plant: string) => {
        const token = (await op.post('/api/v1/admin/agents/enrolments', { plant })).body.token;
        const enrolled = (await http(server.url).post('/api/v1/enrol', { token })).body;
        return { id: enrolled.id as string, client: http(server.url, enrolled.credential) };
      };
      const a = await enrolAgent('SolarCo/Park A');
      const c = await enrolAgent('SolarCo/Park C');
      const gwToken = (await op.post('/api/v1/admin/gateways/enrolments', { region: 'keys' })).body.token;
      const gwEnrolled = (await http(server.url).post('/api/v1/enrol', { token: gwToken })).body;
      const gw = http(server.url, gwEnrolled.credential);
      const agentKey = generateWireGuardKeyPair().publicKey;
      assert.equal((await a.client.post(`/api/v1/agents/${a.id}/register`, { publicKey: agentKey })).status, 200);
      assert.equal((await a.client.post(`/api/v1/agents/${a.id}/register`, { publicKey: agentKey })).status, 200, 'the same agent again: fine');

      const stolen = await c.client.post(`/api/v1/agents/${c.id}/register`, { publicKey: agentKey });
      assert.equal(stolen.status, 409, 'an agent registering another plant\u2019s agent key');
      assert.equal(stolen.body.error.field, 'publicKey');
      assert.match(stolen.body.error.message, /already in use by a plant agent/);
      const siteAsAgent = await gw.post(`/api/v1/gateways/${gwEnrolled.id}/register`, { sitePublicKey: agentKey, siteEndpoint: '198.51.100.9:51821' });
      assert.equal(siteAsAgent.status, 409);
      assert.equal(siteAsAgent.body.error.field, 'sitePublicKey');
      const siteAsService = await gw.post(`/api/v1/gateways/${gwEnrolled.id}/register`, { sitePublicKey: server.ctx.servicePublicKey, siteEndpoint: '198.51.100.9:51821' });
      assert.equal(siteAsService.status, 409);
      assert.match(siteAsService.body.error.message, /service key/);
      const siteKey = generateWireGuardKeyPair().publicKey;
      assert.equal((await gw.post(`/api/v1/gateways/${gwEnrolled.id}/register`, { sitePublicKey: siteKey, siteEndpoint: '198.51.100.9:51821' })).status, 200);

      const alice = http(server.url, await login(server.url, 'alice@solarco.example', 'change-me-alice'));
      for (const [what, key] of [
        ['the service public key', server.ctx.servicePublicKey],
        ['an agent key', agentKey],
        ['a gateway site key', siteKey],
      ] as const) {
        const r = await alice.post('/api/v1/vpn/profile', { publicKey: key });
        assert.equal(r.status, 409, `a profile issued to ${what}`);
        assert.equal(r.body.error.field, 'publicKey');
      }
      const own = generateWireGuardKeyPair().publicKey;
      assert.equal((await alice.post('/api/v1/vpn/profile', { publicKey: own })).status, 201);
      const rotatedToService = await alice.post('/api/v1/vpn/profile/rotate', { publicKey: server.ctx.servicePublicKey });
      assert.equal(rotatedToService.status, 409, 'a profile rotated to the service public key');
      assert.equal((await alice.post('/api/v1/vpn/profile/rotate', { publicKey: agentKey })).status, 409, 'a profile rotated to an agent key');
      const profileAsAgent = await c.client.post(`/api/v1/agents/${c.id}/register`, { publicKey: own });
      assert.equal(profileAsAgent.status, 409, 'an agent registering a user\u2019s profile key');
      assert.match(profileAsAgent.body.error.message, /personal VPN profile/);
      const next = generateWireGuardKeyPair().publicKey;
      assert.equal((await alice.post('/api/v1/vpn/profile/rotate', { publicKey: next })).status, 200);
      assert.equal((await c.client.post(`/api/v1/agents/${c.id}/register`, { publicKey: own })).status, 409, 'a retired profile key stays taken');
      const state = (await op.get('/api/v1/admin/regions/keys/state')).body;
      const keys = [...state.peers.map((p: { publicKey: string }) => p.publicKey), ...state.sites.map((x: { agentPublicKey: string | null }) => x.agentPublicKey).filter(Boolean)];
      assert.equal(new Set(keys).size, keys.length, 'the gateway document holds every key once');

      // A removed agent's key is free again (the same host enrolled anew keeps its key).
      assert.equal((await op.delete(`/api/v1/admin/agents/${a.id}`)).status, 204);
      assert.equal((await c.client.post(`/api/v1/agents/${c.id}/register`, { publicKey: agentKey })).status, 200);
      assert.equal((await alice.post('/api/v1/vpn/profile/revoke')).status, 200);
      assert.equal((await op.delete(`/api/v1/admin/agents/${c.id}`)).status, 204);
      assert.equal((await op.delete('/api/v1/admin/regions/keys?force=true')).status, 204);
    });

    it('#9: daemon status reports were unbounded (a 100 MB row; admin agent list returned 95 MiB)', async () => {
      const token = (await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park C' })).body.token;
      const agent = (await http(server.url).post('/api/v1/enrol', { token, name: 'park-c-agent' })).body;
      const client = http(server.url, agent.credential);
      const status = (report: unknown) => client.post(`/api/v1/agents/${agent.id}/status`, report);
      const peer = (i: number) => ({
        publicKey: generateWireGuardKeyPair().publicKey,
        endpoint: `[2001:db8::${i.toString(16)}]:51821`,
        latestHandshake: 1_800_000_000 + i,
        rxBytes: 2 ** 40,
        txBytes: 2 ** 40,
      });
      const largest = { appliedRevision: 1, version: 'v'.repeat(50), peers: Array.from({ length: 1000 }, (_, i) => peer(i)), peerCount: 250_000, peersWithRecentHandshake: 1000, lastError: 'e'.repeat(1024) };
      for (const [name, report, field] of [
        ['lastError over 1 kB', { ...largest, lastError: 'e'.repeat(1025) }, 'lastError'],
        ['1,001 peers', { ...largest, peers: [...largest.peers, peer(1000)] }, 'peers'],
        ['a peer key of 2 kB', { ...largest, peers: [{ ...peer(1), publicKey: 'k'.repeat(2048) }] }, 'peers[0].publicKey'],
        ['an unknown field', { ...largest, notes: 'x' }, 'notes'],
      ] as const) {
        const r = await status(report);
        assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body).slice(0, 300)}`);
        assert.equal(r.body.error.field, field, name);
      }
      assert.equal((await status(largest)).status, 204, 'the largest report within bounds is taken');
      const listed = await fetch(`${server.url}/api/v1/admin/agents`, { headers: { authorization: `Bearer ${await login(server.url, OPERATOR.email, OPERATOR.password)}` } });
      const text = await listed.text();
      assert.ok(text.length < 256 * 1024, `one agent's listing stays small: ${text.length} bytes`);
      const row = JSON.parse(text).find((a: { id: string }) => a.id === agent.id);
      assert.equal(row.status.peerCount, 250_000);
      assert.equal(row.status.peers.length, 1000);
      assert.equal((await op.delete(`/api/v1/admin/agents/${agent.id}`)).status, 204);
    });

    it('#14: removing a plant with an enrolled agent is refused naming it; --force removes both and records an event', async () => {
      const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park B' });
      assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
      const agent = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token, name: 'park-b-agent' })).body;
      const withoutB = baseFleet();
      withoutB.organizations[0]!.plants = withoutB.organizations[0]!.plants.filter((p) => p.name !== 'Park B');
      withoutB.organizations[0]!.jobRoles = withoutB.organizations[0]!.jobRoles.filter((j) => j.plant !== 'Park B');
      for (const dryRun of [true, false]) {
        const refused = await apply(withoutB, { prune: true, dryRun });
        assert.equal(refused.status, 409, JSON.stringify(refused.body));
        assert.match(refused.body.error.message, /agent park-b-agent .* of plant SolarCo\/Park B/);
        assert.match(refused.body.error.message, /--force/);
      }
      const orgGone = { ...baseFleet(), organizations: [baseFleet().organizations[1]!] };
      assert.equal((await apply(orgGone, { prune: true })).status, 409, 'removing the whole organization is refused too');
      const agents = async () => (await op.get('/api/v1/admin/agents')).body.map((a: { name: string }) => a.name);
      assert.deepEqual(await agents(), ['park-b-agent'], 'the refused apply changed nothing');
      const forced = await apply(withoutB, { prune: true, force: true });
      assert.equal(forced.status, 200, JSON.stringify(forced.body));
      assert.ok(forced.body.changes.some((c: string) => /^- agent park-b-agent .* of plant SolarCo\/Park B/.test(c)), JSON.stringify(forced.body.changes));
      assert.deepEqual(await agents(), []);
      assert.equal((await http(server.url, agent.credential).get(`/api/v1/agents/${agent.id}/state`)).status, 401);
      const events = (await op.get('/api/v1/admin/events?kind=daemon.removed')).body;
      assert.equal(events[0].details.name, 'park-b-agent');
      assert.equal(events[0].details.plant, 'SolarCo/Park B');
      assert.equal((await apply(baseFleet(), { prune: true })).status, 200);
    });

    it('#14: removing a region with enrolled gateways is refused naming them; force removes them and records an event', async () => {
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-west', endpoint: 'vpn-west.example.test:51820' })).status, 201);
      const token = (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-west' })).body.token;
      const gw = (await http(server.url).post('/api/v1/enrol', { token, name: 'gw-west-1' })).body;
      const refused = await op.delete('/api/v1/admin/regions/eu-west');
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.field, 'name');
      assert.match(refused.body.error.message, /gw-west-1/);
      assert.deepEqual(
        (await op.get('/api/v1/admin/gateways')).body.map((g: { name: string }) => g.name),
        ['gw-west-1'],
      );
      assert.equal((await op.delete('/api/v1/admin/regions/eu-west?force=true')).status, 204);
      assert.deepEqual((await op.get('/api/v1/admin/gateways')).body, []);
      assert.equal((await http(server.url, gw.credential).get(`/api/v1/gateways/${gw.id}/state`)).status, 401);
      const events = (await op.get('/api/v1/admin/events?kind=daemon.removed')).body;
      assert.equal(events[0].details.name, 'gw-west-1');
      assert.equal(events[0].details.region, 'eu-west');
      assert.equal((await op.post('/api/v1/admin/regions', { name: 'empty', endpoint: 'vpn-empty.example.test:51820' })).status, 201);
      assert.equal((await op.delete('/api/v1/admin/regions/empty')).status, 204, 'a region without gateways goes without --force');
    });
  });
}
