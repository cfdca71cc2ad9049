import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseWireGuardConfig } from '../../src/core/direct-vpn/wireguard-config.ts';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { baseFleet } from '../api/fleet-fixture.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { plantgate, type Run } from './support.ts';

/**
 * `plantgate org-vpn …` (issue 12 item 9): the real binary against a real control plane.
 * The client's key pair is made by the CLI; only the public key reaches the server.
 */
describe('plantgate org-vpn against a real control plane', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-org-vpn-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const env = { PLANTGATE_CONFIG_DIR: join(work, 'alice'), PLANTGATE_SERVER: undefined, PLANTGATE_TOKEN: undefined };
  const run = (args: string[], input?: string): Promise<Run> => plantgate(args, env, input);
  const ok = async (args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    server = await startTestServer();
    const operator = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await operator.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
    assert.equal((await operator.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
    const r = await run(['login', '--server', server.url, '--email', 'alice@solarco.example', '--password-stdin'], 'alice-password\n');
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('O1: create, plant add/remove, list and show --json say the same as the API', async () => {
    const created = JSON.parse((await ok(['org-vpn', 'create', 'office', '--org', 'SolarCo', '--region', 'eu-central', '--plant', 'Park A', '--json'])).stdout);
    assert.equal(created.region, 'eu-central');
    assert.deepEqual(created.routes.map((r: { plant: string; native: boolean }) => [r.plant, r.native]), [['Park A', true]]);
    const added = JSON.parse((await ok(['org-vpn', 'plant', 'add', 'office', 'Park B', '--org', 'SolarCo', '--json'])).stdout);
    assert.deepEqual(added.routes.map((r: { native: boolean }) => r.native), [false, false], 'P5: a conflict within the VPN is mapped only');
    const removed = JSON.parse((await ok(['org-vpn', 'plant', 'remove', 'office', 'Park B', '--org', 'SolarCo', '--json'])).stdout);
    assert.deepEqual(removed.plants.map((p: { name: string }) => p.name), ['Park A']);
    const list = JSON.parse((await ok(['org-vpn', 'list', '--org', 'SolarCo', '--json'])).stdout);
    assert.deepEqual(list.map((v: { name: string }) => v.name), ['office']);
    const text = (await ok(['org-vpn', 'show', 'office', '--org', 'SolarCo'])).stdout;
    assert.match(text, /^office {2}\(organization SolarCo, region eu-central, wireguard/m);
    assert.match(text, /Park A\s+192\.168\.1\.0\/24\s+100\.80\.\d+\.0\/24\s+yes/);
  });

  it('O1: client add --kind site --out writes a 0600 wg-quick config once, with a key made locally; the server knows only its public half', async () => {
    const out = join(work, 'hq.conf');
    const r = await ok(['org-vpn', 'client', 'add', 'office', '--org', 'SolarCo', '--name', 'hq', '--kind', 'site', '--network', '10.50.0.0/24', '--out', out, '--json']);
    const client = JSON.parse(r.stdout);
    assert.match(r.stderr, /written to .*hq\.conf \(mode 0600\)\. It is shown only now/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const parsed = parseWireGuardConfig(readFileSync(out, 'utf8'));
    assert.ok(parsed.ok);
    assert.equal(wireGuardPublicKey(parsed.config.privateKey), client.publicKey);
    assert.deepEqual(parsed.config.addresses, [`${client.tunnelIp}/32`]);
    assert.equal(parsed.config.peers[0]?.endpoint, 'vpn.example.test:51820');
    assert.ok(parsed.config.peers[0]?.allowedIps.includes('100.80.0.0/12'));
    const again = await run(['org-vpn', 'client', 'add', 'office', '--org', 'SolarCo', '--name', 'hq2', '--kind', 'site', '--network', '10.50.0.0/24', '--out', out]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /--out: .* exists/);
    const clash = await run(['org-vpn', 'client', 'add', 'office', '--org', 'SolarCo', '--name', 'hq2', '--kind', 'site', '--network', '192.168.0.0/16']);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stderr, /--network|networks\[0\]/);
    assert.match(clash.stderr, /plant subnet of "Park A"/);
    const clients = JSON.parse((await ok(['org-vpn', 'client', 'list', 'office', '--org', 'SolarCo', '--json'])).stdout);
    assert.deepEqual(clients.map((c: { name: string; networks: string[] }) => [c.name, c.networks]), [['hq', ['10.50.0.0/24']]]);
  });

  it('O1: client remove, edit and delete; a Member is refused with the role it needs', async () => {
    await ok(['org-vpn', 'client', 'add', 'office', '--org', 'SolarCo', '--name', 'laptop', '--kind', 'device', '--out', join(work, 'laptop.conf')]);
    const removed = JSON.parse((await ok(['org-vpn', 'client', 'remove', 'office', 'laptop', '--org', 'SolarCo', '--json'])).stdout);
    assert.equal(removed.ok, true);
    const renamed = JSON.parse((await ok(['org-vpn', 'edit', 'office', '--org', 'SolarCo', '--name', 'control room', '--json'])).stdout);
    assert.equal(renamed.name, 'control room');
    const bobEnv = { ...env, PLANTGATE_CONFIG_DIR: join(work, 'bob') };
    assert.equal((await plantgate(['login', '--server', server.url, '--email', 'bob@solarco.example', '--password-stdin'], bobEnv, 'bob-password\n')).code, 0);
    const refused = await plantgate(['org-vpn', 'delete', 'control room', '--org', 'SolarCo'], bobEnv);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /org-vpns\.manage in SolarCo needs the org role admin or moderator/);
    await ok(['org-vpn', 'delete', 'control room', '--org', 'SolarCo']);
    assert.deepEqual(JSON.parse((await ok(['org-vpn', 'list', '--org', 'SolarCo', '--json'])).stdout), []);
  });

  it('O1 with P9: create --protocol openvpn; client add --out x.ovpn writes a 0600 .ovpn once with a key made locally and the certificate the server signed; sessions of a client; a bad --protocol is refused', async () => {
    const bad = await run(['org-vpn', 'create', 'x', '--org', 'SolarCo', '--region', 'eu-central', '--protocol', 'ipsec']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--protocol: "ipsec" is not wireguard or openvpn/);
    const created = JSON.parse((await ok(['org-vpn', 'create', 'ovpn', '--org', 'SolarCo', '--region', 'eu-central', '--plant', 'Park A', '--protocol', 'openvpn', '--json'])).stdout);
    assert.equal(created.protocol, 'openvpn');
    assert.match((await ok(['org-vpn', 'show', 'ovpn', '--org', 'SolarCo'])).stdout, /^ovpn {2}\(organization SolarCo, region eu-central, openvpn/m);
    const out = join(work, 'hq.ovpn');
    const r = await ok(['org-vpn', 'client', 'add', 'ovpn', '--org', 'SolarCo', '--name', 'hq', '--kind', 'site', '--network', '10.52.0.0/24', '--out', out, '--json']);
    const client = JSON.parse(r.stdout);
    assert.match(r.stderr, /written to .*hq\.ovpn \(mode 0600\)/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const text = readFileSync(out, 'utf8');
    const inline = (tag: string) => new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(text)?.[1] as string;
    const cert = new X509Certificate(inline('cert'));
    assert.ok(cert.checkPrivateKey(createPrivateKey(inline('key'))), 'the key made by the CLI is the certified one');
    assert.equal(cert.serialNumber.toLowerCase().replace(/^0+/, ''), client.certificate.serial);
    assert.equal(client.publicKey, null);
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('remote ')), ['remote vpn.example.test 1194 udp', 'remote vpn.example.test 1194 tcp']);
    assert.match(text, /^# site router: forward 10\.52\.0\.0\/24 into this tunnel and masquerade them to /m);
    assert.deepEqual(JSON.parse((await ok(['org-vpn', 'client', 'sessions', 'ovpn', 'hq', '--org', 'SolarCo', '--json'])).stdout), []);
    assert.match((await ok(['org-vpn', 'client', 'sessions', 'ovpn', 'hq', '--org', 'SolarCo'])).stdout, /hq has no session yet/);
    const missing = await run(['org-vpn', 'client', 'sessions', 'ovpn', 'nobody', '--org', 'SolarCo']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /has no client "nobody"/);
  });
});
