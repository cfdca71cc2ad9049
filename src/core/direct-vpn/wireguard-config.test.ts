import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseWireGuardConfig } from './wireguard-config.ts';

// Fake keys for the table below (valid format, no key pair behind them).
const K1 = 'oK56DE9Ue9zK76rAc8pBl6opph+1v36lm7cXXsQKrQM=';
const K2 = 'GtL7fZc/bLnqZldpVofMNqxyvDs6Q7VQTOqK3UnGnjk=';
const K3 = 'YHFLWDZIDJZh6VmkNLnvz5m+FezjyXXaDCe2ysNDrl0=';

const conf = (...lines: string[]) => `${lines.join('\n')}\n`;
const base = (peerLines: string[] = [], interfaceLines: string[] = []) =>
  conf(
    '[Interface]',
    `PrivateKey = ${K1}`,
    'Address = 10.8.0.2/24',
    ...interfaceLines,
    '',
    '[Peer]',
    `PublicKey = ${K2}`,
    'Endpoint = router.example.net:51820',
    ...peerLines,
  );
const corpus = (name: string) => readFileSync(new URL(`./corpus/${name}`, import.meta.url), 'utf8');

type Refusal = { line: number; directive: string; message: RegExp };
const refused: Array<{ name: string; text: string; problem: Refusal }> = [
  {
    name: 'D5: PostUp runs a shell command: refused naming the line',
    text: base(['AllowedIPs = 10.1.0.0/16'], ['PostUp = iptables -A FORWARD -j ACCEPT']),
    problem: { line: 4, directive: 'PostUp', message: /shell command/ },
  },
  { name: 'D5: PreUp, case-insensitive', text: base([], ['preup = curl evil']), problem: { line: 4, directive: 'preup', message: /shell command/ } },
  { name: 'D5: PreDown in [Peer] is refused too', text: base(['PreDown = rm -rf /']), problem: { line: 8, directive: 'PreDown', message: /shell command/ } },
  { name: 'D5: PostDown', text: base([], ['PostDown = ip rule del 1']), problem: { line: 4, directive: 'PostDown', message: /shell command/ } },
  { name: 'unknown setting refused naming the line', text: base(['Foo = bar']), problem: { line: 8, directive: 'Foo', message: /unknown setting Foo in \[Peer\]; allowed: PublicKey, PresharedKey, AllowedIPs, Endpoint, PersistentKeepalive$/ } },
  { name: 'an [Interface] key in [Peer]', text: base(['ListenPort = 51820']), problem: { line: 8, directive: 'ListenPort', message: /unknown setting/ } },
  {
    name: 'unknown section',
    text: conf('[Interface]', `PrivateKey = ${K1}`, '[WireGuardPeer]'),
    problem: { line: 3, directive: '[WireGuardPeer]', message: /unknown section/ },
  },
  { name: 'setting before any section', text: conf(`PrivateKey = ${K1}`, '[Interface]'), problem: { line: 1, directive: 'PrivateKey', message: /outside/ } },
  {
    name: 'a line that is not Key = value',
    text: base(['AllowedIPs 10.0.0.0/8']),
    problem: { line: 8, directive: 'AllowedIPs 10.0.0.0/8', message: /not a "Key = value"/ },
  },
  {
    name: 'bad private key, and the key is not echoed',
    text: conf('[Interface]', 'PrivateKey = secret-but-wrong', '[Peer]', `PublicKey = ${K2}`),
    problem: { line: 2, directive: 'PrivateKey', message: /^PrivateKey is not a WireGuard key/ },
  },
  {
    name: 'bad endpoint',
    text: base(['Endpoint = router:99999']).replace('Endpoint = router.example.net:51820\n', ''),
    problem: { line: 7, directive: 'Endpoint', message: /HOST:PORT/ },
  },
  {
    name: 'bad CIDR in AllowedIPs',
    text: base(['AllowedIPs = 10.0.0.0/8, 300.1.1.0/24']),
    problem: { line: 8, directive: 'AllowedIPs', message: /300\.1\.1\.0/ },
  },
  { name: 'MTU out of range', text: base([], ['MTU = 100']), problem: { line: 4, directive: 'MTU', message: /1280/ } },
  {
    name: 'two [Interface] sections',
    text: base() + conf('[Interface]', `PrivateKey = ${K3}`),
    problem: { line: 8, directive: '[Interface]', message: /second/ },
  },
  { name: 'PrivateKey twice', text: base([], [`PrivateKey = ${K3}`]), problem: { line: 4, directive: 'PrivateKey', message: /twice/ } },
  { name: 'no peer', text: conf('[Interface]', `PrivateKey = ${K1}`), problem: { line: 0, directive: '[Peer]', message: /no \[Peer\]/ } },
  {
    name: 'no private key',
    text: conf('[Interface]', 'Address = 10.0.0.2/32', '[Peer]', `PublicKey = ${K2}`, 'Endpoint = 1.2.3.4:1'),
    problem: { line: 1, directive: 'PrivateKey', message: /no PrivateKey/ },
  },
  {
    name: 'no endpoint on any peer',
    text: conf('[Interface]', `PrivateKey = ${K1}`, '[Peer]', `PublicKey = ${K2}`),
    problem: { line: 3, directive: 'Endpoint', message: /no \[Peer\] has an Endpoint/ },
  },
  {
    name: 'two peers with one key',
    text: base() + conf('[Peer]', `PublicKey = ${K2}`),
    problem: { line: 8, directive: 'PublicKey', message: /same PublicKey/ },
  },
  { name: 'a NUL byte', text: base(['AllowedIPs = 10.0.0.0/8\u0000']), problem: { line: 8, directive: '', message: /control character/ } },
  { name: 'an escape sequence', text: base(['# \u001b[2J']), problem: { line: 8, directive: '', message: /control character/ } },
];

describe('parseWireGuardConfig: refused uploads name the line and the directive', () => {
  for (const { name, text, problem } of refused) {
    it(name, () => {
      const result = parseWireGuardConfig(text);
      assert.equal(result.ok, false);
      if (result.ok) return;
      const found = result.problems.find((p) => p.line === problem.line && p.directive === problem.directive);
      assert.ok(found, `expected a problem on line ${problem.line} (${problem.directive}), got ${JSON.stringify(result.problems)}`);
      assert.match(found.message, problem.message);
      assert.ok(!JSON.stringify(result.problems).includes(K1), 'a private key never appears in a message');
    });
  }
});

describe('parseWireGuardConfig: accepted uploads', () => {
  it('D5: default routes in every spelling are stripped and reported with their line; the rest is kept', () => {
    const result = parseWireGuardConfig(
      base(['AllowedIPs = 0.0.0.0/0, 10.1.0.0/16', 'AllowedIPs = ::/0, 0.0.0.0/1, 128.0.0.0/1, ::/1, 8000::/1, fd00:1::/64']),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.stripped, [
      { what: '0.0.0.0/0', line: 8 },
      { what: '::/0', line: 9 },
      { what: '0.0.0.0/1', line: 9 },
      { what: '128.0.0.0/1', line: 9 },
      { what: '::/1', line: 9 },
      { what: '8000::/1', line: 9 },
    ]);
    assert.deepEqual(result.config.peers[0]?.allowedIps, ['10.1.0.0/16', 'fd00:1::/64']);
    assert.deepEqual(result.subnetsFromConfig, ['10.1.0.0/16', 'fd00:1::/64']);
  });

  it('D5: Table, SaveConfig, DNS (and FwMark) are ignored and reported', () => {
    const result = parseWireGuardConfig(base([], ['Table = off', 'SaveConfig = true', 'DNS = 1.1.1.1', 'FwMark = 0x42']));
    assert.ok(result.ok);
    assert.deepEqual(result.ignored, [
      { directive: 'Table', line: 4 },
      { directive: 'SaveConfig', line: 5 },
      { directive: 'DNS', line: 6 },
      { directive: 'FwMark', line: 7 },
    ]);
  });

  it('comments (whole line and trailing), blank lines, case-insensitive keys, host bits in AllowedIPs made canonical', () => {
    const text = conf(
      '# exported',
      '[interface]',
      `privatekey = ${K1} # mine`,
      'ADDRESS=10.8.0.2/24',
      '',
      '[PEER]',
      `publickey=${K2}`,
      'endpoint = [2001:db8::1]:51820',
      'allowedips = 10.1.2.3/16   # site',
    );
    const result = parseWireGuardConfig(text);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.config.peers[0]?.allowedIps, ['10.1.0.0/16']);
    assert.equal(result.config.peers[0]?.endpoint, '[2001:db8::1]:51820');
    assert.deepEqual(result.config.addresses, ['10.8.0.2/24']);
  });

  it('CRLF and a BOM read exactly like LF (same line numbers)', () => {
    const lf = base(['AllowedIPs = 0.0.0.0/0, 10.1.0.0/16'], ['DNS = 10.8.0.1']);
    const crlf = `\ufeff${lf.replace(/\n/g, '\r\n')}`;
    assert.deepEqual(parseWireGuardConfig(crlf), parseWireGuardConfig(lf));
  });

  it('PresharedKey, MTU, ListenPort, PersistentKeepalive, several peers, IPv6 addresses', () => {
    const text =
      base([`PresharedKey = ${K3}`, 'AllowedIPs = 10.1.0.0/16', 'PersistentKeepalive = 25'], ['MTU = 1380', 'ListenPort = 51000', 'Address = fd00::2/64']) +
      conf('', '[Peer]', `PublicKey = ${K3}`, 'AllowedIPs = 10.2.0.0/16', 'PersistentKeepalive = off');
    const result = parseWireGuardConfig(text);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.config.mtu, 1380);
    assert.equal(result.config.listenPort, 51000);
    assert.deepEqual(result.config.addresses, ['10.8.0.2/24', 'fd00::2/64']);
    assert.equal(result.config.peers.length, 2);
    assert.equal(result.config.peers[0]?.presharedKey, K3);
    assert.equal(result.config.peers[0]?.persistentKeepalive, 25);
    assert.equal(result.config.peers[1]?.persistentKeepalive, null);
    assert.deepEqual(result.subnetsFromConfig, ['10.1.0.0/16', '10.2.0.0/16']);
    assert.equal(result.needsCredentials, false);
    assert.equal(result.crypto, null);
  });

  it('an upload larger than 64 KiB is refused as a whole', () => {
    const result = parseWireGuardConfig(base() + '#'.repeat(70_000));
    assert.ok(!result.ok && result.problems[0]?.line === 0);
  });
});

describe('the seed corpus: every export parses, as the review would show it', () => {
  const cases: Array<{ file: string; stripped: string[]; ignored: string[]; subnets: string[] }> = [
    { file: 'fritzbox-wireguard.conf', stripped: ['0.0.0.0/0'], ignored: ['DNS', 'DNS'], subnets: ['192.168.178.0/24'] },
    { file: 'mikrotik-wireguard.conf', stripped: ['0.0.0.0/0', '::/0'], ignored: ['DNS'], subnets: ['10.20.0.0/16'] },
    { file: 'opnsense-wireguard.conf', stripped: [], ignored: ['DNS'], subnets: ['10.99.0.1/32', '172.16.40.0/22', '2001:db8:4040::/48'] },
    { file: 'pfsense-wireguard.conf', stripped: [], ignored: ['Table', 'SaveConfig'], subnets: ['10.6.210.1/32', '192.168.50.0/24', '192.168.51.0/24'] },
    { file: 'teltonika-wireguard.conf', stripped: ['0.0.0.0/1', '128.0.0.0/1'], ignored: [], subnets: ['192.168.1.0/24'] },
    { file: 'windows-crlf-bom-wireguard.conf', stripped: ['0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1'], ignored: ['DNS'], subnets: ['10.70.0.0/24'] },
  ];
  for (const { file, stripped, ignored, subnets } of cases) {
    it(file, () => {
      const result = parseWireGuardConfig(corpus(file));
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(
        result.stripped.map((s) => s.what),
        stripped,
      );
      assert.deepEqual(
        result.ignored.map((i) => i.directive),
        ignored,
      );
      assert.deepEqual(result.subnetsFromConfig, subnets);
    });
  }
});
