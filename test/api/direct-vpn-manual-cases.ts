import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generateWireGuardKeyPair, wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { createTestPki, openVpnStaticKey } from '../support/openvpn-pki.ts';
import { http } from '../support/server.ts';

type Client = ReturnType<typeof http>;
export type ManualCaseEnv = {
  url: string;
  op: Client;
  mona: Client;
  plantSubnets: (plant: string) => Promise<string[]>;
};

const PARK_B = '/api/v1/plants/Park%20B/direct-vpns';

/** Issue 9 item 1: connection details entered by hand (`manual`), checked on the upload's path. Part of direct-vpn-suite.ts. */
export function manualEntryCases(env: () => ManualCaseEnv): void {
  const router = generateWireGuardKeyPair();
  const wireGuard = (extra: Record<string, unknown> = {}) => ({
    name: 'Manual WG',
    direction: 'outgoing',
    protocol: 'wireguard',
    manual: { endpoint: 'router.park-b.example:51820', peerPublicKey: router.publicKey, address: '10.98.0.2/32', ...extra },
    subnets: ['10.61.0.0/24'],
  });

  it('D1 manual entry (WireGuard): without a private key the server makes the pair and answers the public key for the router; the agent gets the matching private key', async () => {
    const { op, mona, url, plantSubnets } = env();
    const before = await plantSubnets('Park B');
    const dry = await mona.post(PARK_B, { ...wireGuard(), dryRun: true });
    assert.equal(dry.status, 201, JSON.stringify(dry.body));
    assert.equal(dry.body.agentPublicKey, null, 'a dry run makes no key the real create would not keep');
    assert.deepEqual(dry.body.review, {
      direction: 'outgoing',
      protocol: 'wireguard',
      subnets: ['10.61.0.0/24'],
      subnetsFromConfig: [],
      stripped: [],
      ignored: [],
      needsCredentials: false,
      crypto: null,
    });
    assert.deepEqual(await plantSubnets('Park B'), before, 'a dry run changes nothing');

    const created = await mona.post(PARK_B, wireGuard());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.agentPublicKey, /^[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(created.body.vpn.endpoints, ['router.park-b.example:51820']);
    assert.deepEqual((await plantSubnets('Park B')).sort(), [...before, '10.61.0.0/24'].sort());
    assert.ok(!JSON.stringify((await mona.get(PARK_B)).body).includes('PrivateKey'), 'no read carries the generated key');
    const shown = await mona.get(`${PARK_B}/Manual%20WG`);
    assert.equal(shown.body.agentPublicKey, created.body.agentPublicKey, 'the public key for the router can be looked up later');

    const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park B' });
    assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
    const agent = (await http(url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
    const agentClient = http(url, agent.credential);
    assert.equal((await agentClient.post(`/api/v1/agents/${agent.id}/register`, { publicKey: generateWireGuardKeyPair().publicKey })).status, 200);
    const state = (await agentClient.get(`/api/v1/agents/${agent.id}/state`)).body;
    const vpn = state.directVpns.find((entry: { name: string }) => entry.name === 'Manual WG');
    assert.ok(vpn, JSON.stringify(state.directVpns));
    assert.equal(wireGuardPublicKey(vpn.privateKey), created.body.agentPublicKey, 'the router is told the public key of the key the agent dials with');
    assert.deepEqual(vpn.addresses, ['10.98.0.2/32']);
    assert.deepEqual(
      vpn.peers.map((p: { publicKey: string; endpoint: string; persistentKeepalive: number }) => [p.publicKey, p.endpoint, p.persistentKeepalive]),
      [[router.publicKey, 'router.park-b.example:51820', 25]],
    );

    // D7 edit by hand: endpoint and router key replaced; the agent keeps its key (the router knows it), the subnets stay.
    const router2 = generateWireGuardKeyPair();
    const refusedEdit = await mona.put(`${PARK_B}/Manual%20WG`, { manual: { endpoint: 'router2.park-b.example:51821', peerPublicKey: 'nope' } });
    assert.equal(refusedEdit.status, 400, JSON.stringify(refusedEdit.body));
    assert.equal(refusedEdit.body.error.field, 'manual.peerPublicKey');
    const both = await mona.put(`${PARK_B}/Manual%20WG`, { config: '[Interface]\n', manual: { endpoint: 'router2.park-b.example:51821' } });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.field, 'manual');
    assert.deepEqual((await mona.get(`${PARK_B}/Manual%20WG`)).body.endpoints, ['router.park-b.example:51820'], 'a refused edit changes nothing');
    const edited = await mona.put(`${PARK_B}/Manual%20WG`, { manual: { endpoint: 'router2.park-b.example:51821', peerPublicKey: router2.publicKey, address: '10.98.0.2/32' } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual([edited.body.vpn.endpoints, edited.body.vpn.subnets], [['router2.park-b.example:51821'], ['10.61.0.0/24']]);
    assert.equal(edited.body.vpn.agentPublicKey, created.body.agentPublicKey);
    const after = (await agentClient.get(`/api/v1/agents/${agent.id}/state`)).body.directVpns.find((entry: { name: string }) => entry.name === 'Manual WG');
    assert.equal(after.privateKey, vpn.privateKey, 'the agent keeps its key');
    assert.deepEqual(
      after.peers.map((p: { publicKey: string; endpoint: string }) => [p.publicKey, p.endpoint]),
      [[router2.publicKey, 'router2.park-b.example:51821']],
    );
    assert.equal((await mona.delete(`${PARK_B}/Manual%20WG?confirm=true`)).status, 200);
  });

  it('D1 manual entry (WireGuard): a given private key is kept; the answer names its public key', async () => {
    const { mona } = env();
    const agentKeys = generateWireGuardKeyPair();
    const created = await mona.post(PARK_B, {
      ...wireGuard({ privateKey: agentKeys.privateKey, persistentKeepalive: 10 }),
      name: 'Manual WG2',
      subnets: ['10.62.0.0/24'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.agentPublicKey, agentKeys.publicKey);
    assert.equal((await mona.delete(`${PARK_B}/Manual%20WG2?confirm=true`)).status, 200);
  });

  it('D1 manual entry (OpenVPN): remote, transport and pasted PEM blocks become an outgoing OpenVPN direct VPN', async () => {
    const { mona } = env();
    const pki = await createTestPki();
    const client = await pki.issueClient('park-b-agent');
    const created = await mona.post(PARK_B, {
      name: 'Manual OVPN',
      direction: 'outgoing',
      protocol: 'openvpn',
      transport: 'tcp',
      manual: { endpoint: 'vpn.park-b.example:443', ca: pki.caPem, cert: client.certPem, key: client.keyPem, tlsCrypt: openVpnStaticKey() },
      subnets: ['10.64.0.0/24'],
      advanced: { cipher: 'AES-128-CBC' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.vpn.transport, 'tcp');
    assert.deepEqual(created.body.vpn.endpoints, ['vpn.park-b.example:443']);
    assert.equal(created.body.review.crypto.cipher, 'AES-128-CBC');
    assert.equal(created.body.agentPublicKey, null);
    assert.ok(!JSON.stringify(created.body).includes('PRIVATE KEY'), 'the key never comes back');
    assert.equal((await mona.delete(`${PARK_B}/Manual%20OVPN?confirm=true`)).status, 200);
  });

  it('D1 manual entry: bad input is refused naming manual.<field> (or the clashing field), and nothing is half-applied', async () => {
    const { mona, plantSubnets } = env();
    const before = await plantSubnets('Park B');
    const vpnsBefore = (await mona.get(PARK_B)).body.length;
    const rows: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['config and manual together', { ...wireGuard(), config: '[Interface]\n' }, 'manual', /either config .* or manual/],
      ['neither', { ...wireGuard(), manual: undefined }, 'config', /or enter endpoint and keys by hand/],
      ['an OpenVPN field on WireGuard', wireGuard({ ca: '-----BEGIN CERTIFICATE-----' }), 'manual.ca', /for OpenVPN only/],
      ['no peer key', wireGuard({ peerPublicKey: undefined }), 'manual.peerPublicKey', /is required/],
      ['a key the parser refuses, traced to its field', wireGuard({ peerPublicKey: 'not-a-key' }), 'manual.peerPublicKey', /not a WireGuard key/],
      ['an address the parser refuses', wireGuard({ address: '10.98.0.300/32' }), 'manual.address', /./],
      ['a line smuggled into a key', wireGuard({ privateKey: 'AAAA\nPostUp = touch /tmp/x' }), 'manual.privateKey', /one line/],
      ['endpoint without port', wireGuard({ endpoint: 'router.park-b.example' }), 'manual.endpoint', /not HOST:PORT/],
      ['no subnets', { ...wireGuard(), subnets: undefined }, 'subnets', /name the plant subnets/],
      ['a hosted server', { ...wireGuard(), direction: 'hosted' }, 'manual', /only an outgoing direct VPN/],
      ['an unknown manual field', wireGuard({ listenPort: 1 }), 'manual.listenPort', /is not a known field/],
    ];
    for (const [name, body, field, pattern] of rows) {
      const refused = await mona.post(PARK_B, body);
      assert.equal(refused.status, 400, `${name}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.field, field, `${name}: ${JSON.stringify(refused.body)}`);
      assert.match(refused.body.error.message, pattern, name);
    }
    const clash = await mona.post(PARK_B, { ...wireGuard(), subnets: [before[0]] });
    assert.equal(clash.status, 409, JSON.stringify(clash.body));
    assert.deepEqual(await plantSubnets('Park B'), before, 'nothing half-applied: no plant subnet');
    assert.equal((await mona.get(PARK_B)).body.length, vpnsBefore, 'nothing half-applied: no direct VPN');
  });
}
