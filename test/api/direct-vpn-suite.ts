import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { manualEntryCases } from './direct-vpn-manual-cases.ts';
import { orgFleet } from './org-self-service-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof http>;

const PARK_A = '/api/v1/plants/Park%20A/direct-vpns';
const PARK_C = '/api/v1/plants/Park%20C/direct-vpns';

/** An outgoing WireGuard upload as a plant router exports it, with a default route next to the plant LAN. */
function wireGuardUpload(extra = ''): { text: string; privateKey: string; presharedKey: string } {
  const agent = generateWireGuardKeyPair();
  const router = generateWireGuardKeyPair();
  const psk = generateWireGuardKeyPair().privateKey;
  const text = [
    '[Interface]',
    `PrivateKey = ${agent.privateKey}`,
    'Address = 10.99.0.2/32',
    'DNS = 10.99.0.1',
    extra,
    '',
    '[Peer]',
    `PublicKey = ${router.publicKey}`,
    `PresharedKey = ${psk}`,
    'Endpoint = router.park-c.example:51820',
    'AllowedIPs = 0.0.0.0/0, 10.40.0.0/24',
    '',
  ].join('\n');
  return { text, privateKey: agent.privateKey, presharedKey: psk };
}

/** Direct plant VPNs, control plane (issue 9 items 1–3, 6, 7, 9), against a real server on every storage engine. */
export function directVpnSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`direct VPN API on ${engine}`, () => {
    let server: Server;
    let op: Client;
    let alice: Client;
    let mona: Client;
    let bob: Client;
    let carol: Client;
    let tina: Client;
    let otto: Client;
    const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));
    const plantSubnets = async (plant: string) =>
      ((await alice.get(`/api/v1/orgs/SolarCo/plants/${encodeURIComponent(plant)}`)).body.subnets as Array<{ cidr: string; mapped: string }>).map((s) => s.cidr);

    before(async () => {
      server = await startTestServer({ database: await database() });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const fleet = orgFleet();
      fleet.users.push({ email: 'tina@solarco.example', name: 'Tina', password: 'tina-password' });
      const solarCo = fleet.organizations[0]!;
      solarCo.members.push({ email: 'tina@solarco.example', role: 'member' });
      solarCo.jobRoles.push({ user: 'tina@solarco.example', plant: 'Park C', role: 'technical-manager' });
      const applied = await op.post('/api/v1/admin/fleet', { document: fleet });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      alice = await as('alice@solarco.example', 'alice-password');
      mona = await as('mona@solarco.example', 'mona-password');
      bob = await as('bob@solarco.example', 'bob-password');
      carol = await as('carol@windserv.example', 'carol-password');
      tina = await as('tina@solarco.example', 'tina-password');
      otto = await as('otto@otherco.example', 'otto-password');
    });
    after(async () => server?.close());

    it('D3: a dry run returns the review and changes nothing; the real create routes the subnets as plant subnets', async () => {
      const upload = wireGuardUpload();
      const request = { name: 'Router C', direction: 'outgoing', protocol: 'wireguard', config: upload.text };
      const dry = await mona.post(PARK_C, { ...request, dryRun: true });
      assert.equal(dry.status, 201, JSON.stringify(dry.body));
      assert.equal(dry.body.dryRun, true);
      assert.equal(dry.body.vpn, null);
      assert.deepEqual(dry.body.review, {
        direction: 'outgoing',
        protocol: 'wireguard',
        subnets: ['10.40.0.0/24'],
        subnetsFromConfig: ['10.40.0.0/24'],
        stripped: [{ what: '0.0.0.0/0', line: 11 }],
        ignored: [{ directive: 'DNS', line: 4 }],
        needsCredentials: false,
        crypto: null,
      });
      assert.deepEqual((await mona.get(PARK_C)).body, [], 'a dry run stores nothing');
      assert.deepEqual(await plantSubnets('Park C'), ['10.30.0.0/24'], 'a dry run adds no plant subnet');

      const created = await mona.post(PARK_C, request);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.dryRun, false);
      assert.deepEqual(created.body.review.stripped, [{ what: '0.0.0.0/0', line: 11 }], 'D5: the stripped default route is reported');
      assert.equal(created.body.vpn.name, 'Router C');
      assert.deepEqual(created.body.vpn.endpoints, ['router.park-c.example:51820']);
      assert.deepEqual(await plantSubnets('Park C'), ['10.30.0.0/24', '10.40.0.0/24']);
      const routes = (await alice.get('/api/v1/vpn/routes')).body as Array<{ plant: string; subnet: string; mapped: string }>;
      assert.ok(routes.some((r) => r.plant === 'Park C' && r.subnet === '10.40.0.0/24'), 'P5: an operator of Park C gets a route to the direct VPN subnet');

      const reads = JSON.stringify([(await mona.get(PARK_C)).body, (await mona.get(`${PARK_C}/Router%20C`)).body, created.body]);
      assert.equal(reads.includes(upload.privateKey), false, 'D10: the private key is in no read');
      assert.equal(reads.includes(upload.presharedKey), false, 'D10: the pre-shared key is in no read');
      const events = (await alice.get('/api/v1/orgs/SolarCo/events?kind=direct-vpn.created')).body;
      assert.equal(JSON.stringify(events).includes('Router C'), true, 'A4: the create is an event');
      assert.equal(JSON.stringify(events).includes(upload.privateKey), false);
    });

    it('D5: an upload with PostUp is refused naming the directive and its line; nothing is stored', async () => {
      const upload = wireGuardUpload('PostUp = iptables -F');
      const refused = await mona.post(PARK_C, { name: 'Router X', direction: 'outgoing', protocol: 'wireguard', config: upload.text, subnets: ['10.50.0.0/24'] });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error.field, 'config');
      assert.match(refused.body.error.message, /line 5 \(PostUp\)/);
      assert.deepEqual(
        refused.body.error.problems.map((p: { line: number; directive: string }) => [p.line, p.directive]),
        [[5, 'PostUp']],
      );
      assert.equal((await mona.get(PARK_C)).body.some((v: { name: string }) => v.name === 'Router X'), false);
    });

    it('qa bad input: OpenVPN-only settings (advanced, credentials) on a WireGuard direct VPN are refused naming the field, not silently dropped; nothing is stored', async () => {
      const upload = wireGuardUpload('');
      const base = { name: 'Router W', direction: 'outgoing', protocol: 'wireguard', config: upload.text, subnets: ['10.51.0.0/24'] };
      const advanced = await mona.post(PARK_C, { ...base, advanced: { cipher: 'AES-128-CBC' } });
      assert.equal(advanced.status, 400, JSON.stringify(advanced.body));
      assert.equal(advanced.body.error.field, 'advanced');
      const credentials = await mona.post(PARK_C, { ...base, credentials: { username: 'u', password: 'p' } });
      assert.equal(credentials.status, 400, JSON.stringify(credentials.body));
      assert.equal(credentials.body.error.field, 'credentials');
      const hosted = await mona.post(PARK_C, { name: 'Router W', direction: 'hosted', protocol: 'wireguard', subnets: ['10.51.0.0/24'], listen: { host: 'h.example' }, advanced: { auth: 'SHA1' } });
      assert.equal(hosted.status, 400, JSON.stringify(hosted.body));
      assert.equal(hosted.body.error.field, 'advanced');
      const ovpn = await mona.post(PARK_C, { name: 'Router W', direction: 'outgoing', protocol: 'openvpn', config: readFileSync(new URL('../../src/core/direct-vpn/corpus/pfsense-openvpn.ovpn', import.meta.url), 'utf8'), subnets: ['10.51.0.0/24'], credentials: { username: 'u', password: 'p' } });
      assert.equal(ovpn.status, 400, JSON.stringify(ovpn.body));
      assert.equal(ovpn.body.error.field, 'credentials', 'an upload without auth-user-pass takes no credentials (as edit says)');
      assert.equal((await mona.get(PARK_C)).body.some((v: { name: string }) => v.name === 'Router W'), false);
    });

    it('qa bad input: a WireGuard upload whose peer is the agent\u2019s own key (a swapped key pair) is refused naming the line; nothing is stored', async () => {
      const agent = generateWireGuardKeyPair();
      const text = ['[Interface]', `PrivateKey = ${agent.privateKey}`, 'Address = 10.99.0.2/32', '', '[Peer]', `PublicKey = ${agent.publicKey}`, 'Endpoint = 192.0.2.7:51820', 'AllowedIPs = 10.40.0.0/24', ''].join('\n');
      const before = (await mona.get(PARK_A)).body.length;
      const r = await mona.post(PARK_A, { name: 'Swapped keys', direction: 'outgoing', protocol: 'wireguard', config: text, dryRun: true });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.field, 'config');
      assert.match(r.body.error.message, /line 5: the peer's PublicKey is the agent's own key/);
      assert.equal((await mona.get(PARK_A)).body.length, before);
    });

    it('D4: a subnet clashing with another direct VPN, the plant\u2019s own subnet or the mapped space is refused naming the range and its owner', async () => {
      const post = (subnets: string[]) => mona.post(PARK_C, { name: 'Router Y', direction: 'outgoing', protocol: 'wireguard', config: wireGuardUpload().text, subnets });
      const vpn = await post(['10.40.0.128/25']);
      assert.equal(vpn.status, 409, JSON.stringify(vpn.body));
      assert.equal(vpn.body.error.field, 'subnets[0]');
      assert.match(vpn.body.error.message, /overlaps 10\.40\.0\.0\/24, direct VPN "Router C" on this plant/);
      const own = await post(['10.30.0.0/16']);
      assert.equal(own.status, 409);
      assert.match(own.body.error.message, /overlaps 10\.30\.0\.0\/24, a VPN route of organization "SolarCo"/);
      const mapped = await post(['100.80.1.0/24']);
      assert.equal(mapped.status, 409, JSON.stringify(mapped.body));
      assert.match(mapped.body.error.message, /plantgate's (mapped space|reserved tunnel range)/);
      assert.equal((await mona.get(PARK_C)).body.length, 1, 'nothing half-applied');
    });

    it('D1/D5: an OpenVPN upload with auth-user-pass: advanced settings win, credentials are required and stored only sealed', async () => {
      const config = readFileSync(new URL('../../src/core/direct-vpn/corpus/mikrotik-openvpn.ovpn', import.meta.url), 'utf8');
      const base = { name: 'Router B', direction: 'outgoing', protocol: 'openvpn', config, subnets: ['10.62.0.0/24'] };
      const PARK_B = '/api/v1/plants/Park%20B/direct-vpns';
      const dry = await mona.post(PARK_B, { ...base, advanced: { cipher: 'AES-128-GCM' }, dryRun: true });
      assert.equal(dry.status, 201, JSON.stringify(dry.body));
      assert.equal(dry.body.review.needsCredentials, true);
      assert.deepEqual(dry.body.review.crypto, { ...dry.body.review.crypto, cipher: 'AES-128-GCM', auth: 'SHA1' });
      const noCredentials = await mona.post(PARK_B, base);
      assert.equal(noCredentials.status, 400);
      assert.equal(noCredentials.body.error.field, 'credentials');
      const wrongTransport = await mona.post(PARK_B, { ...base, transport: 'udp', credentials: { username: 'plant', password: 'pw-3x9-secret' } });
      assert.equal(wrongTransport.status, 400);
      assert.equal(wrongTransport.body.error.field, 'transport');
      assert.match(wrongTransport.body.error.message, /line 5/);
      const created = await mona.post(PARK_B, { ...base, advanced: { cipher: 'AES-128-GCM' }, credentials: { username: 'plant', password: 'pw-3x9-secret' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.vpn.transport, 'tcp');
      assert.deepEqual(created.body.vpn.endpoints, ['198.51.100.30:1194']);
      const reads = JSON.stringify([created.body, (await mona.get(PARK_B)).body, (await alice.get('/api/v1/orgs/SolarCo/events')).body]);
      for (const secret of ['pw-3x9-secret', 'PRIVATE KEY']) assert.equal(reads.includes(secret), false, `${secret} in a read`);
      const stored = await server.ctx.store.db.selectFrom('direct_vpns').selectAll().where('name', '=', 'Router B').executeTakeFirstOrThrow();
      assert.equal(`${stored.config}${stored.secrets}`.includes('pw-3x9-secret'), false, 'the password is stored sealed only');
      assert.equal(stored.config.includes('PRIVATE KEY'), false, 'the client key is not in the clear part');
      assert.match(String(stored.secrets), /^v1\./, 'sealed with the SecretBox');
      // Issue 9 data plane: Park B's own agent gets it to run, with the key, the credentials
      // and the advanced cipher applied; the model carries no route but the subnets'.
      const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park B' });
      const agent = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
      const agentClient = http(server.url, agent.credential);
      assert.equal((await agentClient.post(`/api/v1/agents/${agent.id}/register`, { publicKey: generateWireGuardKeyPair().publicKey })).status, 200);
      const state = (await agentClient.get(`/api/v1/agents/${agent.id}/state`)).body;
      const vpn = state.directVpns.find((entry: { name: string }) => entry.name === 'Router B');
      assert.ok(vpn, JSON.stringify(state.directVpns));
      assert.equal(vpn.protocol, 'openvpn');
      assert.equal(vpn.direction, 'outgoing');
      assert.deepEqual(vpn.credentials, { username: 'plant', password: 'pw-3x9-secret' });
      assert.match(vpn.model.key, /PRIVATE KEY/);
      assert.deepEqual([vpn.model.cipher, vpn.model.dataCiphers, vpn.model.auth], ['AES-128-GCM', ['AES-128-GCM'], 'SHA1']);
      assert.deepEqual(vpn.subnets, ['10.62.0.0/24']);
      assert.equal((await op.delete(`/api/v1/admin/agents/${agent.id}`)).status, 204, 'the agent enrolled here goes again (later tests remove Park B)');
      assert.equal((await mona.delete(`${PARK_B}/Router%20B`)).status, 200);
    });

    it('D10: Technical Manager sees, cooperation user reads only, Viewer is refused, stranger gets 404, Moderator manages', async () => {
      const list = await tina.get(PARK_C);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.map((v: { name: string }) => v.name), ['Router C']);
      const tinaCreates = await tina.post(PARK_C, { name: 'T', direction: 'outgoing', protocol: 'wireguard', config: wireGuardUpload().text, subnets: ['10.51.0.0/24'] });
      assert.equal(tinaCreates.status, 403);
      assert.match(tinaCreates.body.error.message, /Admin or Moderator of SolarCo/);
      assert.equal((await tina.post(`${PARK_C}/Router%20C/disable`)).status, 403);

      assert.equal((await carol.get(PARK_A)).status, 200, 'a cooperation Operator sees the shared plant\u2019s direct VPNs');
      const carolCreates = await carol.post(PARK_A, { name: 'K', direction: 'outgoing', protocol: 'wireguard', config: wireGuardUpload().text, subnets: ['10.52.0.0/24'] });
      assert.equal(carolCreates.status, 403, 'cooperation users are read only');

      assert.equal((await bob.get(PARK_A)).status, 403, 'a Viewer does not see direct VPNs');
      const stranger = await otto.get(PARK_C);
      const missing = await otto.get('/api/v1/plants/No%20Such%20Plant/direct-vpns');
      assert.equal(stranger.status, 404);
      assert.deepEqual(stranger, missing, 'S2: a plant of another organization looks missing');

      const hosted = await mona.post(PARK_A, { name: 'H', direction: 'hosted', protocol: 'wireguard', listen: { host: 'agent.example' } });
      assert.equal(hosted.status, 400, 'a hosted server needs the plant subnets behind its site client');
      assert.equal(hosted.body.error.field, 'subnets');
    });

    it('D8: removing a subnet with a device behind it answers with the device first; confirmed, the device goes with it', async () => {
      const device = await mona.post('/api/v1/orgs/SolarCo/plants/Park%20C/devices', { name: 'logger-c', ip: '10.40.0.9', kind: 'logger', ports: [80] });
      assert.equal(device.status, 201, JSON.stringify(device.body));
      const edit = await mona.put(`${PARK_C}/Router%20C`, { subnets: ['10.41.0.0/24'], description: 'Park C router' });
      assert.equal(edit.status, 409, JSON.stringify(edit.body));
      assert.equal(edit.body.error.code, 'subnet-has-devices');
      assert.match(edit.body.error.message, /logger-c \(10\.40\.0\.9\)/);
      assert.deepEqual(await plantSubnets('Park C'), ['10.30.0.0/24', '10.40.0.0/24'], 'unconfirmed: nothing changed');
      const confirmed = await mona.put(`${PARK_C}/Router%20C`, { subnets: ['10.41.0.0/24'], description: 'Park C router', confirm: true });
      assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
      assert.deepEqual(confirmed.body.vpn.subnets, ['10.41.0.0/24']);
      assert.equal(confirmed.body.vpn.description, 'Park C router');
      assert.deepEqual(await plantSubnets('Park C'), ['10.30.0.0/24', '10.41.0.0/24']);
      const devices = (await alice.get('/api/v1/orgs/SolarCo/plants/Park%20C')).body.devicesList.map((d: { name: string }) => d.name);
      assert.equal(devices.includes('logger-c'), false);
    });

    it('a direct VPN\u2019s subnet is not removed behind its back through the organization\u2019s subnet list', async () => {
      const r = await mona.delete('/api/v1/orgs/SolarCo/plants/Park%20C/subnets/10.41.0.0%2F24');
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'subnet-of-direct-vpn');
      assert.match(r.body.error.message, /direct VPN "Router C"/);
      assert.deepEqual(await plantSubnets('Park C'), ['10.30.0.0/24', '10.41.0.0/24']);
    });

    it('nor through a fleet file: an apply with prune that leaves out a direct VPN\u2019s subnet is refused whole, naming it', async () => {
      const exported = (await op.get('/api/v1/admin/fleet')).body;
      const document = structuredClone(exported);
      const plant = document.organizations.flatMap((o: { plants: Array<{ name: string; subnets: Array<string | { cidr: string }> }> }) => o.plants).find((p: { name: string }) => p.name === 'Park C');
      plant.subnets = plant.subnets.filter((s: string | { cidr: string }) => (typeof s === 'string' ? s : s.cidr) !== '10.41.0.0/24');
      for (const dryRun of [true, false]) {
        const r = await op.post('/api/v1/admin/fleet', { document, prune: true, dryRun });
        assert.equal(r.status, 409, JSON.stringify(r.body));
        assert.equal(r.body.error.code, 'subnet-of-direct-vpn');
        assert.match(r.body.error.message, /10\.41\.0\.0\/24 of plant Park C \(direct VPN "Router C"\)/);
      }
      assert.deepEqual(await plantSubnets('Park C'), ['10.30.0.0/24', '10.41.0.0/24']);
      const same = await op.post('/api/v1/admin/fleet', { document: exported, prune: true, dryRun: true });
      assert.equal(same.status, 200, JSON.stringify(same.body).slice(0, 300));
    });

    it('D7: disable and enable are events; delete removes the subnets and their routes', async () => {
      const disabled = await mona.post(`${PARK_C}/Router%20C/disable`);
      assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
      assert.equal(disabled.body.vpn.enabled, false);
      assert.equal((await mona.post(`${PARK_C}/Router%20C/enable`)).body.vpn.enabled, true);
      const kinds = (await alice.get('/api/v1/orgs/SolarCo/events')).body.events.map((e: { kind: string }) => e.kind);
      assert.ok(kinds.includes('direct-vpn.disabled') && kinds.includes('direct-vpn.enabled') && kinds.includes('direct-vpn.updated'), kinds.join(','));

      const removed = await mona.delete(`${PARK_C}/Router%20C`);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      assert.deepEqual((await mona.get(PARK_C)).body, []);
      assert.deepEqual(await plantSubnets('Park C'), ['10.30.0.0/24'], 'the direct VPN\u2019s subnets leave the plant');
      const routes = (await alice.get('/api/v1/vpn/routes')).body as Array<{ plant: string; subnet: string }>;
      assert.equal(routes.some((r) => r.subnet === '10.41.0.0/24'), false, 'their routes end');
      assert.ok((await alice.get('/api/v1/orgs/SolarCo/events')).body.events.some((e: { kind: string }) => e.kind === 'direct-vpn.removed'));
    });

    it('issue 9 data plane: only the plant\u2019s own agent gets the enabled direct VPN with its keys; AllowedIPs are the subnets; disable moves its long-poll', async () => {
      const enrol = async (plant: string) => {
        const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant });
        assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
        const agent = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
        const client = http(server.url, agent.credential);
        assert.equal((await client.post(`/api/v1/agents/${agent.id}/register`, { publicKey: generateWireGuardKeyPair().publicKey })).status, 200);
        return { id: agent.id as string, client };
      };
      const upload = wireGuardUpload().text.replace('10.40.0.0/24', '10.47.0.0/24');
      const created = await mona.post(PARK_C, { name: 'Router D', direction: 'outgoing', protocol: 'wireguard', config: upload, subnets: ['10.47.0.0/24'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const parkC = await enrol('SolarCo/Park C');
      const parkA = await enrol('SolarCo/Park A');
      const state = (await parkC.client.get(`/api/v1/agents/${parkC.id}/state`)).body;
      const vpn = state.directVpns.find((entry: { name: string }) => entry.name === 'Router D');
      assert.ok(vpn, JSON.stringify(state.directVpns.map((entry: { name: string }) => entry.name)));
      const privateKey = /PrivateKey = (\S+)/.exec(upload)?.[1];
      const psk = /PresharedKey = (\S+)/.exec(upload)?.[1];
      assert.equal(vpn.privateKey, privateKey, 'the agent side\u2019s key, unsealed for this agent');
      assert.deepEqual(vpn.subnets, ['10.47.0.0/24']);
      assert.deepEqual(vpn.addresses, ['10.99.0.2/32']);
      assert.deepEqual(vpn.peers.map((peer: { allowedIps: string[]; presharedKey: string }) => [peer.allowedIps, peer.presharedKey]), [[['10.47.0.0/24'], psk]]);
      assert.doesNotMatch(JSON.stringify(vpn), /0\.0\.0\.0\/0|DNS/);
      const other = (await parkA.client.get(`/api/v1/agents/${parkA.id}/state`)).body;
      assert.ok(!JSON.stringify(other).includes(privateKey as string), 'another plant\u2019s agent never sees it');
      assert.equal((await parkA.client.get(`/api/v1/agents/${parkC.id}/state`)).status, 403);
      // A user's read never carries it either.
      assert.ok(!JSON.stringify((await mona.get(PARK_C)).body).includes(privateKey as string));

      const poll = parkC.client.get(`/api/v1/agents/${parkC.id}/state?after=${state.revision}&wait=20`);
      const started = Date.now();
      assert.equal((await mona.post(`${PARK_C}/Router%20D/disable`, {})).status, 200);
      const moved = (await poll).body;
      assert.ok(Date.now() - started < 10_000, 'the long-poll answered with the change, not at its timeout');
      assert.ok(moved.revision > state.revision);
      assert.ok(!moved.directVpns.some((entry: { name: string }) => entry.name === 'Router D'), 'a disabled direct VPN leaves the document');
      assert.equal((await mona.post(`${PARK_C}/Router%20D/enable`, {})).status, 200);
      assert.ok((await parkC.client.get(`/api/v1/agents/${parkC.id}/state`)).body.directVpns.some((entry: { name: string }) => entry.name === 'Router D'));
      assert.equal((await mona.delete(`${PARK_C}/Router%20D?confirm=true`)).status, 200);
      assert.ok(!(await parkC.client.get(`/api/v1/agents/${parkC.id}/state`)).body.directVpns.some((entry: { name: string }) => entry.name === 'Router D'));
    });

    manualEntryCases(() => ({ url: server.url, op, mona, plantSubnets }));

    it('removing a plant removes its direct VPNs with it (no orphan, no foreign-key failure)', async () => {
      const created = await mona.post('/api/v1/plants/Park%20B/direct-vpns', { name: 'Router B2', direction: 'outgoing', protocol: 'wireguard', config: wireGuardUpload().text, subnets: ['10.63.0.0/24'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      // Park B has an enrolled agent (the agent-document test above): removing the plant removes it too, so force.
      const removed = await alice.delete('/api/v1/orgs/SolarCo/plants/Park%20B?force=true');
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      assert.equal((await mona.get('/api/v1/plants/Park%20B/direct-vpns')).status, 404);
      const left = await server.ctx.store.db.selectFrom('direct_vpns').select('name').where('name', '=', 'Router B2').execute();
      assert.deepEqual(left, []);
    });
  });
}
