import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayDesiredState } from '../../src/core/wire/gateway-state.ts';
import { createDeviceCsr } from '../../src/crypto/profile-csr.ts';
import { generateWireGuardKeyPair, wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { x509 } from '../../src/crypto/x509.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { orgFleet } from './org-self-service-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof http>;

const SOLAR = '/api/v1/orgs/SolarCo/org-vpns';
const WIND = '/api/v1/orgs/WindServ/org-vpns';

const ipNumber = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

async function enrolGateway(op: Client, base: string) {
  const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
  const enrolled = await http(base).post('/api/v1/enrol', { token: created.body.token });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  return { id: enrolled.body.id as string, client: http(base, enrolled.body.credential) };
}

/** Organization VPNs (issue 12 items 6–9, SPEC O1), against a real server on every storage engine. */
export function orgVpnSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`organization VPN API on ${engine}`, () => {
    let server: Server;
    let op: Client;
    let alice: Client; // SolarCo admin
    let mona: Client; // SolarCo moderator
    let bob: Client; // SolarCo member
    let gus: Client; // SolarCo guest
    let wanda: Client; // WindServ admin (partner of the cooperation on Park A, C)
    let otto: Client; // OtherCo admin
    const doc = (region = 'eu-central') => JSON.parse(server.ctx.fleet.documentJson(region, null)) as GatewayDesiredState;

    before(async () => {
      server = await startTestServer({ database: await database() });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const applied = await op.post('/api/v1/admin/fleet', { document: orgFleet() });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      for (const [name, endpoint] of [['eu-central', '10.0.0.1:51820'], ['us-east', '10.0.0.2:51820']]) {
        assert.equal((await op.post('/api/v1/admin/regions', { name, endpoint })).status, 201);
      }
      const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));
      alice = await as('alice@solarco.example', 'alice-password');
      mona = await as('mona@solarco.example', 'mona-password');
      bob = await as('bob@solarco.example', 'bob-password');
      gus = await as('gus@solarco.example', 'gus-password');
      wanda = await as('wanda@windserv.example', 'wanda-password');
      otto = await as('otto@otherco.example', 'otto-password');
    });
    after(async () => {
      await server?.close();
    });

    it('O1: an Admin creates a VPN in a region with own plants; P5: the two plants on 192.168.1.0/24 stay mapped-only', async () => {
      const created = await alice.post(SOLAR, { name: 'control-room', region: 'eu-central', plants: ['Park A', 'Park B'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.region, 'eu-central');
      assert.deepEqual(created.body.plants.map((p: { name: string }) => p.name), ['Park A', 'Park B']);
      assert.deepEqual(created.body.routes.map((r: { native: boolean }) => r.native), [false, false]);
      assert.equal(new Set(created.body.routes.map((r: { mapped: string }) => r.mapped)).size, 2);
      const again = await mona.post(SOLAR, { name: 'control-room', region: 'eu-central' });
      assert.equal(again.status, 409);
      assert.equal(again.body.error.field, 'name');
      const badRegion = await alice.post(SOLAR, { name: 'x', region: 'mars' });
      assert.equal(badRegion.status, 400);
      assert.equal(badRegion.body.error.field, 'region');
      const badName = await alice.post(SOLAR, { name: '../x', region: 'eu-central' });
      assert.equal(badName.status, 400);
      assert.equal(badName.body.error.field, 'name');
    });

    it('O1: a device client with a server-made key: private key shown once, stored nowhere; a peer of its region only', async () => {
      const added = await mona.post(`${SOLAR}/control-room/clients`, { name: 'team-laptop', kind: 'device' });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const { privateKey, client, allowedIps, region } = added.body;
      assert.equal(wireGuardPublicKey(privateKey), client.publicKey);
      assert.deepEqual(region, { name: 'eu-central', endpoint: '10.0.0.1:51820' });
      assert.deepEqual(allowedIps, ['100.80.0.0/12'], 'conflicting natives are not routed natively');
      const db = server.ctx.store.db;
      const stored = JSON.stringify([await db.selectFrom('org_vpn_clients').selectAll().execute(), await db.selectFrom('events').selectAll().execute(), await db.selectFrom('wireguard_keys').selectAll().execute()]);
      assert.ok(!stored.includes(privateKey), 'the private key is stored nowhere');
      const peer = doc().peers.find((p) => p.publicKey === client.publicKey);
      assert.deepEqual(peer, { publicKey: client.publicKey, tunnelIp: client.tunnelIp, profileId: `org-vpn:${client.id}`, region: 'eu-central' });
      assert.equal(doc().allowed.filter((a) => a.userIp === client.tunnelIp).length, 2);
      const listed = await bob.get(`${SOLAR}/control-room/clients`);
      assert.equal(listed.status, 200);
      assert.ok(!JSON.stringify(listed.body).includes(privateKey));
    });

    it('O1: a site announces its networks with a key made on the client; D4: overlaps are refused naming the owner', async () => {
      const keys = generateWireGuardKeyPair();
      const site = await alice.post(`${SOLAR}/control-room/clients`, { name: 'hq', kind: 'site', networks: ['10.50.0.0/24'], publicKey: keys.publicKey });
      assert.equal(site.status, 201, JSON.stringify(site.body));
      assert.equal(site.body.privateKey, null);
      assert.deepEqual(site.body.client.networks, ['10.50.0.0/24']);
      const cases: Array<[unknown, number, string, RegExp]> = [
        [{ name: 'b', kind: 'site', networks: ['192.168.0.0/16'] }, 409, 'networks[0]', /overlaps 192\.168\.1\.0\/24, plant subnet of "Park A"/],
        [{ name: 'b', kind: 'site', networks: ['10.50.0.128/25'] }, 409, 'networks[0]', /network of site "hq" in organization VPN "control-room"/],
        [{ name: 'b', kind: 'site', networks: ['100.64.5.0/24'] }, 409, 'networks[0]', /tunnel range/],
        [{ name: 'b', kind: 'site', networks: ['0.0.0.0/0'] }, 400, 'networks[0]', /never a default route/],
        [{ name: 'b', kind: 'site', networks: [] }, 400, 'networks', /at least one network/],
        [{ name: 'b', kind: 'device', networks: ['10.51.0.0/24'] }, 400, 'networks', /a device announces no networks/],
        [{ name: 'hq', kind: 'device' }, 409, 'name', /already has a client named "hq"/],
        [{ name: 'b', kind: 'device', publicKey: keys.publicKey }, 409, 'publicKey', /already in use/],
      ];
      for (const [body, status, field, message] of cases) {
        const r = await alice.post(`${SOLAR}/control-room/clients`, body);
        assert.equal(r.status, status, JSON.stringify([body, r.body]));
        assert.equal(r.body.error.field, field, JSON.stringify(r.body));
        assert.match(r.body.error.message, message);
      }
      // D4 the other way: a plant subnet or a direct VPN subnet over the site's network is refused, naming it.
      const subnet = await alice.post('/api/v1/orgs/SolarCo/plants/Park%20C/subnets', { cidr: '10.50.0.0/16' });
      assert.equal(subnet.status, 400, JSON.stringify(subnet.body));
      assert.match(subnet.body.error.message, /organization VPN route \(network of site "hq" in organization VPN "control-room"\)/);
      const direct = await mona.post('/api/v1/plants/Park%20C/direct-vpns', { name: 'Hosted C', direction: 'hosted', protocol: 'wireguard', subnets: ['10.50.0.0/24'] });
      assert.equal(direct.status, 409, JSON.stringify(direct.body));
      assert.match(direct.body.error.message, /10\.50\.0\.0\/24.*organization/);
    });

    it('O1 access: Members see, Guests and Members may not change, other organizations get 404', async () => {
      assert.equal((await bob.get(SOLAR)).status, 200);
      assert.equal((await bob.post(SOLAR, { name: 'mine', region: 'eu-central' })).status, 403);
      assert.equal((await bob.post(`${SOLAR}/control-room/clients`, { name: 'x', kind: 'device' })).status, 403);
      assert.equal((await gus.get(SOLAR)).status, 403);
      const other = await otto.get(SOLAR);
      assert.equal(other.status, 404);
      assert.equal((await otto.delete(`${SOLAR}/control-room`)).status, 404);
      assert.equal((await alice.get(`${SOLAR}/nope`)).status, 404);
    });

    it('O1: a partner routes a cooperation plant only where it holds Operator; P4/item 8: ending the cooperation removes the routes', async () => {
      const refused = await wanda.post(WIND, { name: 'service', region: 'us-east', plants: ['Park C'] });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.match(refused.body.error.message, /plants\[0\].*Operator/);
      const unshared = await wanda.post(WIND, { name: 'service', region: 'us-east', plants: ['Park B'] });
      assert.equal(unshared.status, 404, 'a plant not shared is not known to the partner');
      const created = await wanda.post(WIND, { name: 'service', region: 'us-east', plants: ['Park A'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.plants, [{ id: created.body.plants[0].id, name: 'Park A', organization: 'SolarCo', via: 'cooperation', routed: true }]);
      const client = (await wanda.post(`${WIND}/service/clients`, { name: 'ops-pc', kind: 'device' })).body.client;
      assert.ok(doc('us-east').allowed.some((a) => a.userIp === client.tunnelIp));
      const coops = await alice.get('/api/v1/orgs/SolarCo/cooperations');
      const ended = await alice.post(`/api/v1/orgs/SolarCo/cooperations/${coops.body[0].id}/end`);
      assert.equal(ended.status, 200, JSON.stringify(ended.body));
      assert.equal(doc('us-east').allowed.filter((a) => a.userIp === client.tunnelIp).length, 0, 'no route after the cooperation ended');
      const regionGone = await op.delete('/api/v1/admin/regions/us-east?force=true');
      assert.equal(regionGone.status, 409, 'a region holding organization VPNs is not removed, not even with force');
      assert.match(regionGone.body.error.message, /WindServ\/service/);
      const shown = (await wanda.get(`${WIND}/service`)).body;
      assert.equal(shown.plants[0].routed, false);
      assert.deepEqual(shown.routes, []);
    });

    it('O1 item 8: a plant leaving the VPN takes its routes out of the gateways\u2019 document; removing a client removes its peer', async () => {
      const before = doc();
      const client = (await alice.get(`${SOLAR}/control-room/clients`)).body.find((c: { name: string }) => c.name === 'team-laptop');
      const revision = before.revision;
      const removed = await alice.delete(`${SOLAR}/control-room/plants/Park%20B`);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      assert.deepEqual(removed.body.plants.map((p: { name: string }) => p.name), ['Park A']);
      assert.deepEqual(removed.body.routes.map((r: { native: boolean }) => r.native), [true], 'Park A is no longer in conflict within this VPN');
      const after = doc();
      assert.ok(after.revision > revision);
      assert.equal(after.allowed.filter((a) => a.userIp === client.tunnelIp).length, 1);
      assert.deepEqual(after.native.filter((n) => n.userIp === client.tunnelIp).map((n) => n.native), ['192.168.1.0/24']);
      const gone = await alice.delete(`${SOLAR}/control-room/clients/team-laptop`);
      assert.equal(gone.status, 200);
      assert.ok(!doc().peers.some((p) => p.publicKey === client.publicKey));
      assert.equal(doc().allowed.filter((a) => a.userIp === client.tunnelIp).length, 0);
      const readd = await alice.post(`${SOLAR}/control-room/plants`, { plant: 'Park B' });
      assert.equal(readd.status, 200);
      assert.equal((await alice.post(`${SOLAR}/control-room/plants`, { plant: 'Park B' })).status, 409);
    });

    it('A4: every change is an event of the organization', async () => {
      const renamed = await alice.put(`${SOLAR}/control-room`, { name: 'control room' });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      // The newest address of the installation belongs to this VPN's client when the VPN goes.
      assert.equal((await alice.post(`${SOLAR}/control%20room/clients`, { name: 'newest', kind: 'device' })).status, 201);
      const held = (await alice.get(`${SOLAR}/control%20room/clients`)).body.map((c: { tunnelIp: string }) => ipNumber(c.tunnelIp));
      const deleted = await alice.delete(`${SOLAR}/control%20room`);
      assert.equal(deleted.status, 200);
      const next = (await wanda.post(`${WIND}/service/clients`, { name: 'after-delete', kind: 'device' })).body.client.tunnelIp;
      assert.ok(ipNumber(next) > Math.max(...held), `a deleted VPN's tunnel IPs are not handed out again (${next})`);
      assert.equal(doc().peers.filter((p) => p.profileId.startsWith('org-vpn:') && p.region === 'eu-central').length, 0, 'deleting the VPN cuts every client');
      const events = await alice.get('/api/v1/orgs/SolarCo/events?limit=200');
      assert.equal(events.status, 200, JSON.stringify(events.body));
      const kinds = events.body.events.map((e: { kind: string }) => e.kind).sort();
      for (const kind of ['org-vpn.created', 'org-vpn.client-added', 'org-vpn.client-removed', 'org-vpn.plant-removed', 'org-vpn.plant-added', 'org-vpn.renamed', 'org-vpn.removed']) {
        assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(', ')}`);
      }
    });

    it('O1 with P7: a client\u2019s sessions come from the gateways\u2019 status reports (WireGuard handshake, OpenVPN connect time): source address and bytes; Members see them, Guests 403, others 404', async () => {
      assert.equal((await alice.post(SOLAR, { name: 'watched', region: 'eu-central', plants: ['Park A'] })).status, 201);
      assert.equal((await alice.post(SOLAR, { name: 'watched-ovpn', region: 'eu-central', plants: ['Park A'], protocol: 'openvpn' })).status, 201);
      const wg = (await alice.post(`${SOLAR}/watched/clients`, { name: 'hq', kind: 'device' })).body.client;
      const ovpn = (await alice.post(`${SOLAR}/watched-ovpn/clients`, { name: 'pc', kind: 'device', csr: (await createDeviceCsr()).csrPem })).body.client;
      const gateway = await enrolGateway(op, server.url);
      const T = Math.floor(Date.now() / 1000);
      const realNow = server.ctx.now;
      const report = async (at: number, peers: Array<Record<string, unknown>>) => {
        server.ctx.now = () => new Date(at * 1000);
        const sent = await gateway.client.post(`/api/v1/gateways/${gateway.id}/status`, { appliedRevision: 1, version: 'test', lastError: null, peers });
        assert.equal(sent.status, 204, JSON.stringify(sent.body));
      };
      await report(T, [
        { publicKey: wg.publicKey, endpoint: '198.51.100.7:40000', latestHandshake: T - 10, rxBytes: 1000, txBytes: 500 },
        { publicKey: `openvpn:${ovpn.certificate.serial}`, endpoint: '198.51.100.8:1194', latestHandshake: T, rxBytes: 70, txBytes: 80, connectedSince: T - 30 },
      ]);
      await server.ctx.daemonStatus.flush();
      try {
        const wgSessions = await bob.get(`${SOLAR}/watched/clients/hq/sessions`);
        assert.equal(wgSessions.status, 200, JSON.stringify(wgSessions.body));
        assert.deepEqual(wgSessions.body.sessions.map((x: Record<string, unknown>) => [x.start, x.end, x.sourceAddress, x.bytesIn, x.bytesOut, x.region]), [
          [new Date((T - 10) * 1000).toISOString(), null, '198.51.100.7:40000', 1000, 500, 'eu-central'],
        ]);
        const ovpnSessions = await bob.get(`${SOLAR}/watched-ovpn/clients/${ovpn.id}/sessions`);
        assert.deepEqual(ovpnSessions.body.sessions.map((x: Record<string, unknown>) => [x.start, x.sourceAddress, x.bytesIn, x.bytesOut]), [
          [new Date((T - 30) * 1000).toISOString(), '198.51.100.8:1194', 70, 80],
        ], 'an OpenVPN client\u2019s session starts at its connect');
        assert.deepEqual((await bob.get('/api/v1/vpn/sessions')).body.sessions, [], 'not a personal session of anyone');
        assert.equal((await gus.get(`${SOLAR}/watched/clients/hq/sessions`)).status, 403);
        assert.equal((await otto.get(`${SOLAR}/watched/clients/hq/sessions`)).status, 404);
        const missing = await bob.get(`${SOLAR}/watched/clients/nobody/sessions`);
        assert.equal(missing.status, 404);
        assert.equal(missing.body.error.field, 'client');
        const bad = await bob.get(`${SOLAR}/watched/clients/hq/sessions?limit=0`);
        assert.equal(bad.status, 400);
      } finally {
        server.ctx.now = realNow;
      }
      for (const name of ['watched', 'watched-ovpn']) assert.equal((await alice.delete(`${SOLAR}/${name}`)).status, 200);
    });

    it('O1 with P9: an OpenVPN organization VPN: clients send a CSR, get a certificate of the user CA once, are OpenVPN peers of their region; removal and deletion put them on the CRL', async () => {
      const badProtocol = await alice.post(SOLAR, { name: 'ovpn', region: 'eu-central', protocol: 'ipsec' });
      assert.equal(badProtocol.status, 400);
      assert.equal(badProtocol.body.error.field, 'protocol');
      const created = await alice.post(SOLAR, { name: 'ovpn', region: 'eu-central', plants: ['Park A'], protocol: 'openvpn' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.protocol, 'openvpn');
      assert.equal((await alice.post(SOLAR, { name: 'wg-default', region: 'us-east' })).body.protocol, 'wireguard', 'WireGuard stays the default');
      const refusals: Array<[string, Record<string, unknown>, string, string]> = [
        ['no csr', { name: 'x', kind: 'device' }, `${SOLAR}/ovpn/clients`, 'csr'],
        ['a WireGuard key for an OpenVPN VPN', { name: 'x', kind: 'device', publicKey: generateWireGuardKeyPair().publicKey }, `${SOLAR}/ovpn/clients`, 'publicKey'],
        ['text that is no CSR', { name: 'x', kind: 'device', csr: 'hello' }, `${SOLAR}/ovpn/clients`, 'csr'],
        ['a CSR for a WireGuard VPN', { name: 'x', kind: 'device', csr: (await createDeviceCsr()).csrPem }, `${SOLAR}/wg-default/clients`, 'csr'],
      ];
      for (const [what, body, path, field] of refusals) {
        const refused = await alice.post(path, body);
        assert.equal(refused.status, 400, what);
        assert.equal(refused.body.error.field, field, what);
      }
      const gateway = await enrolGateway(op, server.url);
      const material = async () => (await gateway.client.get(`/api/v1/gateways/${gateway.id}/openvpn`)).body.material;
      const crlSerials = async () => new x509.X509Crl((await material()).crl).entries.map((e) => e.serialNumber.toLowerCase().replace(/^0+/, ''));
      const added: Record<string, { client: { id: string; tunnelIp: string; publicKey: string | null; certificate: { serial: string } }; openvpn: { certificate: string; ca: string } }> = {};
      for (const [name, kind, networks] of [['hq', 'site', ['10.60.0.0/24']], ['laptop', 'device', undefined]] as const) {
        const device = await createDeviceCsr();
        const answer = await mona.post(`${SOLAR}/ovpn/clients`, { name, kind, networks, csr: device.csrPem });
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        added[name] = answer.body;
        assert.equal(answer.body.privateKey, null);
        assert.equal(answer.body.client.publicKey, null);
        const cert = new x509.X509Certificate(answer.body.openvpn.certificate);
        assert.equal(cert.subject, `CN=plantgate-org-vpn-client-${answer.body.client.id}`);
        assert.ok(await cert.verify({ publicKey: await new x509.X509Certificate(answer.body.openvpn.ca).publicKey.export() }), 'signed by the user CA');
        assert.equal(answer.body.openvpn.ca, (await material()).ca, 'the gateways\u2019 CA');
        const peer = doc().peers.find((p) => p.profileId === `org-vpn:${answer.body.client.id}`);
        assert.deepEqual(peer, { publicKey: `openvpn:${answer.body.client.certificate.serial}`, tunnelIp: answer.body.client.tunnelIp, profileId: `org-vpn:${answer.body.client.id}`, region: 'eu-central' });
        const db = server.ctx.store.db;
        const stored = JSON.stringify([await db.selectFrom('org_vpn_clients').selectAll().execute(), await db.selectFrom('events').selectAll().execute()]);
        assert.ok(!stored.includes(device.privateKeyPem.split('\n')[1] as string), 'the private key is stored nowhere');
      }
      const shown = await bob.get(`${SOLAR}/ovpn/clients`);
      assert.deepEqual(shown.body.map((c: { certificate: { serial: string } }) => c.certificate.serial).sort(), [added.hq?.client.certificate.serial, added.laptop?.client.certificate.serial].sort());
      assert.equal((await alice.delete(`${SOLAR}/ovpn/clients/laptop`)).status, 200);
      assert.ok(!doc().peers.some((p) => p.profileId === `org-vpn:${added.laptop?.client.id}`));
      assert.ok((await crlSerials()).includes(added.laptop?.client.certificate.serial as string), 'a removed client\u2019s certificate is on the CRL');
      assert.ok(!(await crlSerials()).includes(added.hq?.client.certificate.serial as string));
      assert.equal((await alice.delete(`${SOLAR}/ovpn`)).status, 200);
      assert.ok((await crlSerials()).includes(added.hq?.client.certificate.serial as string), 'deleting the VPN puts its clients\u2019 certificates on the CRL');
      const events = (await alice.get('/api/v1/orgs/SolarCo/events?limit=200')).body.events as Array<{ kind: string; details: Record<string, unknown> }>;
      const addedEvent = events.find((e) => e.kind === 'org-vpn.client-added' && e.details.client === 'laptop');
      assert.equal(addedEvent?.details.serial, added.laptop?.client.certificate.serial);
      assert.equal(events.find((e) => e.kind === 'org-vpn.created' && e.details.vpn === 'ovpn')?.details.protocol, 'openvpn');
      assert.equal(events.find((e) => e.kind === 'org-vpn.client-removed' && e.details.client === 'laptop')?.details.serial, added.laptop?.client.certificate.serial);
    });
  });
}
