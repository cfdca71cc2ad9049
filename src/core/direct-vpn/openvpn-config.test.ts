import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseOpenVpnConfig } from './openvpn-config.ts';

const corpus = (name: string) => readFileSync(new URL(`./corpus/${name}`, import.meta.url), 'utf8');
const block = (tag: string) => {
  const text = corpus('opnsense-openvpn.ovpn');
  return text.slice(text.indexOf(`<${tag}>`), text.indexOf(`</${tag}>`) + tag.length + 3);
};
const KEYS = [block('ca'), block('cert'), block('key')].join('\n');
/** A minimal valid profile; `lines` go between the remote and the key blocks (line 4 on). */
const ovpn = (...lines: string[]) => ['client', 'dev tun', 'remote router.example.net 1194 udp', ...lines, KEYS, ''].join('\n');

type Refusal = { line: number; directive: string; message: RegExp };
const refusals: Array<{ name: string; line: string; problem: Refusal }> = [
  { name: 'D5: up runs a script', line: 'up /etc/openvpn/up.sh', problem: { line: 4, directive: 'up', message: /runs a program/ } },
  { name: 'D5: down', line: 'down "/bin/sh -c x"', problem: { line: 4, directive: 'down', message: /runs a program/ } },
  { name: 'D5: route-up', line: 'route-up /x', problem: { line: 4, directive: 'route-up', message: /runs a program/ } },
  { name: 'D5: ipchange', line: 'ipchange /x', problem: { line: 4, directive: 'ipchange', message: /runs a program/ } },
  { name: 'D5: tls-verify', line: 'tls-verify /x', problem: { line: 4, directive: 'tls-verify', message: /runs a program/ } },
  { name: 'D5: learn-address', line: 'learn-address /x', problem: { line: 4, directive: 'learn-address', message: /runs a program/ } },
  { name: 'D5: script-security', line: 'script-security 2', problem: { line: 4, directive: 'script-security', message: /runs a program/ } },
  { name: 'D5: plugin', line: 'plugin /usr/lib/x.so', problem: { line: 4, directive: 'plugin', message: /loads code/ } },
  { name: 'D5: management', line: 'management 0.0.0.0 7505', problem: { line: 4, directive: 'management', message: /management interface/ } },
  {
    name: 'D5: management-client-auth (any management-*)',
    line: 'management-client-auth',
    problem: { line: 4, directive: 'management-client-auth', message: /management/ },
  },
  { name: 'D5: config includes another file', line: 'config /etc/passwd', problem: { line: 4, directive: 'config', message: /files/ } },
  { name: 'D5: cd', line: 'cd /etc', problem: { line: 4, directive: 'cd', message: /files/ } },
  { name: 'D5: chroot', line: 'chroot /var/empty', problem: { line: 4, directive: 'chroot', message: /files/ } },
  { name: 'D5: log', line: 'log /tmp/x', problem: { line: 4, directive: 'log', message: /files/ } },
  { name: 'D5: status', line: 'status /tmp/x', problem: { line: 4, directive: 'status', message: /files/ } },
  { name: 'D5: writepid', line: 'writepid /tmp/x', problem: { line: 4, directive: 'writepid', message: /files/ } },
  { name: 'D5: a key from a file on the host', line: 'ca /etc/ssl/ca.pem', problem: { line: 4, directive: 'ca', message: /inline as <ca>/ } },
  { name: 'D5: tls-auth from a file', line: 'tls-auth ta.key 1', problem: { line: 4, directive: 'tls-auth', message: /inline/ } },
  {
    name: 'auth-user-pass with a credentials file',
    line: 'auth-user-pass /root/creds',
    problem: { line: 4, directive: 'auth-user-pass', message: /separately/ },
  },
  { name: 'an unknown directive', line: 'frobnicate 1', problem: { line: 4, directive: 'frobnicate', message: /unknown/ } },
  { name: 'a server directive is unknown for a client', line: 'server 10.8.0.0 255.255.255.0', problem: { line: 4, directive: 'server', message: /unknown/ } },
  { name: 'dev tap (bridging)', line: 'dev tap0', problem: { line: 4, directive: 'dev', message: /tap/ } },
  { name: 'cipher none', line: 'cipher none', problem: { line: 4, directive: 'cipher', message: /encryption off/ } },
  { name: 'bad proto', line: 'proto sctp', problem: { line: 4, directive: 'proto', message: /udp or tcp/ } },
  { name: 'bad netmask', line: 'route 10.0.0.0 255.0.255.0', problem: { line: 4, directive: 'route', message: /netmask/ } },
  { name: 'route to a host name', line: 'route intranet.example 255.255.255.0', problem: { line: 4, directive: 'route', message: /IPv4 address/ } },
  { name: 'unterminated quote', line: 'verify-x509-name "server name', problem: { line: 4, directive: 'verify-x509-name', message: /quote/ } },
  {
    name: 'R1 fuzz find: a quote inside verify-x509-name (the renderer could not quote it back)',
    line: 'verify-x509-name "a\\"b" name',
    problem: { line: 4, directive: 'verify-x509-name', message: /no quotes/ },
  },
  { name: 'tls-version-min garbage', line: 'tls-version-min 0.9', problem: { line: 4, directive: 'tls-version-min', message: /1\.0, 1\.1/ } },
  { name: 'cipher twice', line: 'cipher AES-256-CBC\ncipher AES-128-CBC', problem: { line: 5, directive: 'cipher', message: /twice \(first on line 4\)/ } },
  {
    name: 'credentials inside the profile',
    line: '<auth-user-pass>\nuser\npass\n</auth-user-pass>',
    problem: { line: 4, directive: '<auth-user-pass>', message: /separately/ },
  },
  { name: 'pkcs12 block', line: '<pkcs12>\nMIIB\n</pkcs12>', problem: { line: 4, directive: '<pkcs12>', message: /inline PEM/ } },
  { name: 'an unclosed inline block', line: '<tls-crypt>', problem: { line: 4, directive: '<tls-crypt>', message: /not closed/ } },
  { name: 'remote with a bad port', line: 'remote b.example.net 70000', problem: { line: 4, directive: 'remote', message: /port/ } },
  { name: 'a shell-ish remote host', line: 'remote $(reboot) 1194', problem: { line: 4, directive: 'remote', message: /not a DNS name/ } },
  {
    name: 'a disallowed directive inside <connection>',
    line: '<connection>\nremote c.example.net\nauth SHA1\n</connection>',
    problem: { line: 6, directive: 'auth', message: /inside a <connection>/ },
  },
  { name: 'a control character', line: 'verb 3\u0007', problem: { line: 4, directive: '', message: /control character/ } },
];

describe('parseOpenVpnConfig: refused uploads name the line and the directive', () => {
  for (const { name, line, problem } of refusals) {
    it(name, () => {
      const result = parseOpenVpnConfig(ovpn(line));
      assert.equal(result.ok, false);
      if (result.ok) return;
      const found = result.problems.find((p) => p.line === problem.line && p.directive === problem.directive);
      assert.ok(found, `expected line ${problem.line} (${problem.directive}), got ${JSON.stringify(result.problems)}`);
      assert.match(found.message, problem.message);
    });
  }

  const wholeFile: Array<{ name: string; text: string; message: RegExp }> = [
    { name: 'no remote', text: ['client', 'dev tun', KEYS].join('\n'), message: /no remote/ },
    { name: 'no <ca>', text: ['client', 'remote a.example.net', block('cert'), block('key')].join('\n'), message: /no inline <ca>/ },
    { name: 'a cert without its key', text: ['client', 'remote a.example.net', block('ca'), block('cert')].join('\n'), message: /<cert> and <key> together/ },
    {
      name: 'neither certificate nor credentials',
      text: ['client', 'remote a.example.net', block('ca')].join('\n'),
      message: /no client certificate and no auth-user-pass/,
    },
    {
      name: '<tls-auth> without key-direction',
      text: ovpn(
        `<tls-auth>\n${'-----BEGIN OpenVPN Static key V1-----\n'}${'0123456789abcdef0123456789abcdef\n'.repeat(16)}-----END OpenVPN Static key V1-----\n</tls-auth>`,
      ),
      message: /key-direction/,
    },
    { name: 'an encrypted private key', text: ovpn().replace('-----BEGIN PRIVATE KEY-----', '-----BEGIN ENCRYPTED PRIVATE KEY-----'), message: /passphrase/ },
    {
      name: 'a certificate where the key belongs',
      text: ovpn().replace(/<key>[\s\S]*<\/key>/, block('cert').replace(/cert>/g, 'key>')),
      message: /"CERTIFICATE" block where/,
    },
  ];
  for (const { name, text, message } of wholeFile) {
    it(name, () => {
      const result = parseOpenVpnConfig(text);
      assert.ok(!result.ok);
      assert.ok(
        result.problems.some((p) => message.test(p.message)),
        JSON.stringify(result.problems),
      );
    });
  }
});

describe('parseOpenVpnConfig: accepted uploads', () => {
  it('D5: redirect-gateway and the default route forms of route/route-ipv6 are stripped and reported with their line', () => {
    const result = parseOpenVpnConfig(
      ovpn(
        'redirect-gateway def1 bypass-dhcp',
        'route 0.0.0.0 0.0.0.0',
        'route 0.0.0.0 128.0.0.0',
        'route 128.0.0.0 128.0.0.0 vpn_gateway',
        'route-ipv6 ::/0',
        'route-ipv6 8000::/1',
        'route 192.168.10.0 255.255.255.0',
        'route-ipv6 fd00:10::/64',
      ),
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.stripped, [
      { what: 'redirect-gateway def1 bypass-dhcp', line: 4 },
      { what: '0.0.0.0/0', line: 5 },
      { what: '0.0.0.0/1', line: 6 },
      { what: '128.0.0.0/1', line: 7 },
      { what: '::/0', line: 8 },
      { what: '8000::/1', line: 9 },
    ]);
    assert.deepEqual(result.subnetsFromConfig, ['192.168.10.0/24', 'fd00:10::/64']);
  });

  it('host-shaping directives are ignored and reported', () => {
    const result = parseOpenVpnConfig(
      ovpn(
        'dhcp-option DNS 10.0.0.1',
        'block-outside-dns',
        'user nobody',
        'group nogroup',
        'setenv opt block-outside-dns',
        'route 10.9.0.0 255.255.0.0 net_gateway',
      ),
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(
      result.ignored.map((i) => [i.directive, i.line]),
      [
        ['dhcp-option', 4],
        ['block-outside-dns', 5],
        ['user', 6],
        ['group', 7],
        ['setenv', 8],
        ['route … net_gateway', 9],
      ],
    );
    assert.deepEqual(result.subnetsFromConfig, []);
  });

  it('D2: the legacy crypto in effect is reported (cipher, auth, compression, tls-version-min)', () => {
    const result = parseOpenVpnConfig(ovpn('cipher AES-128-CBC', 'auth SHA1', 'comp-lzo', 'tls-version-min 1.0 or-highest'));
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.crypto, { cipher: 'AES-128-CBC', auth: 'SHA1', compression: 'comp-lzo', tlsMin: '1.0' });
  });

  it('auth-user-pass: needsCredentials, and a profile may then have no client certificate', () => {
    const result = parseOpenVpnConfig(['client', 'remote a.example.net 443 tcp', 'auth-user-pass', block('ca'), ''].join('\n'));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.needsCredentials, true);
    assert.equal(result.config.cert, null);
    assert.deepEqual(
      result.config.remotes.map((r) => [r.host, r.port, r.transport]),
      [['a.example.net', 443, 'tcp']],
    );
  });

  it('<connection> blocks keep their own proto and port; top-level defaults fill the rest', () => {
    const result = parseOpenVpnConfig(
      ovpn(
        'port 1195',
        'proto tcp-client',
        '<connection>',
        'remote b.example.net',
        'proto udp',
        '</connection>',
        '<connection>',
        'remote 2001:db8::7 443',
        '</connection>',
      ),
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(
      result.config.remotes.map((r) => [r.host, r.port, r.transport]),
      [
        ['b.example.net', 1195, 'udp'],
        ['2001:db8::7', 443, 'tcp'],
        ['router.example.net', 1194, 'udp'],
      ],
    );
  });

  it('comments with # and ;, quoted arguments, tls-auth with key-direction', () => {
    const ta = `-----BEGIN OpenVPN Static key V1-----\n${'0123456789abcdef0123456789abcdef\n'.repeat(16)}-----END OpenVPN Static key V1-----`;
    const result = parseOpenVpnConfig(
      ovpn(
        '# comment',
        '; another',
        'verify-x509-name "park router" name  # inline comment',
        'key-direction 1',
        `<tls-auth>\n#\n# 2048 bit OpenVPN static key\n#\n${ta}\n</tls-auth>`,
      ),
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.config.verifyX509Name, { name: 'park router', type: 'name' });
    assert.equal(result.config.keyDirection, 1);
    assert.equal(result.config.tlsAuth, `${ta}\n`);
  });

  it('CRLF and a BOM read exactly like LF', () => {
    const lf = ovpn('route 10.1.0.0 255.255.0.0', 'redirect-gateway def1');
    assert.deepEqual(parseOpenVpnConfig(`\ufeff${lf.replace(/\n/g, '\r\n')}`), parseOpenVpnConfig(lf));
  });
});

describe('the seed corpus: every export parses, as the review would show it', () => {
  const cases: Array<{
    file: string;
    stripped: string[];
    ignored: string[];
    subnets: string[];
    credentials: boolean;
    cipher: string | null;
    compression: string | null;
  }> = [
    {
      file: 'mikrotik-openvpn.ovpn',
      stripped: ['redirect-gateway def1'],
      ignored: [],
      subnets: [],
      credentials: true,
      cipher: 'AES-256-CBC',
      compression: null,
    },
    {
      file: 'opnsense-openvpn.ovpn',
      stripped: [],
      ignored: [],
      subnets: ['10.40.0.0/16'],
      credentials: true,
      cipher: 'AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305',
      compression: null,
    },
    {
      file: 'pfsense-openvpn.ovpn',
      stripped: [],
      ignored: ['setenv', 'ignore-unknown-option'],
      subnets: ['192.168.50.0/24', '192.168.51.0/24'],
      credentials: false,
      cipher: 'AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305',
      compression: null,
    },
    {
      file: 'teltonika-openvpn.ovpn',
      stripped: ['0.0.0.0/0'],
      ignored: ['dhcp-option'],
      subnets: ['192.168.1.0/24'],
      credentials: false,
      cipher: 'AES-128-CBC',
      compression: 'comp-lzo',
    },
    {
      file: 'windows-openvpn-crlf-bom.ovpn',
      stripped: ['0.0.0.0/1', '128.0.0.0/1'],
      ignored: ['block-outside-dns'],
      subnets: ['10.77.0.0/16', '2001:db8:77::/48'],
      credentials: false,
      cipher: 'AES-256-GCM',
      compression: 'compress stub-v2',
    },
  ];
  for (const c of cases) {
    it(c.file, () => {
      const result = parseOpenVpnConfig(corpus(c.file));
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(
        result.stripped.map((s) => s.what),
        c.stripped,
      );
      assert.deepEqual(
        result.ignored.map((i) => i.directive),
        c.ignored,
      );
      assert.deepEqual(result.subnetsFromConfig, c.subnets);
      assert.equal(result.needsCredentials, c.credentials);
      assert.equal(result.crypto?.cipher, c.cipher);
      assert.equal(result.crypto?.compression, c.compression);
    });
  }
});
