import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { baseFleet } from '../api/fleet-fixture.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { plantgate, type Run } from './support.ts';

function inline(text: string, tag: string): string {
  const match = new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(text);
  assert.ok(match, `<${tag}> in the file`);
  return match[1] as string;
}

/** Issue 11 contract: `plantgate vpn issue --type wireguard|openvpn --out FILE`, against a real control plane. */
describe('plantgate vpn issue --type openvpn (the real binary)', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-ovpn-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const env = (who: string) => ({ PLANTGATE_CONFIG_DIR: join(work, who), PLANTGATE_SERVER: undefined, PLANTGATE_TOKEN: undefined });
  const as = (who: string, args: string[]): Promise<Run> => plantgate(args, env(who));

  before(async () => {
    server = await startTestServer();
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await op.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-north', endpoint: 'vpn-north.example.test:51820' })).status, 201);
    for (const who of ['alice', 'bob']) {
      const r = await plantgate(['login', '--server', server.url, '--email', `${who}@solarco.example`, '--password-stdin'], env(who), `${who}-password\n`);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('P9: writes a 0600 .ovpn whose key (made here) is the one the platform certified, dialing the chosen region first', async () => {
    const out = join(work, 'alice.ovpn');
    const r = await as('alice', ['vpn', 'issue', '--type', 'openvpn', '--region', 'eu-north', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /profile issued: openvpn, certificate [0-9a-f]+, tunnel IP 100\.\d+\.\d+\.\d+, region eu-north/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const text = readFileSync(out, 'utf8');
    const remotes = text.split('\n').filter((line) => line.startsWith('remote '));
    assert.deepEqual(remotes, [
      'remote vpn-north.example.test 1194 udp',
      'remote vpn-north.example.test 1194 tcp',
      'remote vpn.example.test 1194 udp',
      'remote vpn.example.test 1194 tcp',
    ]);
    const cert = new X509Certificate(inline(text, 'cert'));
    assert.ok(cert.checkPrivateKey(createPrivateKey(inline(text, 'key'))));
    const shown = JSON.parse((await as('alice', ['vpn', 'show', '--json'])).stdout);
    assert.equal(shown.profile.kind, 'openvpn');
    assert.equal(cert.serialNumber.toLowerCase().replace(/^0+/, ''), shown.profile.certificate.serial);
    assert.match((await as('alice', ['vpn', 'show'])).stdout, /certificate [0-9a-f]+ \(SHA-256 [0-9a-f]{64}, valid until /);
  });

  it('P2/P9: rotate keeps the type and the tunnel IP; refresh is refused for an OpenVPN profile (routes are pushed)', async () => {
    const before = JSON.parse((await as('alice', ['vpn', 'show', '--json'])).stdout);
    const out = join(work, 'alice-rotated.ovpn');
    const r = await as('alice', ['vpn', 'rotate', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /profile rotated: openvpn/);
    const after = JSON.parse((await as('alice', ['vpn', 'show', '--json'])).stdout);
    assert.equal(after.profile.tunnelIp, before.profile.tunnelIp);
    assert.notEqual(after.profile.certificate.serial, before.profile.certificate.serial);
    const refresh = await as('alice', ['vpn', 'refresh', '--config', out]);
    assert.notEqual(refresh.code, 0);
    assert.match(refresh.stderr, /PrivateKey|OpenVPN/);
  });

  it('--type takes wireguard or openvpn only; wireguard stays the default (the contract before issue 11)', async () => {
    const bad = await as('bob', ['vpn', 'issue', '--type', 'ipsec', '--out', join(work, 'x')]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--type.*ipsec|ipsec.*(wireguard|openvpn)/);
    const out = join(work, 'bob.conf');
    const r = await as('bob', ['vpn', 'issue', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(out, 'utf8'), /^\[Interface\]$/m);
    assert.match(r.stdout, /profile issued: wireguard/);
  });
});
