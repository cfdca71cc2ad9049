import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { baseFleet } from '../api/fleet-fixture.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { plantgate, type Run } from './support.ts';

/** Issue 10 contract: `plantgate vpn sessions --json` prints exactly the session keys, newest first. */
describe('plantgate vpn sessions against a real control plane', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-sessions-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let gatewayName = '';
  const T = Math.floor(Date.now() / 1000) - 3600;
  const env = (who: string) => ({ PLANTGATE_CONFIG_DIR: join(work, who), PLANTGATE_SERVER: undefined, PLANTGATE_TOKEN: undefined });
  const as = (who: string, args: string[]): Promise<Run> => plantgate(args, env(who));

  before(async () => {
    server = await startTestServer();
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await op.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).body.token });
    gatewayName = enrolled.body.name;
    const bob = http(server.url, await login(server.url, 'bob@solarco.example', 'bob-password'));
    const key = generateWireGuardKeyPair().publicKey;
    assert.equal((await bob.post('/api/v1/vpn/profile', { publicKey: key })).status, 201);
    const gateway = http(server.url, enrolled.body.credential);
    // An old session (ended long ago) and a current one.
    for (const [handshake, rx, tx] of [
      [T, 4096, 1024],
      [Math.floor(Date.now() / 1000) - 20, 6096, 1524],
    ] as const) {
      const peers = [{ publicKey: key, endpoint: '81.2.69.160:40000', latestHandshake: handshake, rxBytes: rx, txBytes: tx }];
      const sent = await gateway.post(`/api/v1/gateways/${enrolled.body.id}/status`, { appliedRevision: 1, version: 'test', lastError: null, peers });
      assert.equal(sent.status, 204);
      await server.ctx.daemonStatus.flush();
    }
    for (const who of ['alice', 'bob']) {
      const r = await plantgate(['login', '--server', server.url, '--email', `${who}@solarco.example`, '--password-stdin'], env(who), `${who}-password\n`);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('--json prints exactly start, end, sourceAddress, country, bytesIn, bytesOut, region, gateway — newest first', async () => {
    const r = await as('bob', ['vpn', 'sessions', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const sessions = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.equal(sessions.length, 2);
    for (const s of sessions) assert.deepEqual(Object.keys(s), ['start', 'end', 'sourceAddress', 'country', 'bytesIn', 'bytesOut', 'region', 'gateway']);
    assert.deepEqual(sessions[1], {
      start: new Date(T * 1000).toISOString(),
      end: new Date((T + 180) * 1000).toISOString(),
      sourceAddress: '81.2.69.160:40000',
      country: 'GB',
      bytesIn: 4096,
      bytesOut: 1024,
      region: 'eu-central',
      gateway: gatewayName,
    });
    assert.equal(sessions[0]?.end, null, 'the current session is still connected');
    assert.deepEqual([sessions[0]?.bytesIn, sessions[0]?.bytesOut], [2000, 500]);
  });

  it('the table shows the sessions; --limit 1 only the newest; another user sees none', async () => {
    const table = await as('bob', ['vpn', 'sessions']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /START\s+END\s+SOURCE/);
    assert.match(table.stdout, /connected\s+81\.2\.69\.160:40000\s+GB/);
    const one = JSON.parse((await as('bob', ['vpn', 'sessions', '--json', '--limit', '1'])).stdout);
    assert.equal(one.length, 1);
    assert.equal(one[0].end, null);
    const alice = await as('alice', ['vpn', 'sessions', '--json']);
    assert.deepEqual(JSON.parse(alice.stdout), []);
    const bad = await as('bob', ['vpn', 'sessions', '--limit', 'x']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--limit/);
  });
});
