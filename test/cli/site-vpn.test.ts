import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { baseFleet } from '../api/fleet-fixture.ts';
import { createTestPki, openVpnStaticKey } from '../support/openvpn-pki.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { plantgate, type Run } from './support.ts';

const REVIEW_KEYS = ['direction', 'protocol', 'subnets', 'subnetsFromConfig', 'stripped', 'ignored', 'needsCredentials', 'crypto'];

/**
 * Issue 9 contract: `plantgate site-vpn create … --json` prints exactly the review, dry run
 * or not; a refused upload exits non-zero naming the directive and its line (as
 * `{"error": {…}}` under --json). The real binary against a real control plane.
 */
describe('plantgate site-vpn against a real control plane', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-site-vpn-'));
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const env = { PLANTGATE_CONFIG_DIR: join(work, 'alice'), PLANTGATE_SERVER: undefined, PLANTGATE_TOKEN: undefined };
  const run = (args: string[], input?: string): Promise<Run> => plantgate(args, env, input);
  const upload = (extra: string) => {
    const file = join(work, `router-${Math.random().toString(36).slice(2)}.conf`);
    const agent = generateWireGuardKeyPair();
    const router = generateWireGuardKeyPair();
    writeFileSync(
      file,
      `[Interface]\nPrivateKey = ${agent.privateKey}\nAddress = 10.99.0.2/32\n${extra}\n[Peer]\nPublicKey = ${router.publicKey}\nEndpoint = 192.0.2.1:51820\nAllowedIPs = 0.0.0.0/0, 10.40.0.0/24\n`,
    );
    return file;
  };
  const create = ['site-vpn', 'create', '--plant', 'Park C', '--name', 'Router C', '--direction', 'outgoing', '--protocol', 'wireguard'];

  before(async () => {
    server = await startTestServer();
    const operator = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const applied = await operator.post('/api/v1/admin/fleet', { document: baseFleet() });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    const r = await run(['login', '--server', server.url, '--email', 'alice@solarco.example', '--password-stdin'], 'alice-password\n');
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('issue 9 contract: create --dry-run --json and create --json print exactly the review keys; the dry run changes nothing', async () => {
    const file = upload('');
    const dry = await run([...create, '--config', file, '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const review = JSON.parse(dry.stdout);
    assert.deepEqual(Object.keys(review), REVIEW_KEYS);
    assert.deepEqual(review.subnets, ['10.40.0.0/24']);
    assert.deepEqual(review.stripped, [{ what: '0.0.0.0/0', line: 8 }]);
    const before = await run(['site-vpn', 'list', '--plant', 'Park C', '--json']);
    assert.deepEqual(JSON.parse(before.stdout), []);

    const real = await run([...create, '--config', file, '--subnet', '10.40.0.0/24', '--json']);
    assert.equal(real.code, 0, real.stderr);
    assert.deepEqual(Object.keys(JSON.parse(real.stdout)), REVIEW_KEYS);
    const listed = await run(['site-vpn', 'list', '--plant', 'Park C']);
    assert.match(listed.stdout, /Router C\s+outgoing\s+wireguard\/udp\s+192\.0\.2\.1:51820\s+10\.40\.0\.0\/24\s+enabled\s+unknown\s/);
  });

  it('D6: hosted create --json keeps the review contract and writes the show-once profile to --out (0600); client add/list/remove', async () => {
    const hosted = ['site-vpn', 'create', '--plant', 'Park C', '--name', 'Hosted C', '--direction', 'hosted', '--protocol', 'wireguard', '--subnet', '10.42.0.0/24', '--listen-host', 'agent.park-c.example'];
    const noOut = await run([...hosted, '--json']);
    assert.equal(noOut.code, 2, 'with --json the profile must go to a file');
    assert.match(JSON.parse(noOut.stdout).error.message, /--out/);
    const out = join(work, 'hosted-c.conf');
    const created = await run([...hosted, '--json', '--out', out]);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(Object.keys(JSON.parse(created.stdout)), REVIEW_KEYS);
    assert.match(created.stderr, /shown only now/);
    const { readFileSync, statSync } = await import('node:fs');
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.match(readFileSync(out, 'utf8'), /^PrivateKey = \S+$/m);
    assert.match(readFileSync(out, 'utf8'), /^Endpoint = agent\.park-c\.example:51820$/m);
    const again = await run([...hosted, '--name', 'Hosted D', '--subnet', '10.43.0.0/24', '--out', out]);
    assert.equal(again.code, 2, 'an existing file is never overwritten; nothing is created');
    assert.ok(!(await run(['site-vpn', 'list', '--plant', 'Park C'])).stdout.includes('Hosted D'));

    const added = await run(['site-vpn', 'client', 'add', 'Hosted C', '--plant', 'Park C', '--name', 'ulla', '--kind', 'user']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^AllowedIPs = 100\.96\.0\.1\/32, 10\.42\.0\.0\/24$/m, 'printed when there is no --out');
    assert.match(added.stderr, /shown only now/);
    const list = JSON.parse((await run(['site-vpn', 'client', 'list', 'Hosted C', '--plant', 'Park C', '--json'])).stdout);
    assert.deepEqual(list.map((c: { name: string; kind: string }) => [c.name, c.kind]), [['plant-router', 'site'], ['ulla', 'user']]);
    assert.ok(!JSON.stringify(list).includes('PrivateKey'));
    const removed = await run(['site-vpn', 'client', 'remove', 'Hosted C', 'ulla', '--plant', 'Park C']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /- client ulla/);
    const shown = await run(['site-vpn', 'show', 'Hosted C', '--plant', 'Park C']);
    assert.match(shown.stdout, /clients dial: agent\.park-c\.example:51820\/udp \(1 client/);
  });

  it('D5: a refused upload exits non-zero naming the directive and its line, as {"error": …} under --json', async () => {
    const file = upload('PostUp = iptables -F');
    const refused = await run([...create, '--name', 'Router X', '--config', file, '--subnet', '10.41.0.0/24', '--json']);
    assert.notEqual(refused.code, 0);
    const error = JSON.parse(refused.stdout).error;
    assert.equal(error.field, 'config');
    assert.match(error.message, /line 4 \(PostUp\)/);
    assert.deepEqual([error.problems[0].line, error.problems[0].directive], [4, 'PostUp']);
    const plain = await run([...create, '--name', 'Router X', '--config', file, '--subnet', '10.41.0.0/24']);
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /line 4 \(PostUp\)/);
  });

  it('D7: edit --config replaces endpoint and keys, refused like create when the new upload has PostUp; the subnets stay', async () => {
    const made = await run(['site-vpn', 'create', '--plant', 'Park A', '--name', 'Router E', '--direction', 'outgoing', '--protocol', 'wireguard', '--config', upload('')]);
    assert.equal(made.code, 0, made.stderr);
    const refused = await run(['site-vpn', 'edit', 'Router E', '--plant', 'Park A', '--config', upload('PostUp = iptables -F')]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /line 4 \(PostUp\)/);
    const moved = join(work, 'router-e-new.conf');
    const agent = generateWireGuardKeyPair();
    const router = generateWireGuardKeyPair();
    writeFileSync(moved, `[Interface]\nPrivateKey = ${agent.privateKey}\nAddress = 10.99.0.2/32\n\n[Peer]\nPublicKey = ${router.publicKey}\nEndpoint = 198.51.100.7:51820\nAllowedIPs = 10.40.0.0/24\n`);
    const edited = await run(['site-vpn', 'edit', 'Router E', '--plant', 'Park A', '--config', moved]);
    assert.equal(edited.code, 0, edited.stderr);
    assert.match(edited.stdout, /new upload \(endpoint and keys replaced\)/);
    const shown = JSON.parse((await run(['site-vpn', 'show', 'Router E', '--plant', 'Park A', '--json'])).stdout);
    assert.deepEqual([shown.endpoints, shown.subnets], [['198.51.100.7:51820'], ['10.40.0.0/24']]);
  });

  it('D8: delete with devices behind its subnet asks for --confirm first', async () => {
    const operator = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
    assert.equal((await operator.post('/api/v1/orgs/SolarCo/plants/Park%20C/devices', { name: 'meter', ip: '10.40.0.7', kind: 'meter', ports: [] })).status, 201);
    const asked = await run(['site-vpn', 'delete', 'Router C', '--plant', 'Park C']);
    assert.notEqual(asked.code, 0);
    assert.match(asked.stderr, /meter \(10\.40\.0\.7\)[\s\S]*--confirm/);
    const done = await run(['site-vpn', 'delete', 'Router C', '--plant', 'Park C', '--confirm']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /- direct VPN Router C/);
  });

  it('qa D5: every refused line is named with its line and directive, not only the first; a missing auth-user-pass login points to --username', async () => {
    const file = upload('PostUp = iptables -F\nPreDown = rm -rf /');
    const refused = await run([...create, '--name', 'Router Y', '--config', file, '--subnet', '10.45.0.0/24']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /line 4 \(PostUp\)/);
    assert.match(refused.stderr, /line 5 \(PreDown\)/);
    assert.equal(refused.stderr.match(/line 4 \(PostUp\)/g)?.length, 1, 'the first problem is the message, not repeated');
    const emptyFile = join(work, 'empty.conf');
    writeFileSync(emptyFile, '');
    const empty = await run([...create, '--name', 'Router Y', '--config', emptyFile, '--subnet', '10.45.0.0/24']);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no \[Interface\] section[\s\S]*no \[Peer\] section/);
    assert.doesNotMatch(empty.stderr, /line 0/);
    const ovpn = join(work, 'login.ovpn');
    const pki = await createTestPki();
    writeFileSync(ovpn, `client\ndev tun\nproto udp\nremote 192.0.2.9 1194\nauth-user-pass\nroute 10.45.0.0 255.255.255.0\n<ca>\n${pki.caPem.trim()}\n</ca>\n`);
    const login = await run(['site-vpn', 'create', '--plant', 'Park C', '--name', 'Router Y', '--direction', 'outgoing', '--protocol', 'openvpn', '--config', ovpn]);
    assert.notEqual(login.code, 0);
    assert.match(login.stderr, /credentials[\s\S]*--username/);
    const byHand = await run([...create, '--name', 'Router Y', '--endpoint', '192.0.2.9:51820', '--peer-public-key', 'notakey', '--address', '10.99.0.2/32', '--subnet', '10.45.0.0/24', '--dry-run']);
    assert.equal(byHand.code, 2);
    assert.match(byHand.stderr, /not a WireGuard key[\s\S]*--peer-public-key/);
  });

  it('qa: --config - reads the upload from standard input as the help says; not together with --username (the password comes from there)', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(upload(''), 'utf8');
    const dry = await run([...create, '--name', 'Router Stdin', '--config', '-', '--dry-run', '--json'], text);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(JSON.parse(dry.stdout).stripped, [{ what: '0.0.0.0/0', line: 8 }]);
    const both = await run([...create, '--name', 'Router Stdin', '--config', '-', '--username', 'u', '--dry-run'], text);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--username: standard input already carried the config/);
  });

  it('qa D1: edit --listen-host/--listen-port moves where a hosted server\u2019s clients dial (the API\u2019s listen on edit); a taken port names its owner and the flag', async () => {
    const hosted = ['site-vpn', 'create', '--plant', 'Park C', '--direction', 'hosted', '--protocol', 'wireguard', '--listen-host', 'a.example'];
    const made = await run([...hosted, '--name', 'Hosted L', '--subnet', '10.47.0.0/24', '--listen-port', '51900', '--out', join(work, 'hosted-l.conf')]);
    assert.equal(made.code, 0, made.stderr);
    const moved = await run(['site-vpn', 'edit', 'Hosted L', '--plant', 'Park C', '--listen-host', 'b.example', '--listen-port', '51901']);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /clients dial b\.example:51901 now/);
    assert.doesNotMatch(moved.stdout, /Park C: $/m, 'no empty change line');
    const shown = JSON.parse((await run(['site-vpn', 'show', 'Hosted L', '--plant', 'Park C', '--json'])).stdout);
    assert.deepEqual(shown.listen, { host: 'b.example', port: 51901 });
    const other = await run([...hosted, '--name', 'Hosted M', '--subnet', '10.48.0.0/24', '--listen-port', '51902', '--out', join(work, 'hosted-m.conf')]);
    assert.equal(other.code, 0, other.stderr);
    const taken = await run(['site-vpn', 'edit', 'Hosted L', '--plant', 'Park C', '--listen-port', '51902']);
    assert.equal(taken.code, 5);
    assert.match(taken.stderr, /51902[\s\S]*"Hosted M"[\s\S]*--listen-port/);
    const bad = await run(['site-vpn', 'edit', 'Hosted L', '--plant', 'Park C', '--listen-port', '0']);
    assert.equal(bad.code, 2);
  });

  it('qa D8/D11 --json: a device refusal keeps status, server code, field and the devices; a failed discovery prints one JSON document', async () => {
    const made = await run([...create, '--name', 'Router D8', '--config', upload(''), '--subnet', '10.46.0.0/24']);
    assert.equal(made.code, 0, made.stderr);
    const operator = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
    assert.equal((await operator.post('/api/v1/orgs/SolarCo/plants/Park%20C/devices', { name: 'rtu', ip: '10.46.0.9', kind: 'device', ports: [] })).status, 201);
    const asked = await run(['site-vpn', 'delete', 'Router D8', '--plant', 'Park C', '--json']);
    assert.equal(asked.code, 5);
    const error = JSON.parse(asked.stdout).error;
    assert.deepEqual([error.status, error.serverCode, error.field], [409, 'subnet-has-devices', 'confirm']);
    assert.deepEqual(error.problems, [{ field: 'devices', message: 'rtu (10.46.0.9)' }]);
    assert.match(error.message, /--confirm/);
    const discover = await run(['plant', 'discover', '--plant', 'Park C', '--json']);
    assert.notEqual(discover.code, 0);
    assert.match(JSON.parse(discover.stdout).error.message, /has no agent/);
  });

  it('D7/D11: list shows state and traffic; logs, diagnose and restart before the agent reported; discover on a plant without an agent fails naming why', async () => {
    const created = await run(['site-vpn', 'create', '--plant', 'Park C', '--name', 'Router Ops', '--direction', 'outgoing', '--protocol', 'wireguard', '--config', upload(''), '--subnet', '10.44.0.0/24']);
    assert.equal(created.code, 0, created.stderr);
    const list = await run(['site-vpn', 'list', '--plant', 'Park C']);
    assert.match(list.stdout, /STATE\s+LIVE\s+TRAFFIC/);
    assert.match(list.stdout, /Router Ops .*enabled\s+unknown\s+in 0 B out 0 B/);
    const shown = JSON.parse((await run(['site-vpn', 'show', 'Router Ops', '--plant', 'Park C', '--json'])).stdout);
    assert.equal(shown.live.state, 'unknown');
    const logs = await run(['site-vpn', 'logs', 'Router Ops', '--plant', 'Park C']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /has not reported this tunnel yet/);
    const diagnose = await run(['site-vpn', 'diagnose', 'Router Ops', '--plant', 'Park C']);
    assert.equal(diagnose.code, 0, diagnose.stderr);
    assert.match(diagnose.stdout, /FAIL agent-reporting[\s\S]*fix: /);
    const restart = await run(['site-vpn', 'restart', 'Router Ops', '--plant', 'Park C', '--json']);
    assert.equal(restart.code, 0, restart.stderr);
    assert.match(JSON.parse(restart.stdout).changes[0], /restart requested/);
    const discover = await run(['plant', 'discover', '--plant', 'Park C']);
    assert.notEqual(discover.code, 0);
    assert.match(discover.stdout + discover.stderr, /has no agent/);
    const usage = await run(['plant', 'discover', '--plant', 'Park C', '--save', '10.44.0.5']);
    assert.notEqual(usage.code, 0);
    assert.match(usage.stderr, /--save: name the organization with --org/);
  });

  it('issue 9 item 1: create by hand (--endpoint/--peer-public-key, --remote/--ca-file…) keeps the --json review contract; keys only from files; refusals name the flag or manual field', async () => {
    const router = generateWireGuardKeyPair();
    const byHand = ['site-vpn', 'create', '--plant', 'Park A', '--direction', 'outgoing', '--protocol', 'wireguard', '--endpoint', 'router.park-a.example:51820'];
    const made = await run([...byHand, '--name', 'Hand WG', '--peer-public-key', router.publicKey, '--address', '10.97.0.2/32', '--subnet', '10.71.0.0/24', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const review = JSON.parse(made.stdout);
    assert.deepEqual(Object.keys(review), REVIEW_KEYS, 'stdout is exactly the review');
    assert.deepEqual(review.subnets, ['10.71.0.0/24']);
    assert.match(made.stderr, /agent public key \(enter it as the peer on the router\): [A-Za-z0-9+/]{43}=/, 'the server-made key pair\u2019s public half is shown for the router');
    const shown = JSON.parse((await run(['site-vpn', 'show', 'Hand WG', '--plant', 'Park A', '--json'])).stdout);
    assert.deepEqual([shown.endpoints, shown.subnets], [['router.park-a.example:51820'], ['10.71.0.0/24']]);

    const agent = generateWireGuardKeyPair();
    const keyFile = join(work, 'agent.key');
    writeFileSync(keyFile, `${agent.privateKey}\n`, { mode: 0o600 });
    const given = await run([...byHand, '--name', 'Hand WG2', '--peer-public-key', router.publicKey, '--private-key-file', keyFile, '--subnet', '10.72.0.0/24']);
    assert.equal(given.code, 0, given.stderr);
    assert.ok(given.stdout.includes(`agent public key (enter it as the peer on the router): ${agent.publicKey}`), given.stdout);
    assert.ok(!given.stdout.includes(agent.privateKey), 'the private key is never printed');
    const router2 = generateWireGuardKeyPair();
    const edited = await run(['site-vpn', 'edit', 'Hand WG2', '--plant', 'Park A', '--endpoint', '198.51.100.9:51822', '--peer-public-key', router2.publicKey]);
    assert.equal(edited.code, 0, edited.stderr);
    assert.match(edited.stdout, /endpoint and keys replaced \(entered by hand\)/);
    const afterEdit = JSON.parse((await run(['site-vpn', 'show', 'Hand WG2', '--plant', 'Park A', '--json'])).stdout);
    assert.deepEqual([afterEdit.endpoints, afterEdit.subnets, afterEdit.agentPublicKey], [['198.51.100.9:51822'], ['10.72.0.0/24'], agent.publicKey], 'the agent keeps its key');

    const both = await run([...byHand, '--name', 'Hand X', '--config', upload(''), '--peer-public-key', router.publicKey, '--subnet', '10.73.0.0/24', '--json']);
    assert.equal(both.code, 2, both.stderr);
    assert.match(JSON.parse(both.stdout).error.message, /^--endpoint: give either --config .* not both/);
    const wrongProtocol = await run([...byHand, '--name', 'Hand X', '--ca-file', keyFile, '--subnet', '10.73.0.0/24']);
    assert.equal(wrongProtocol.code, 2);
    assert.match(wrongProtocol.stderr, /--ca-file: is for --protocol openvpn/);
    const badKey = await run([...byHand, '--name', 'Hand X', '--peer-public-key', 'not-a-key', '--subnet', '10.73.0.0/24', '--json']);
    assert.notEqual(badKey.code, 0);
    const error = JSON.parse(badKey.stdout).error;
    assert.equal(error.field, 'manual.peerPublicKey');
    assert.match(error.message, /not a WireGuard key/);
    assert.ok(!(await run(['site-vpn', 'list', '--plant', 'Park A'])).stdout.includes('Hand X'), 'nothing created by a refused request');

    const pki = await createTestPki();
    const client = await pki.issueClient('park-a-agent');
    const file = (name: string, text: string) => {
      const path = join(work, name);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    };
    const openVpn = await run([
      ...['site-vpn', 'create', '--plant', 'Park A', '--name', 'Hand OVPN', '--direction', 'outgoing', '--protocol', 'openvpn', '--transport', 'tcp'],
      ...['--remote', 'vpn.park-a.example:443', '--ca-file', file('ca.pem', pki.caPem), '--cert-file', file('cert.pem', client.certPem)],
      ...['--key-file', file('key.pem', client.keyPem), '--tls-crypt-file', file('tc.key', openVpnStaticKey()), '--subnet', '10.74.0.0/24', '--json'],
    ]);
    assert.equal(openVpn.code, 0, openVpn.stderr);
    assert.deepEqual(Object.keys(JSON.parse(openVpn.stdout)), REVIEW_KEYS);
    const ovpn = JSON.parse((await run(['site-vpn', 'show', 'Hand OVPN', '--plant', 'Park A', '--json'])).stdout);
    assert.deepEqual([ovpn.transport, ovpn.endpoints], ['tcp', ['vpn.park-a.example:443']]);
  });
});
