import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DirectVpnCreateRequest } from '../../../../src/core/wire/direct-vpn.ts';
import { createRequest, EMPTY_WIZARD, manualConfig, splitEndpoint, stepOfField, type WizardValues } from './wizard-model.ts';

const v = (over: Partial<WizardValues>): WizardValues => ({ ...EMPTY_WIZARD, ...over });

test('D3 wizard: each step sends the request the server expects (and its schema accepts)', () => {
  const rows: Array<[string, WizardValues, { dryRun: boolean; withSubnets: boolean }, Record<string, unknown>]> = [
    [
      'outgoing upload before the subnet step: the upload’s own ranges',
      v({ name: ' Router ', config: '[Interface]\n', subnets: ['10.1.0.0/24'] }),
      { dryRun: true, withSubnets: false },
      { name: 'Router', description: '', direction: 'outgoing', protocol: 'wireguard', dryRun: true, config: '[Interface]\n' },
    ],
    [
      'outgoing upload with subnets, empty rows dropped',
      v({ name: 'R', config: 'x', subnets: ['10.1.0.0/24', ' ', '10.2.0.0/24 '] }),
      { dryRun: false, withSubnets: true },
      { name: 'R', description: '', direction: 'outgoing', protocol: 'wireguard', dryRun: false, config: 'x', subnets: ['10.1.0.0/24', '10.2.0.0/24'] },
    ],
    [
      'OpenVPN: transport and only the advanced settings set; credentials when asked',
      v({ name: 'R', protocol: 'openvpn', transport: 'tcp', cipher: 'AES-128-CBC', compression: 'lzo', config: 'client', username: 'u', password: 'p' }),
      { dryRun: true, withSubnets: false },
      {
        name: 'R',
        description: '',
        direction: 'outgoing',
        protocol: 'openvpn',
        transport: 'tcp',
        advanced: { cipher: 'AES-128-CBC', compression: 'lzo' },
        dryRun: true,
        config: 'client',
        credentials: { username: 'u', password: 'p' },
      },
    ],
    [
      'hosted: listen, site client and subnets, never a config',
      v({
        name: 'H',
        direction: 'hosted',
        listenHost: 'vpn.example',
        listenPort: '51900',
        siteClientName: 'Park-Router',
        subnets: ['10.3.0.0/24'],
        config: 'stale',
      }),
      { dryRun: false, withSubnets: false },
      {
        name: 'H',
        description: '',
        direction: 'hosted',
        protocol: 'wireguard',
        dryRun: false,
        listen: { host: 'vpn.example', port: 51900 },
        siteClientName: 'Park-Router',
        subnets: ['10.3.0.0/24'],
      },
    ],
  ];
  for (const [name, values, options, expected] of rows) {
    const body = createRequest(values, options);
    assert.deepEqual(body, expected, name);
    assert.equal(DirectVpnCreateRequest.safeParse(body).success, true, `${name}: schema`);
  }
});

test('D3 manual entry becomes a config the server parses like an upload', () => {
  const wg = manualConfig({
    protocol: 'wireguard',
    transport: 'udp',
    subnets: ['10.40.0.0/24'],
    manual: { ...EMPTY_WIZARD.manual, endpoint: 'router.example:51820', peerPublicKey: 'PUB', privateKey: 'PRIV', address: '10.99.0.2/32' },
  });
  assert.equal(
    wg,
    '[Interface]\nPrivateKey = PRIV\nAddress = 10.99.0.2/32\n\n[Peer]\nPublicKey = PUB\nEndpoint = router.example:51820\nAllowedIPs = 10.40.0.0/24\nPersistentKeepalive = 25\n',
  );
  const ovpn = manualConfig({
    protocol: 'openvpn',
    transport: 'tcp',
    subnets: [],
    manual: { ...EMPTY_WIZARD.manual, endpoint: '[2001:db8::1]:443', ca: 'CA', cert: 'C', key: 'K' },
  });
  assert.match(ovpn, /^client\ndev tun\nproto tcp\nremote 2001:db8::1 443\n/);
  assert.match(ovpn, /<ca>\nCA\n<\/ca>\n<cert>\nC\n<\/cert>\n<key>\nK\n<\/key>/);
  assert.deepEqual(splitEndpoint('a.example:1194'), { host: 'a.example', port: '1194' });
  assert.equal(splitEndpoint('no-port'), null);
});

test('D3 a refusal lands on the step of the field it names', () => {
  const rows: Array<[string | undefined, number]> = [
    ['name', 1],
    ['advanced.cipher', 1],
    ['config', 2],
    ['manual.peerPublicKey', 2],
    ['listen.port', 2],
    ['subnets[1]', 3],
    ['subnets', 3],
    ['credentials', 4],
    [undefined, 4],
  ];
  for (const [field, step] of rows) assert.equal(stepOfField(field), step, String(field));
});

test('D3 manual entry: the rendered text passes plantgate’s own whitelist parsers (WireGuard and OpenVPN)', async () => {
  const { parseWireGuardConfig } = await import('../../../../src/core/direct-vpn/wireguard-config.ts');
  const { parseOpenVpnConfig } = await import('../../../../src/core/direct-vpn/openvpn-config.ts');
  const { generateWireGuardKeyPair } = await import('../../../../src/crypto/wireguard-keys.ts');
  const { readFileSync } = await import('node:fs');
  const agent = generateWireGuardKeyPair();
  const router = generateWireGuardKeyPair();
  const wg = manualConfig({
    protocol: 'wireguard',
    transport: 'udp',
    subnets: ['10.40.0.0/24'],
    manual: {
      ...EMPTY_WIZARD.manual,
      endpoint: 'router.example:51820',
      peerPublicKey: router.publicKey,
      privateKey: agent.privateKey,
      address: '10.99.0.2/32',
    },
  });
  const parsedWg = parseWireGuardConfig(wg);
  assert.ok(parsedWg.ok, JSON.stringify(parsedWg));
  assert.equal(parsedWg.config.peers[0]?.endpoint, 'router.example:51820');
  // The PEM blocks of the parser corpus's self-made test PKI, pasted as a user would.
  const corpus = readFileSync(new URL('../../../../src/core/direct-vpn/corpus/teltonika-openvpn.ovpn', import.meta.url), 'utf8');
  const block = (tag: string) => (new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(corpus)?.[1] ?? '').trim();
  assert.ok(
    block('ca').startsWith('-----BEGIN') && block('cert').startsWith('-----BEGIN') && block('key').startsWith('-----BEGIN'),
    'the corpus has the three blocks',
  );
  const ovpn = manualConfig({
    protocol: 'openvpn',
    transport: 'tcp',
    subnets: [],
    manual: { ...EMPTY_WIZARD.manual, endpoint: 'router.example:443', ca: block('ca'), cert: block('cert'), key: block('key') },
  });
  const parsedOvpn = parseOpenVpnConfig(ovpn);
  assert.ok(parsedOvpn.ok, JSON.stringify(parsedOvpn));
});

test('issue 9 item 1: manual entry is sent as the API’s manual object (the server renders and checks it); empty fields are left out', () => {
  const values: WizardValues = {
    ...EMPTY_WIZARD,
    name: 'By hand',
    source: 'manual',
    manual: { ...EMPTY_WIZARD.manual, endpoint: ' router.example:51820 ', peerPublicKey: 'PUB', ca: 'stale from OpenVPN' },
    subnets: ['10.40.0.0/24'],
  };
  const body = createRequest(values, { dryRun: true, withSubnets: true });
  assert.deepEqual(body.manual, { endpoint: 'router.example:51820', peerPublicKey: 'PUB' }, 'no private key: the server makes the pair; OpenVPN fields not sent');
  assert.equal(body.config, undefined);
  assert.equal(DirectVpnCreateRequest.safeParse(body).success, true);
  const ovpn = createRequest({ ...values, protocol: 'openvpn', manual: { ...values.manual, cert: 'C', key: 'K' } }, { dryRun: false, withSubnets: true });
  assert.deepEqual(ovpn.manual, { endpoint: 'router.example:51820', ca: 'stale from OpenVPN', cert: 'C', key: 'K' });
});
