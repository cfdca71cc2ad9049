import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { baseFleet } from '../api/fleet-fixture.ts';
import { plantgate, type RunningServer, startServer } from './support.ts';

describe('plantgate CLI against a real `plantgate server`', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-cli-'));
  let server: RunningServer;
  let url = '';
  let oneTimePassword = '';
  const operatorEnv = { PLANTGATE_CONFIG_DIR: join(work, 'operator') };
  const aliceEnv = { PLANTGATE_CONFIG_DIR: join(work, 'alice') };

  before(async () => {
    server = await startServer(join(work, 'data'));
    url = server.url;
    oneTimePassword = server.oneTimePassword;
  });

  after(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('S1: the one-time operator password logs in; the token file is 0600', async () => {
    const r = await plantgate(['login', '--server', url, '--email', 'admin@plantgate.local', '--password-stdin'], operatorEnv, `${oneTimePassword}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(work, 'operator', 'credentials.json')).mode & 0o777, 0o600);
    const bad = await plantgate(['login', '--server', url, '--email', 'admin@plantgate.local', '--password', 'wrong-password'], { PLANTGATE_CONFIG_DIR: join(work, 'x') });
    assert.equal(bad.code, 3, 'exit code 3: auth');
    assert.match(bad.stderr, /invalid email or password/);
  });

  it('admin apply: prints what changed, then nothing; a bad file names the path and changes nothing', async () => {
    const file = join(work, 'fleet.yaml');
    writeFileSync(file, stringify(baseFleet()));
    const first = await plantgate(['admin', 'apply', '-f', file], operatorEnv);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /\+ plant Park A \(SolarCo\)/);
    assert.match(first.stdout, /\+ subnet 192\.168\.1\.0\/24 of plant Park B \(SolarCo\) → mapped 100\.80\.\d+\.0\/24/);
    const second = await plantgate(['admin', 'apply', '-f', file], operatorEnv);
    assert.match(second.stdout, /no changes/);
    const broken = baseFleet();
    broken.organizations[0]!.plants[1]!.subnets = ['192.168.1.0/24', '100.80.0.0/16'];
    broken.organizations[0]!.plants.push({ name: 'Park Q', subnets: ['10.99.0.0/24'], devices: [] });
    writeFileSync(join(work, 'broken.json'), JSON.stringify(broken));
    const refused = await plantgate(['admin', 'apply', '-f', join(work, 'broken.json')], operatorEnv);
    assert.equal(refused.code, 2, 'exit code 2: input refused');
    assert.match(refused.stderr, /organizations\[0\]\.plants\[1\]\.subnets\[1\]: 100\.80\.0\.0\/16 overlaps the reserved mapped space/);
    const dry = await plantgate(['admin', 'apply', '-f', file, '--dry-run', '--json'], operatorEnv);
    assert.deepEqual(JSON.parse(dry.stdout).changes, [], 'Park Q was not half-applied');
  });

  it('P1: vpn issue writes a complete 0600 WireGuard config whose key only the device has', async () => {
    assert.equal((await plantgate(['admin', 'region', 'add', 'eu-central', '--endpoint', 'gw.example.test:51820'], operatorEnv)).code, 0);
    const login = await plantgate(['login', '--server', url, '--email', 'alice@solarco.example', '--password', 'alice-password'], aliceEnv);
    assert.equal(login.code, 0, login.stderr);
    const conf = join(work, 'alice.conf');
    const issued = await plantgate(['vpn', 'issue', '--out', conf], aliceEnv);
    assert.equal(issued.code, 0, issued.stderr);
    assert.equal(statSync(conf).mode & 0o777, 0o600);
    const text = readFileSync(conf, 'utf8');
    const privateKey = /PrivateKey = (\S+)/.exec(text)?.[1] as string;
    const show = JSON.parse((await plantgate(['vpn', 'show', '--json'], aliceEnv)).stdout);
    assert.equal(wireGuardPublicKey(privateKey), show.profile.publicKey);
    assert.match(text, new RegExp(`Address = ${show.profile.tunnelIp.replaceAll('.', '\\.')}/32`));
    assert.match(text, /Endpoint = gw\.example\.test:51820/);
    assert.match(text, /AllowedIPs = 100\.80\.0\.0\/12, 10\.30\.0\.0\/24/);
    assert.match(text, new RegExp(`PublicKey = ${show.servicePublicKey.replaceAll('+', '\\+')}`));
    // The server never saw the private key: it is in no stored row.
    const db = readFileSync(join(work, 'data', 'plantgate.db'));
    assert.ok(!db.includes(Buffer.from(privateKey)));
    // wg-quick's own parser accepts the file.
    const stripped = await new Promise<string>((resolve, reject) =>
      execFile('wg-quick', ['strip', conf], (e, out, err) => (e ? reject(new Error(err)) : resolve(out))),
    );
    assert.match(stripped, /\[Peer\]/);
    const again = await plantgate(['vpn', 'issue', '--out', join(work, 'second.conf')], aliceEnv);
    assert.equal(again.code, 5, 'exit code 5: conflict');
    assert.match(again.stderr, /rotate instead/);
  });

  it('P5/P6: routes as JSON and table; prefer and disable change them', async () => {
    const routes = JSON.parse((await plantgate(['vpn', 'routes', '--json'], aliceEnv)).stdout);
    // Exactly issue 2's shape: the web UI's additions (devices) stay out of the CLI's JSON.
    assert.deepEqual(Object.keys(routes[0]).sort(), ['conflictsWith', 'mapped', 'native', 'organization', 'plant', 'plantId', 'state', 'subnet', 'via']);
    const table = (await plantgate(['vpn', 'routes'], aliceEnv)).stdout;
    assert.match(table, /Park A\s+192\.168\.1\.0\/24\s+100\.80\.\d+\.0\/24\s+no\s+CONFLICT/);
    const prefer = await plantgate(['vpn', 'prefer', '--plant', 'Park B', '--subnet', '192.168.1.0/24', '--json'], aliceEnv);
    assert.equal(JSON.parse(prefer.stdout).find((r: { plant: string }) => r.plant === 'Park B').state, 'priority');
    const conf = join(work, 'alice.conf');
    const keyBefore = /PrivateKey = (\S+)/.exec(readFileSync(conf, 'utf8'))?.[1];
    const refreshed = await plantgate(['vpn', 'refresh', '--config', conf], aliceEnv);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    const text = readFileSync(conf, 'utf8');
    assert.match(text, /AllowedIPs = 100\.80\.0\.0\/12, (10\.30\.0\.0\/24, 192\.168\.1\.0\/24|192\.168\.1\.0\/24, 10\.30\.0\.0\/24)/, 'the chosen native prefix joins AllowedIPs');
    assert.equal(/PrivateKey = (\S+)/.exec(text)?.[1], keyBefore, 'the key stays');
    assert.equal(statSync(conf).mode & 0o777, 0o600);
    const disable = await plantgate(['vpn', 'route', 'disable', '--plant', 'Park B', '--subnet', '192.168.1.0/24', '--json'], aliceEnv);
    assert.equal(JSON.parse(disable.stdout).find((r: { plant: string }) => r.plant === 'Park A').state, 'active');
    const unknown = await plantgate(['vpn', 'prefer', '--plant', 'Nowhere', '--subnet', '192.168.1.0/24'], aliceEnv);
    assert.equal(unknown.code, 4, 'exit code 4: not found');
    assert.match(unknown.stderr, /no route to a plant "Nowhere"/);
    await plantgate(['vpn', 'route', 'enable', '--plant', 'Park B', '--subnet', '192.168.1.0/24'], aliceEnv);
  });

  it('P2/P3: rotate keeps the tunnel IP with a new key; revoke ends the profile', async () => {
    const before = JSON.parse((await plantgate(['vpn', 'show', '--json'], aliceEnv)).stdout);
    const conf = join(work, 'alice.conf');
    const rotated = await plantgate(['vpn', 'rotate', '--out', conf, '--force'], aliceEnv);
    assert.equal(rotated.code, 0, rotated.stderr);
    const afterRotate = JSON.parse((await plantgate(['vpn', 'show', '--json'], aliceEnv)).stdout);
    assert.equal(afterRotate.profile.tunnelIp, before.profile.tunnelIp);
    assert.notEqual(afterRotate.profile.publicKey, before.profile.publicKey);
    assert.equal(wireGuardPublicKey(/PrivateKey = (\S+)/.exec(readFileSync(conf, 'utf8'))?.[1] as string), afterRotate.profile.publicKey);
    assert.equal((await plantgate(['vpn', 'revoke'], aliceEnv)).code, 0);
    const gone = await plantgate(['vpn', 'show'], aliceEnv);
    assert.equal(gone.code, 4, 'exit code 4: not found');
  });

  it('admin routes explains denials; admin events lists profile events; listings have --json', async () => {
    const explained = await plantgate(['admin', 'routes', '--user', 'gus@solarco.example'], operatorEnv);
    assert.match(explained.stdout, /Park A\s+denied\s+own\s+denied: guest/);
    const carol = JSON.parse((await plantgate(['admin', 'routes', '--user', 'carol@windserv.example', '--json'], operatorEnv)).stdout);
    assert.deepEqual(carol.map((r: { plant: string; via: string }) => [r.plant, r.via]), [['Park A', 'cooperation']]);
    const events = JSON.parse((await plantgate(['admin', 'events', '--json'], operatorEnv)).stdout);
    const kinds = new Set(events.map((e: { kind: string }) => e.kind));
    for (const kind of ['profile.issued', 'profile.rotated', 'profile.revoked', 'fleet.applied', 'routes.changed']) assert.ok(kinds.has(kind), kind);
    const regions = JSON.parse((await plantgate(['admin', 'region', 'list', '--json'], operatorEnv)).stdout);
    assert.deepEqual(regions.map((r: { name: string }) => r.name), ['eu-central']);
    // Issue 11: drain and undrain, top-level and under admin; the listing shows it.
    const drained = await plantgate(['region', 'drain', 'eu-central'], operatorEnv);
    assert.match(drained.stdout, /region eu-central drained since 20\d\d-/);
    assert.match((await plantgate(['region', 'list'], operatorEnv)).stdout, /eu-central\s+gw\.example\.test:51820\s+down\s+0\/0\s+20\d\d-/);
    assert.equal((await plantgate(['admin', 'region', 'undrain', 'eu-central'], operatorEnv)).code, 0);
    assert.equal(JSON.parse((await plantgate(['region', 'list', '--json'], operatorEnv)).stdout)[0].drainedAt, null);
    const unknown = await plantgate(['region', 'drain', 'nowhere'], operatorEnv);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no region "nowhere"/);
    const denied = await plantgate(['admin', 'events'], aliceEnv);
    assert.equal(denied.code, 3, 'exit code 3: not allowed');
    assert.match(denied.stderr, /platform operator/);
  });

  it('admin gateway/agent enrol print a show-once token; list shows the enrolled daemon', async () => {
    const gw = await plantgate(['admin', 'gateway', 'enrol', '--region', 'eu-central'], operatorEnv);
    assert.equal(gw.code, 0, gw.stderr);
    const token = /^(pge_\S+)$/m.exec(gw.stdout)?.[1] as string;
    assert.ok(token, gw.stdout);
    // issue 7 item 3: the printed start command keeps the token off the daemon's command line.
    assert.match(gw.stdout, /plantgate gateway --server \S+ --token-file \S+/);
    assert.match(gw.stdout, /PLANTGATE_ENROL_TOKEN/);
    assert.doesNotMatch(gw.stdout, /--token pge_/);
    const enrolled = await fetch(`${url}/api/v1/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, name: 'gw-test' }) });
    assert.equal(enrolled.status, 201);
    const list = JSON.parse((await plantgate(['admin', 'gateway', 'list', '--json'], operatorEnv)).stdout);
    assert.deepEqual(list.map((g: { name: string; region: string }) => [g.name, g.region]), [['gw-test', 'eu-central']]);
    const agent = await plantgate(['admin', 'agent', 'enrol', '--plant', 'Park Z'], operatorEnv);
    assert.equal(agent.code, 4, 'exit code 4: not found');
    assert.match(agent.stderr, /no plant "Park Z"/);
  });

  it('S1: personal tokens work through PLANTGATE_TOKEN and stop when revoked', async () => {
    const created = JSON.parse((await plantgate(['token', 'create', '--name', 'automation', '--json'], aliceEnv)).stdout);
    const viaEnv = { PLANTGATE_CONFIG_DIR: join(work, 'nobody'), PLANTGATE_SERVER: url, PLANTGATE_TOKEN: created.token };
    assert.match((await plantgate(['whoami'], viaEnv)).stdout, /alice@solarco\.example/);
    const listed = (await plantgate(['token', 'list'], aliceEnv)).stdout;
    assert.match(listed, /automation\s+personal\s+active/);
    assert.ok(!listed.includes(created.token));
    assert.equal((await plantgate(['token', 'revoke', created.id], aliceEnv)).code, 0);
    const after = await plantgate(['whoami'], viaEnv);
    assert.equal(after.code, 3, 'exit code 3: token refused');
    assert.match(after.stderr, /token revoked/);
  });
});
