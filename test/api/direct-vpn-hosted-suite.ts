import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseWireGuardConfig } from '../../src/core/direct-vpn/wireguard-config.ts';
import { generateWireGuardKeyPair, wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { orgFleet } from './org-self-service-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof http>;

const PARK_C = '/api/v1/plants/Park%20C/direct-vpns';
const PARK_A = '/api/v1/plants/Park%20A/direct-vpns';

/** Every stored text of the direct VPN tables and the events, to search for a secret that must not be there. */
async function storedText(server: Server): Promise<string> {
  const db = server.ctx.store.db;
  return JSON.stringify([
    await db.selectFrom('direct_vpns').selectAll().execute(),
    await db.selectFrom('direct_vpn_clients').selectAll().execute(),
    await db.selectFrom('events').selectAll().execute(),
  ]);
}

function pemBody(pem: string, label: string): string {
  const match = new RegExp(`-----BEGIN ${label}-----\\n([\\s\\S]*?)\\n-----END ${label}-----`).exec(pem);
  assert.ok(match, `a ${label} block`);
  return (match[1] as string).replace(/\n/g, '');
}

/** Hosted direct VPNs, control plane (issue 9 item 4, SPEC D1/D6/D9), against a real server on every storage engine. */
export function hostedDirectVpnSuite(engine: string, database: () => Promise<string | undefined>): void {
  describe(`hosted direct VPN API on ${engine}`, () => {
    let server: Server;
    let op: Client;
    let mona: Client;
    let carol: Client;
    let agent: { id: string; client: Client };
    const work = mkdtempSync(join(tmpdir(), 'plantgate-hosted-'));
    const agentState = async () => (await agent.client.get(`/api/v1/agents/${agent.id}/state`)).body;

    before(async () => {
      server = await startTestServer({ database: await database() });
      op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
      const applied = await op.post('/api/v1/admin/fleet', { document: orgFleet() });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      mona = http(server.url, await login(server.url, 'mona@solarco.example', 'mona-password'));
      carol = http(server.url, await login(server.url, 'carol@windserv.example', 'carol-password'));
      const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park C' });
      const enrolled = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
      agent = { id: enrolled.id, client: http(server.url, enrolled.credential) };
      assert.equal((await agent.client.post(`/api/v1/agents/${enrolled.id}/register`, { publicKey: generateWireGuardKeyPair().publicKey })).status, 200);
    });
    after(async () => {
      await server?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it('D1/D6: a hosted WireGuard server listens on the agent\u2019s registration address and 51820; the site client\u2019s profile comes once and its key is stored nowhere', async () => {
      const created = await mona.post(PARK_C, { name: 'Hosted C', direction: 'hosted', protocol: 'wireguard', subnets: ['10.40.0.0/24'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { vpn, credentials, review } = created.body;
      assert.deepEqual(review, { direction: 'hosted', protocol: 'wireguard', subnets: ['10.40.0.0/24'], subnetsFromConfig: [], stripped: [], ignored: [], needsCredentials: false, crypto: null });
      assert.deepEqual(vpn.listen, { host: '127.0.0.1', port: 51820 }, 'the source address the agent registered from');
      assert.equal(vpn.clientCount, 1);
      assert.equal(credentials.client.name, 'plant-router');
      assert.equal(credentials.client.kind, 'site');
      assert.equal(credentials.fileName, 'hosted-c-plant-router.conf');
      const parsed = parseWireGuardConfig(credentials.profile);
      assert.ok(parsed.ok, credentials.profile);
      assert.equal(parsed.config.peers[0]?.endpoint, '127.0.0.1:51820');
      assert.deepEqual(parsed.config.addresses, [`${credentials.client.tunnelIp}/32`]);
      const siteKey = parsed.config.privateKey;

      // the agent's document: the server, its listen port, the site client with its subnets and /32
      const doc = (await agentState()).directVpns.find((v: { name: string }) => v.name === 'Hosted C');
      assert.equal(doc.direction, 'hosted');
      assert.equal(doc.listenPort, 51820);
      assert.equal(wireGuardPublicKey(doc.privateKey), parsed.config.peers[0]?.publicKey, 'the profile names the server\u2019s key');
      assert.deepEqual(doc.peers, [{ publicKey: wireGuardPublicKey(siteKey), presharedKey: null, endpoint: null, allowedIps: ['10.40.0.0/24', `${credentials.client.tunnelIp}/32`], persistentKeepalive: null }]);
      assert.deepEqual(doc.addresses, [`${credentials.client.tunnelIp.replace(/\.2$/, '.1')}/24`]);

      const reads = JSON.stringify([(await mona.get(PARK_C)).body, (await mona.get(`${PARK_C}/Hosted%20C`)).body, (await mona.get(`${PARK_C}/Hosted%20C/clients`)).body]);
      assert.ok(!reads.includes(siteKey) && !reads.includes(doc.privateKey), 'D10: no key in any read');
      const stored = await storedText(server);
      assert.ok(!stored.includes(siteKey), 'D6: the site client\u2019s private key is stored nowhere');
      assert.ok(!stored.includes(doc.privateKey), 'the server\u2019s private key is stored only sealed');
      assert.ok((await carol.get(`/api/v1/plants/Park%20A/direct-vpns`)).status === 200);

      // D9/D7: the client list shows what the agent reports of each client (its peer by public key)
      const at = new Date().toISOString();
      const report = {
        appliedRevision: 1,
        version: 'test',
        peers: [],
        lastError: null,
        directVpns: [{ id: vpn.id, state: 'connected', since: at, bytesIn: 10, bytesOut: 20, clients: [{ client: wireGuardPublicKey(siteKey), connected: true, endpoint: '192.0.2.7:40000', bytesIn: 1234, bytesOut: 5678, lastSeen: at }] }],
      };
      assert.equal((await agent.client.post(`/api/v1/agents/${agent.id}/status`, report)).status, 204);
      const [router] = (await mona.get(`${PARK_C}/Hosted%20C/clients`)).body;
      assert.deepEqual([router.name, router.connected, router.bytesIn, router.bytesOut, router.lastSeen], ['plant-router', true, 1234, 5678, at]);
    });

    it('a port clash answers 409 naming the field and the other direct VPN; without a port the next free one is taken; a dry run stores nothing', async () => {
      const clash = await mona.post(PARK_C, { name: 'Hosted D', direction: 'hosted', protocol: 'wireguard', subnets: ['10.41.0.0/24'], listen: { port: 51820 } });
      assert.equal(clash.status, 409, JSON.stringify(clash.body));
      assert.equal(clash.body.error.field, 'listen.port');
      assert.match(clash.body.error.message, /udp port 51820 .* taken by direct VPN "Hosted C"/);
      const dry = await mona.post(PARK_C, { name: 'Hosted D', direction: 'hosted', protocol: 'wireguard', subnets: ['10.41.0.0/24'], dryRun: true });
      assert.equal(dry.status, 201);
      assert.equal(dry.body.vpn, null);
      assert.equal(dry.body.credentials, null);
      assert.equal((await mona.get(PARK_C)).body.length, 1, 'nothing half-applied, nothing stored by the dry run');
      const next = await mona.post(PARK_C, { name: 'Hosted D', direction: 'hosted', protocol: 'wireguard', subnets: ['10.41.0.0/24'], listen: { host: 'plant-c.example' } });
      assert.equal(next.status, 201, JSON.stringify(next.body));
      assert.deepEqual(next.body.vpn.listen, { host: 'plant-c.example', port: 51821 });
      assert.match(next.body.credentials.profile, /Endpoint = plant-c\.example:51821/);
      const badHost = await mona.post(PARK_C, { name: 'Hosted E', direction: 'hosted', protocol: 'wireguard', subnets: ['10.42.0.0/24'], listen: { host: 'a;b' } });
      assert.equal(badHost.status, 400);
      assert.equal(badHost.body.error.field, 'listen.host');
      const noAgent = await mona.post(PARK_A, { name: 'Hosted A', direction: 'hosted', protocol: 'wireguard', subnets: ['10.43.0.0/24'] });
      assert.equal(noAgent.status, 409, JSON.stringify(noAgent.body));
      assert.equal(noAgent.body.error.field, 'listen.host', 'Park A\u2019s agent never registered: its address is unknown');
    });

    it('D1: the listen host and port are editable; a clash answers 409 naming the other direct VPN; the agent\u2019s server moves', async () => {
      const clash = await mona.put(`${PARK_C}/Hosted%20D`, { listen: { port: 51820 } });
      assert.equal(clash.status, 409, JSON.stringify(clash.body));
      assert.equal(clash.body.error.field, 'listen.port');
      assert.match(clash.body.error.message, /"Hosted C"/);
      const moved = await mona.put(`${PARK_C}/Hosted%20D`, { listen: { port: 51900 } });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.deepEqual(moved.body.vpn.listen, { host: 'plant-c.example', port: 51900 });
      assert.equal(moved.body.vpn.clientCount, 1);
      assert.match(moved.body.changes.join('\n'), /profiles issued before name the old endpoint/);
      assert.equal((await agentState()).directVpns.find((v: { name: string }) => v.name === 'Hosted D').listenPort, 51900);
      const generation = (await agentState()).directVpns.find((v: { name: string }) => v.name === 'Hosted D').restartGeneration;
      assert.equal((await mona.post(`${PARK_C}/Hosted%20D/restart`)).status, 200);
      assert.equal((await agentState()).directVpns.find((v: { name: string }) => v.name === 'Hosted D').restartGeneration, generation + 1, 'D7 restart reaches a hosted server too');
      const outgoing = await mona.post(PARK_C, { name: 'Out', direction: 'outgoing', protocol: 'wireguard', config: '[Interface]\n', listen: { port: 1 } });
      assert.equal(outgoing.status, 400);
      assert.equal(outgoing.body.error.field, 'listen');
    });

    it('D9: a user client gets a show-once profile routing the subnets; removing it drops its peer from the agent\u2019s document at once; each change is an event', async () => {
      const before = await agentState();
      const added = await mona.post(`${PARK_C}/Hosted%20C/clients`, { name: 'Ulla laptop', kind: 'user' });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.equal(added.body.client.kind, 'user');
      assert.match(added.body.profile, /AllowedIPs = 100\.96\.0\.1\/32, 10\.40\.0\.0\/24/);
      const userKey = (parseWireGuardConfig(added.body.profile) as { ok: true; config: { privateKey: string } }).config.privateKey;
      const doc = (await agentState()).directVpns.find((v: { name: string }) => v.name === 'Hosted C');
      assert.ok(doc.peers.some((p: { publicKey: string; allowedIps: string[] }) => p.publicKey === wireGuardPublicKey(userKey) && p.allowedIps.join() === `${added.body.client.tunnelIp}/32`));
      const list = (await mona.get(`${PARK_C}/Hosted%20C/clients`)).body;
      assert.deepEqual(list.map((c: { name: string; kind: string }) => [c.name, c.kind]), [['plant-router', 'site'], ['Ulla laptop', 'user']]);
      assert.ok(!(await storedText(server)).includes(userKey));

      const poll = agent.client.get(`/api/v1/agents/${agent.id}/state?after=${(await agentState()).revision}&wait=20`);
      const removed = await mona.delete(`${PARK_C}/Hosted%20C/clients/Ulla%20laptop`);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      const moved = (await poll).body;
      assert.ok(moved.revision > before.revision);
      const after = moved.directVpns.find((v: { name: string }) => v.name === 'Hosted C');
      assert.ok(!after.peers.some((p: { publicKey: string }) => p.publicKey === wireGuardPublicKey(userKey)), 'the removed client\u2019s peer is gone');
      const kinds = (await mona.get('/api/v1/orgs/SolarCo/events')).body.events.map((e: { kind: string }) => e.kind);
      assert.ok(kinds.includes('direct-vpn.client-added') && kinds.includes('direct-vpn.client-removed'), kinds.join());
    });

    it('issue 10 item 2: the agent\u2019s flow records of a hosted user client land in its own plant\u2019s trail, attributed to the client; another plant\u2019s address is a gap, a retried batch is stored once', async () => {
      const added = await mona.post(`${PARK_C}/Hosted%20C/clients`, { name: 'Ursula tablet', kind: 'user' });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const tunnelIp = added.body.client.tunnelIp as string;
      const at = new Date(Date.now() - 60_000).toISOString();
      const record = (id: string, destinationIp: string, port: number) => ({ id, tunnelIp, destinationIp, protocol: 'tcp', port, connections: 2, bytesIn: 5000, bytesOut: 300, firstSeen: at, lastSeen: at, session: null });
      const lost = { id: `${agent.id}.gap.1`, from: at, to: at, reason: 'conntrack: 7 events lost (netlink buffer overrun)' };
      const batch = { batchId: `${agent.id}.hosted-flows.1`, records: [record(`${agent.id}:1:0`, '10.40.0.10', 502), record(`${agent.id}:1:1`, '192.168.1.17', 80)], gaps: [lost] };
      const first = await agent.client.post(`/api/v1/agents/${agent.id}/flows`, batch);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual([first.body.stored, first.body.unattributed, first.body.duplicate], [1, 1, false], 'Park A\u2019s address from Park C\u2019s agent is not attributed');
      const again = await agent.client.post(`/api/v1/agents/${agent.id}/flows`, batch);
      assert.equal(again.body.duplicate, true);

      const page = (await mona.get('/api/v1/audit/plants/Park%20C/records')).body;
      const mine = page.records.filter((r: { tunnelIp: string }) => r.tunnelIp === tunnelIp);
      assert.deepEqual(
        mine.map((r: Record<string, unknown>) => [r.user, r.plant, r.subnet, r.deviceIp, r.protocol, r.port, r.connections, r.bytesIn, r.bytesOut, r.session]),
        [['client Ursula tablet of Hosted C', 'Park C', '10.40.0.0/24', '10.40.0.10', 'tcp', 502, 2, 5000, 300, null]],
      );
      assert.ok(page.gaps.some((g: { reason: string }) => /1 flow record\(s\) whose destination is in no plant subnet/.test(g.reason)), JSON.stringify(page.gaps));
      const byClient = (await mona.get(`/api/v1/audit/plants/Park%20C/records?user=${encodeURIComponent('client Ursula tablet of Hosted C')}`)).body.records;
      assert.equal(byClient.length, 1, 'the query filters by the client as by a user');
      assert.ok(page.gaps.some((g: { reason: string }) => g.reason === lost.reason), 'the agent\u2019s lost events are a gap of its plant');
      const parkA = (await mona.get('/api/v1/audit/plants/Park%20A/records')).body;
      assert.ok(!parkA.records.some((r: { tunnelIp: string }) => r.tunnelIp === tunnelIp), 'nothing in another plant\u2019s trail');
      assert.deepEqual(parkA.gaps, [], 'nor its gaps: an agent\u2019s gaps are its own plant\u2019s');
      const verdict = (await mona.get('/api/v1/audit/plants/Park%20C/verify')).body;
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
      assert.equal(verdict.gaps, 2, 'verify counts the plant\u2019s gaps (lost events, unattributed record)');
      assert.equal((await mona.delete(`${PARK_C}/Hosted%20C/clients/Ursula%20tablet`)).status, 200);
    });

    it('D4/D9: a site client announces only subnets within the direct VPN\u2019s, none another site client announces; a user client none; names are unique', async () => {
      const outside = await mona.post(`${PARK_C}/Hosted%20C/clients`, { name: 'Site 2', kind: 'site', subnets: ['10.50.0.0/24'] });
      assert.equal(outside.status, 400);
      assert.equal(outside.body.error.field, 'subnets[0]');
      assert.match(outside.body.error.message, /not within the subnets of direct VPN "Hosted C"/);
      const overlap = await mona.post(`${PARK_C}/Hosted%20C/clients`, { name: 'Site 2', kind: 'site', subnets: ['10.40.0.0/25'] });
      assert.equal(overlap.status, 409);
      assert.match(overlap.body.error.message, /announced by site client "plant-router"/);
      const userWithSubnets = await mona.post(`${PARK_C}/Hosted%20C/clients`, { name: 'U', kind: 'user', subnets: ['10.40.0.0/24'] });
      assert.equal(userWithSubnets.status, 400);
      assert.equal(userWithSubnets.body.error.field, 'subnets');
      const dup = await mona.post(`${PARK_C}/Hosted%20C/clients`, { name: 'plant-router', kind: 'user' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.field, 'name');
      assert.equal((await carol.post(`${PARK_A}`, {})).status, 400, 'schema first');
      assert.equal((await mona.get(`${PARK_C}/Hosted%20C/clients`)).body.length, 1, 'nothing half-applied');

      // D7 edit: the plant router, announcing all of the server's subnets, follows a change of them
      const widened = await mona.put(`${PARK_C}/Hosted%20C`, { subnets: ['10.40.0.0/24', '10.46.0.0/24'] });
      assert.equal(widened.status, 200, JSON.stringify(widened.body));
      assert.match(widened.body.changes.join('\n'), /site client plant-router announces 10\.40\.0\.0\/24, 10\.46\.0\.0\/24/);
      assert.deepEqual((await mona.get(`${PARK_C}/Hosted%20C/clients`)).body[0].subnets, ['10.40.0.0/24', '10.46.0.0/24']);
      const peer = (await agentState()).directVpns.find((v: { name: string }) => v.name === 'Hosted C').peers[0];
      assert.deepEqual(peer.allowedIps.slice(0, 2), ['10.40.0.0/24', '10.46.0.0/24'], 'the agent routes the new subnet to the router');
      assert.equal((await mona.put(`${PARK_C}/Hosted%20C`, { subnets: ['10.40.0.0/24'] })).status, 200);
      assert.deepEqual((await mona.get(`${PARK_C}/Hosted%20C/clients`)).body[0].subnets, ['10.40.0.0/24']);
    });

    it('D1/D6/D9: a hosted OpenVPN server: its own CA; the .ovpn verifies against it; a removed client\u2019s certificate is on the re-signed CRL and leaves the agent\u2019s document; no key stored in the clear', async () => {
      const created = await mona.post(PARK_C, {
        name: 'Hosted O',
        direction: 'hosted',
        protocol: 'openvpn',
        transport: 'tcp',
        subnets: ['10.44.0.0/24'],
        advanced: { cipher: 'AES-256-GCM', compression: 'lz4-v2' },
        siteClientName: 'router-o',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.vpn.listen, { host: '127.0.0.1', port: 1194 });
      assert.equal(created.body.vpn.transport, 'tcp');
      const ovpn = created.body.credentials.profile as string;
      assert.equal(created.body.credentials.fileName, 'hosted-o-router-o.ovpn');
      assert.match(ovpn, /^proto tcp-client$/m);
      assert.match(ovpn, /^compress lz4-v2$/m);
      const block = (tag: string) => new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(ovpn)?.[1] as string;
      writeFileSync(join(work, 'ca.pem'), `${block('ca')}\n`);
      writeFileSync(join(work, 'cert.pem'), `${block('cert')}\n`);
      assert.match(execFileSync('openssl', ['verify', '-CAfile', join(work, 'ca.pem'), join(work, 'cert.pem')], { encoding: 'utf8' }), /OK/);
      const clientKey = pemBody(`${block('key')}`, 'PRIVATE KEY');

      const doc = (await agentState()).directVpns.find((v: { name: string }) => v.name === 'Hosted O');
      assert.equal(doc.protocol, 'openvpn');
      assert.equal(doc.direction, 'hosted');
      assert.equal(doc.transport, 'tcp');
      assert.equal(doc.port, 1194);
      assert.deepEqual(doc.clients, [{ commonName: 'router-o', kind: 'site', tunnelIp: created.body.credentials.client.tunnelIp, subnets: ['10.44.0.0/24'] }]);
      assert.equal(doc.ca.trim(), block('ca').trim());
      assert.match(doc.key, /BEGIN PRIVATE KEY/, 'the server key, unsealed for the agent');
      assert.equal(doc.tlsCrypt.trim(), block('tls-crypt').trim());
      const stored = await storedText(server);
      assert.ok(!stored.includes(clientKey), 'D6: the client key is stored nowhere');
      assert.ok(!stored.includes(pemBody(doc.key, 'PRIVATE KEY')), 'the server key only sealed');
      assert.ok(!stored.includes('PRIVATE KEY'), 'no private key (CA, server, client) in the clear');
      assert.ok(!stored.includes(pemBody(doc.tlsCrypt, 'OpenVPN Static key V1')), 'the tls-crypt key only sealed');

      const slash = await mona.post(`${PARK_C}/Hosted%20O/clients`, { name: 'a/b', kind: 'user' });
      assert.equal(slash.status, 400, 'a name that cannot be a client-config-dir file on the agent');
      assert.equal(slash.body.error.field, 'name');
      const user = await mona.post(`${PARK_C}/Hosted%20O/clients`, { name: 'ulla', kind: 'user' });
      assert.equal(user.status, 201, JSON.stringify(user.body));
      assert.match(user.body.profile, /^route 10\.44\.0\.0 255\.255\.255\.0$/m);
      writeFileSync(join(work, 'ulla.pem'), `${/<cert>\n([\s\S]*?)\n<\/cert>/.exec(user.body.profile)?.[1]}\n`);
      assert.equal((await mona.delete(`${PARK_C}/Hosted%20O/clients/ulla`)).status, 200);
      const afterDoc = (await agentState()).directVpns.find((v: { name: string }) => v.name === 'Hosted O');
      assert.deepEqual(afterDoc.clients.map((c: { commonName: string }) => c.commonName), ['router-o'], 'the agent kills a session no longer listed');
      writeFileSync(join(work, 'chain.pem'), `${block('ca')}\n${afterDoc.crl}`);
      const verify = (file: string) => {
        try {
          return execFileSync('openssl', ['verify', '-crl_check', '-CAfile', join(work, 'chain.pem'), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (error) {
          return String((error as { stdout?: string }).stdout ?? '') + String((error as { stderr?: string }).stderr ?? '');
        }
      };
      assert.match(verify(join(work, 'ulla.pem')), /certificate revoked/, 'the removed client\u2019s certificate is on the CRL');
      assert.match(verify(join(work, 'cert.pem')), /: OK/, 'the site client still verifies');

      const badCompression = await mona.post(PARK_C, { name: 'Hosted P', direction: 'hosted', protocol: 'openvpn', subnets: ['10.45.0.0/24'], advanced: { compression: 'lzo; up /x' } });
      assert.equal(badCompression.status, 400);
      assert.equal(badCompression.body.error.field, 'advanced.compression');
    });

    it('issue 9 contract (qa): a hosted OpenVPN server without advanced settings reviews and shows crypto as the object of openvpn defaults, never null; a listen-only edit reports no empty change line', async () => {
      const noCrypto = { cipher: null, auth: null, compression: null, tlsMin: null };
      const dry = await mona.post(PARK_C, { name: 'Hosted Q', direction: 'hosted', protocol: 'openvpn', subnets: ['10.47.0.0/24'], listen: { port: 1200 }, dryRun: true });
      assert.equal(dry.status, 201, JSON.stringify(dry.body));
      assert.deepEqual(dry.body.review.crypto, noCrypto);
      assert.equal(dry.body.vpn, null, 'the dry run creates nothing');
      const made = await mona.post(PARK_C, { name: 'Hosted Q', direction: 'hosted', protocol: 'openvpn', subnets: ['10.47.0.0/24'], listen: { port: 1200 } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.deepEqual(made.body.vpn.crypto, noCrypto);
      assert.deepEqual((await mona.get(`${PARK_C}/Hosted%20Q`)).body.crypto, noCrypto);
      const moved = await mona.put(`${PARK_C}/Hosted%20Q`, { listen: { port: 1201 } });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(moved.body.vpn.listen.port, 1201);
      assert.equal(moved.body.changes.length, 1, `a listen-only edit is one change line: ${JSON.stringify(moved.body.changes)}`);
      assert.match(moved.body.changes[0], /clients dial 127\.0\.0\.1:1201 now/);
      assert.equal((await mona.delete(`${PARK_C}/Hosted%20Q`)).status, 200);
    });

    it('D9: deleting a hosted server removes every client and its subnets; the agent\u2019s document no longer has it', async () => {
      const removed = await mona.delete(`${PARK_C}/Hosted%20O`);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      const left = await server.ctx.store.db.selectFrom('direct_vpn_clients').select('name').execute();
      assert.ok(!left.some((c) => c.name === 'router-o'), 'its clients are gone');
      assert.ok(!(await agentState()).directVpns.some((v: { name: string }) => v.name === 'Hosted O'));
    });
  });
}
