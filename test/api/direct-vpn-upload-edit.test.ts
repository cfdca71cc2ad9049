import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { orgFleet } from './org-self-service-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Client = ReturnType<typeof http>;

const PARK_C = '/api/v1/plants/Park%20C/direct-vpns';

function conf(endpoint: string, allowed: string, extra = ''): { text: string; privateKey: string } {
  const agent = generateWireGuardKeyPair();
  const router = generateWireGuardKeyPair();
  return {
    text: `[Interface]\nPrivateKey = ${agent.privateKey}\nAddress = 10.99.0.2/32\n${extra}\n[Peer]\nPublicKey = ${router.publicKey}\nEndpoint = ${endpoint}\nAllowedIPs = ${allowed}\n`,
    privateKey: agent.privateKey,
  };
}

/** D7 "edit … endpoint, keys" (PUT …/direct-vpns/:vpn with `config` / `credentials`), checked as on create, on a real server. */
describe('direct VPN edit: a new upload replaces endpoint and keys (issue 9 D7)', () => {
  let server: Server;
  let mona: Client;
  let agent: { id: string; client: Client };
  const agentVpn = async (name: string) =>
    (
      (await agent.client.get(`/api/v1/agents/${agent.id}/state`)).body.directVpns as Array<{
        name: string;
        privateKey: string;
        peers: Array<{ endpoint: string }>;
      }>
    ).find((v) => v.name === name);

  before(async () => {
    server = await startTestServer();
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await op.post('/api/v1/admin/fleet', { document: orgFleet() })).status, 200);
    mona = http(server.url, await login(server.url, 'mona@solarco.example', 'mona-password'));
    const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park C' });
    const enrolled = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
    agent = { id: enrolled.id, client: http(server.url, enrolled.credential) };
    assert.equal((await agent.client.post(`/api/v1/agents/${enrolled.id}/register`, { publicKey: generateWireGuardKeyPair().publicKey })).status, 200);
  });
  after(async () => server?.close());

  it('D7: a new .conf moves the endpoint and key the agent dials with; the subnets stay; the key is in no read', async () => {
    const first = conf('192.0.2.20:51820', '10.81.0.0/24');
    assert.equal((await mona.post(PARK_C, { name: 'Edit C', direction: 'outgoing', protocol: 'wireguard', config: first.text })).status, 201);
    assert.equal((await agentVpn('Edit C'))?.privateKey, first.privateKey);
    const next = conf('198.51.100.21:51821', '10.81.0.0/24, 0.0.0.0/0');
    const edited = await mona.put(`${PARK_C}/Edit%20C`, { config: next.text });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual(edited.body.vpn.endpoints, ['198.51.100.21:51821']);
    assert.deepEqual(edited.body.vpn.subnets, ['10.81.0.0/24'], 'the subnets stay; the new default route is stripped');
    assert.ok(!JSON.stringify(edited.body).includes(next.privateKey));
    const doc = await agentVpn('Edit C');
    assert.equal(doc?.privateKey, next.privateKey, 'the agent’s document carries the new key');
    assert.equal(doc?.peers[0]?.endpoint, '198.51.100.21:51821');
    const events = await mona.get('/api/v1/orgs/SolarCo/events?limit=5');
    assert.ok(!JSON.stringify(events.body).includes(next.privateKey), 'no key in the event');
  });

  it('D5: a new upload with PostUp is refused naming its line, and nothing changes', async () => {
    const bad = conf('203.0.113.9:51820', '10.81.0.0/24', 'PostUp = iptables -F\n');
    const refused = await mona.put(`${PARK_C}/Edit%20C`, { config: bad.text, name: 'Renamed C' });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.field, 'config');
    assert.match(refused.body.error.message, /line 4 \(PostUp\)/);
    const shown = (await mona.get(`${PARK_C}/Edit%20C`)).body;
    assert.deepEqual([shown.name, shown.endpoints], ['Edit C', ['198.51.100.21:51821']], 'nothing half-applied');
  });

  it('D4: a new upload with new subnets is checked like a create (a clash names the owner)', async () => {
    const next = conf('198.51.100.22:51820', '10.82.0.0/24');
    const clash = await mona.put(`${PARK_C}/Edit%20C`, { config: next.text, subnets: ['10.30.0.0/24'] });
    assert.equal(clash.status, 409, JSON.stringify(clash.body));
    assert.match(clash.body.error.message, /10\.30\.0\.0\/24 overlaps 10\.30\.0\.0\/24/);
    const moved = await mona.put(`${PARK_C}/Edit%20C`, { config: next.text, subnets: ['10.82.0.0/24'] });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(moved.body.vpn.subnets, ['10.82.0.0/24']);
  });

  it('an OpenVPN profile with auth-user-pass takes new credentials alone; WireGuard and hosted servers refuse an upload edit', async () => {
    const ovpn = readFileSync(new URL('../../src/core/direct-vpn/corpus/mikrotik-openvpn.ovpn', import.meta.url), 'utf8');
    const made = await mona.post(PARK_C, {
      name: 'Mikro C',
      direction: 'outgoing',
      protocol: 'openvpn',
      config: ovpn,
      subnets: ['10.83.0.0/24'],
      credentials: { username: 'u1', password: 'first-secret' },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const renewed = await mona.put(`${PARK_C}/Mikro%20C`, { credentials: { username: 'u2', password: 'second-secret' } });
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.ok(!JSON.stringify(renewed.body).includes('second-secret'));
    const doc = (
      (await agent.client.get(`/api/v1/agents/${agent.id}/state`)).body.directVpns as Array<{
        name: string;
        credentials?: { username: string; password: string } | null;
      }>
    ).find((v) => v.name === 'Mikro C');
    assert.deepEqual(doc?.credentials, { username: 'u2', password: 'second-secret' }, 'the agent dials with the new credentials');
    // a new upload keeps the credentials in place when it asks for them again
    assert.equal((await mona.put(`${PARK_C}/Mikro%20C`, { config: ovpn })).status, 200);
    assert.equal((await mona.put(`${PARK_C}/Edit%20C`, { credentials: { username: 'u', password: 'p' } })).body.error?.field, 'credentials');
    const hosted = await mona.post(PARK_C, { name: 'Hub C', direction: 'hosted', protocol: 'wireguard', subnets: ['10.84.0.0/24'] });
    assert.equal(hosted.status, 201, JSON.stringify(hosted.body));
    const refused = await mona.put(`${PARK_C}/Hub%20C`, { config: conf('192.0.2.1:1', '10.84.0.0/24').text });
    assert.deepEqual([refused.status, refused.body.error.field], [400, 'config']);
  });
});
