import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentOpenVpnClientVpn, AgentOpenVpnServerVpn } from '../core/wire/daemon.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeOpenVpnDriver, type FakeOpenVpnInstance } from '../os/openvpn/fake-openvpn-driver.ts';
import { directVpnInterfaceName } from './direct-vpns.ts';
import { OpenVpnRunner } from './openvpn-vpns.ts';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRET\n-----END PRIVATE KEY-----';

function client(overrides: Partial<AgentOpenVpnClientVpn> = {}): AgentOpenVpnClientVpn {
  return {
    id: 'ov-1',
    name: 'Router O',
    protocol: 'openvpn',
    direction: 'outgoing',
    model: {
      remotes: [{ host: '10.10.4.2', port: 1194, transport: 'udp', line: 3 }],
      ca: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----',
      extraCerts: null,
      cert: '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----',
      key: KEY,
      tlsAuth: null,
      tlsCrypt: null,
      tlsCryptV2: null,
      keyDirection: null,
      cipher: null,
      dataCiphers: null,
      dataCiphersFallback: null,
      auth: null,
      compression: null,
      tlsVersionMin: null,
      remoteCertTls: 'server',
      verifyX509Name: null,
      tunMtu: null,
      mssfix: null,
      fragment: null,
      authUserPass: true,
      routes: [],
    },
    credentials: { username: 'plant', password: 'pa55word' },
    subnets: ['10.40.0.0/24'],
    restartGeneration: 0,
    ...overrides,
  };
}

function server(overrides: Partial<AgentOpenVpnServerVpn> = {}): AgentOpenVpnServerVpn {
  return {
    id: 'ov-2',
    name: 'Hosted O',
    protocol: 'openvpn',
    direction: 'hosted',
    transport: 'udp',
    port: 1194,
    network: '10.8.0.0/24',
    ca: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----',
    cert: '-----BEGIN CERTIFICATE-----\nSRV\n-----END CERTIFICATE-----',
    key: KEY,
    crl: '-----BEGIN X509 CRL-----\nCRL1\n-----END X509 CRL-----',
    tlsCrypt: null,
    crypto: { cipher: null, auth: null, compression: null, tlsMin: null },
    clients: [
      { commonName: 'site-a', kind: 'site', tunnelIp: '10.8.0.2', subnets: ['10.50.0.0/24'] },
      { commonName: 'anna', kind: 'user', tunnelIp: '10.8.0.3', subnets: [] },
    ],
    subnets: ['10.50.0.0/24'],
    restartGeneration: 0,
    ...overrides,
  };
}

function setup(checkEndpoint?: ConstructorParameters<typeof OpenVpnRunner>[0]['checkEndpoint']) {
  const openvpn = new FakeOpenVpnDriver();
  const ip = new FakeIpConfigDriver();
  let now = 1_800_000_000_000;
  const timers: Array<{ ms: number; run: () => void; cancelled: boolean }> = [];
  const logged: string[] = [];
  const runner = new OpenVpnRunner({
    openvpn,
    ip,
    directory: '/var/lib/plantgate/openvpn',
    now: () => now,
    schedule: (ms, run) => {
      const timer = { ms, run, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    log: (message) => logged.push(message),
    ...(checkEndpoint ? { checkEndpoint } : {}),
  });
  const fire = async () => {
    const due = timers.filter((timer) => !timer.cancelled);
    timers.length = 0;
    for (const timer of due) timer.run();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { openvpn, ip, runner, timers, logged, fire, tick: (ms: number) => (now += ms) };
}

const iface1 = directVpnInterfaceName('ov-1');
const iface2 = directVpnInterfaceName('ov-2');
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OpenVPN runner (issue 9, agent side): outgoing', () => {
  it('starts openvpn with the rendered client config (pushed routes filtered, only the subnets routed) and the credentials in their own file', async () => {
    const s = setup();
    const result = await s.runner.apply([client()], false);
    assert.deepEqual(result.failed, []);
    const instance = s.openvpn.running(iface1) as FakeOpenVpnInstance;
    assert.ok(instance);
    assert.equal(instance.spec.directory, `/var/lib/plantgate/openvpn/${iface1}`);
    assert.match(instance.spec.config, /^pull-filter ignore "redirect-gateway"$/m);
    assert.match(instance.spec.config, /^route 10\.40\.0\.0 255\.255\.255\.0$/m);
    assert.match(instance.spec.config, new RegExp(`^auth-user-pass /var/lib/plantgate/openvpn/${iface1}/credentials$`, 'm'));
    assert.deepEqual(instance.spec.files, { credentials: 'plant\npa55word\n' });
    assert.ok(!instance.spec.config.includes('pa55word'));
    assert.deepEqual(instance.commands.slice(0, 7), ['log all', 'log on', 'state on', 'bytecount 2', 'hold off', 'hold release', 'state']);
  });

  it('D5: once connected, routes on the tun outside the subnets (a pushed default route) are removed and the removal is logged', async () => {
    const s = setup();
    await s.runner.apply([client()], false);
    s.ip.routes.set(iface1, ['0.0.0.0/0', '10.40.0.0/24', '10.99.0.0/16']);
    const instance = s.openvpn.running(iface1) as FakeOpenVpnInstance;
    instance.emit({ kind: 'state', value: { time: 1, state: 'CONNECTED', detail: 'SUCCESS', localIp: '10.8.0.2', remoteIp: '10.10.4.2' } });
    await settle();
    await settle();
    assert.deepEqual(s.ip.routes.get(iface1), ['10.40.0.0/24']);
    const [report] = s.runner.statusNow();
    assert.equal(report?.state, 'connected');
    assert.equal(report?.checks, undefined);
    assert.ok(report?.logs?.some((line) => /removed routes outside .*0\.0\.0\.0\/0, 10\.99\.0\.0\/16/.test(line.text)));
  });

  it('D7: state, since, bytes from >BYTECOUNT; logs redacted; while down, checks name the mismatch', async () => {
    const s = setup();
    await s.runner.apply([client()], false);
    const instance = s.openvpn.running(iface1) as FakeOpenVpnInstance;
    s.tick(5000);
    instance.emit({ kind: 'bytecount', bytesIn: 1234, bytesOut: 567 });
    instance.emit({ kind: 'log', value: { time: 1_800_000_001, flags: '', text: `key ${KEY}` } });
    instance.emit({ kind: 'log', value: { time: 1_800_000_002, flags: '', text: 'AUTH: Received control message: AUTH_FAILED,Data channel cipher negotiation failed (no shared cipher)' } });
    const [report] = s.runner.statusNow();
    assert.equal(report?.state, 'connecting');
    assert.equal(report?.bytesIn, 1234);
    assert.equal(report?.bytesOut, 567);
    assert.ok(!JSON.stringify(report).includes('SECRETSECRET'), 'no key material in the report');
    assert.equal(report?.checks?.[0]?.check, 'cipher');
    assert.match(report?.checks?.[0]?.fix ?? '', /advanced data cipher/);
  });

  it('D7: a lost CONNECTED notification does not leave the card "connecting": the byte count tick asks for the state again', async () => {
    const s = setup();
    await s.runner.apply([client()], false);
    const instance = s.openvpn.running(iface1) as FakeOpenVpnInstance;
    instance.state = 'CONNECTED'; // openvpn connected, but its >STATE notification never reached the agent
    assert.equal(s.runner.statusNow()[0]?.state, 'connecting');
    instance.emit({ kind: 'bytecount', bytesIn: 10, bytesOut: 20 });
    await settle();
    await settle();
    assert.equal(s.runner.statusNow()[0]?.state, 'connected');
    assert.equal(instance.commands.filter((c) => c === 'state').length, 2, 'the start query and one more');
  });

  it('D7: while down, the remote is checked too (in the background, at most every 30 s) and the result joins the log checks', async () => {
    const asked: string[] = [];
    const s = setup(async (endpoint) => {
      asked.push(`${endpoint.host}:${endpoint.port}/${endpoint.transport}`);
      return [{ check: 'endpoint-reachable', ok: false, detail: `${endpoint.host} does not answer ping`, fix: 'check the router' }];
    });
    await s.runner.apply([client()], false);
    assert.deepEqual(s.runner.statusNow()[0]?.checks?.map((c) => c.check), ['reachable'], 'first report: log checks only, the probe runs meanwhile');
    await settle();
    assert.deepEqual(s.runner.statusNow()[0]?.checks?.map((c) => c.check), ['endpoint-reachable', 'reachable']);
    assert.deepEqual(asked, ['10.10.4.2:1194/udp'], 'not again within 30 s');
    s.tick(30_000);
    s.runner.statusNow();
    assert.equal(asked.length, 2);
    (s.openvpn.running(iface1) as FakeOpenVpnInstance).emit({ kind: 'state', value: { time: 1, state: 'CONNECTED', detail: 'SUCCESS', localIp: null, remoteIp: null } });
    await settle();
    assert.equal(s.runner.statusNow()[0]?.checks, undefined, 'connected: no checks');
  });

  it('a crash is reported down and restarted with backoff (1 s, then 2 s); connecting again resets it', async () => {
    const s = setup();
    await s.runner.apply([client()], false);
    const first = s.openvpn.running(iface1) as FakeOpenVpnInstance;
    first.crash(1);
    await settle();
    assert.equal(s.runner.statusNow()[0]?.state, 'down');
    assert.deepEqual(s.timers.map((timer) => timer.ms), [1000]);
    assert.ok(s.runner.statusNow()[0]?.logs?.some((line) => /openvpn exited \(code 1\)/.test(line.text)));
    await s.fire();
    await settle();
    const second = s.openvpn.running(iface1) as FakeOpenVpnInstance;
    assert.ok(second && second !== first, 'started again');
    second.crash(1);
    await settle();
    assert.deepEqual(s.timers.map((timer) => timer.ms), [2000]);
  });

  it('a new restartGeneration restarts the process; leaving the document stops it and removes its files', async () => {
    const s = setup();
    await s.runner.apply([client()], false);
    const first = s.openvpn.running(iface1) as FakeOpenVpnInstance;
    const same = await s.runner.apply([client()], false);
    assert.deepEqual(same.changes, []);
    const restarted = await s.runner.apply([client({ restartGeneration: 1 })], false);
    assert.match(restarted.changes[0] ?? '', /restarted/);
    assert.equal(first.running(), false);
    const second = s.openvpn.running(iface1) as FakeOpenVpnInstance;
    assert.ok(second);
    const gone = await s.runner.apply([], false);
    assert.match(gone.changes[0] ?? '', /stopped/);
    assert.equal(second.running(), false);
    assert.ok(s.openvpn.cleaned.includes(`/var/lib/plantgate/openvpn/${iface1}`));
    assert.deepEqual(s.runner.statusNow(), []);
    assert.deepEqual(s.timers.filter((timer) => !timer.cancelled).map((timer) => timer.ms).filter((ms) => ms !== 5000), [], 'no restart pending');
  });

  it('adopt: the directories an earlier run left are cleaned up (its openvpn stopped by pid file) before the first apply starts anew', async () => {
    const s = setup();
    s.runner.adopt([client()]);
    await s.runner.apply([client()], true);
    assert.deepEqual(s.openvpn.cleaned.slice(0, 2), [`/var/lib/plantgate/openvpn/${iface1}`, `/var/lib/plantgate/openvpn/${iface1}`]);
    assert.ok(s.openvpn.running(iface1));
  });

  it('a config that cannot be rendered (credentials missing) is reported without a secret, and others still start', async () => {
    const s = setup();
    const result = await s.runner.apply([client({ credentials: null }), server()], false);
    assert.equal(result.failed.length, 1);
    assert.match(result.failed[0] ?? '', /Router O not started: .*credentials/);
    assert.ok(s.openvpn.running(iface2));
  });
});

describe('OpenVPN runner: hosted server', () => {
  it('renders one client-config-dir file per client (fixed address; iroute for the site; pushed routes for users) and the CRL; routes the subnets', async () => {
    const s = setup();
    await s.runner.apply([server()], false);
    const instance = s.openvpn.running(iface2) as FakeOpenVpnInstance;
    assert.match(instance.spec.config, /^server 10\.8\.0\.0 255\.255\.255\.0 nopool$/m);
    assert.match(instance.spec.config, /^ccd-exclusive$/m);
    assert.match(instance.spec.config, new RegExp(`^crl-verify /var/lib/plantgate/openvpn/${iface2}/crl\\.pem$`, 'm'));
    assert.equal(instance.files.get('ccd/site-a'), 'ifconfig-push 10.8.0.2 255.255.255.0\niroute 10.50.0.0 255.255.255.0\n');
    assert.equal(instance.files.get('ccd/anna'), 'ifconfig-push 10.8.0.3 255.255.255.0\npush "route 10.50.0.0 255.255.255.0"\n');
    assert.match(instance.files.get('crl.pem') ?? '', /CRL1/);
    assert.deepEqual(s.ip.routes.get(iface2), ['10.50.0.0/24']);
  });

  it('D9: a removed client is cut at once (kill by common name, file gone, new CRL) without restarting the server', async () => {
    const s = setup();
    await s.runner.apply([server()], false);
    const instance = s.openvpn.running(iface2) as FakeOpenVpnInstance;
    instance.clients.set('anna', { realAddress: '10.10.9.2:5000', virtualAddress: '10.8.0.3', bytesIn: 10, bytesOut: 20 });
    instance.clients.set('site-a', { realAddress: '10.10.4.2:5001', virtualAddress: '10.8.0.2', bytesIn: 30, bytesOut: 40 });
    const result = await s.runner.apply([server({ clients: [server().clients[0] as AgentOpenVpnServerVpn['clients'][number]], crl: '-----BEGIN X509 CRL-----\nCRL2\n-----END X509 CRL-----' })], false);
    assert.match(result.changes[0] ?? '', /1 removed and cut/);
    assert.equal(s.openvpn.running(iface2), instance, 'same process: the other clients stay connected');
    assert.ok(instance.commands.includes('kill "anna"'));
    assert.ok(!instance.commands.some((command) => command.includes('site-a')));
    assert.equal(instance.files.has('ccd/anna'), false);
    assert.match(instance.files.get('crl.pem') ?? '', /CRL2/);
  });

  it('D7: clients from status 3 (connected or not, bytes, endpoint)', async () => {
    const s = setup();
    await s.runner.apply([server()], false);
    const instance = s.openvpn.running(iface2) as FakeOpenVpnInstance;
    instance.clients.set('site-a', { realAddress: '10.10.4.2:5001', virtualAddress: '10.8.0.2', bytesIn: 30, bytesOut: 40 });
    await s.fire();
    await settle();
    const [report] = s.runner.statusNow();
    assert.deepEqual(report?.clients?.map((c) => [c.client, c.connected, c.endpoint, c.bytesIn]), [
      ['site-a', true, '10.10.4.2:5001', 30],
      ['anna', false, null, 0],
    ]);
  });
});
