import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SESSION_MAX_MS, grantUrl, hostLabel, proxyDomainProblem, sessionExpiry, targetOrigin } from './web-target.ts';

describe('web target names and grant URLs (docs/browser-proxy.md)', () => {
  it('a host label is t- and 12 lowercase letters/digits: a DNS label, one per target', () => {
    const a = hostLabel(new Uint8Array(16).fill(0));
    const b = hostLabel(Uint8Array.from({ length: 16 }, (_, i) => i * 17));
    assert.equal(a, 't-aaaaaaaaaaaa');
    assert.match(b, /^t-[a-z0-9]{12}$/);
    assert.notEqual(a, b);
  });

  const origins: Array<[string, number, string]> = [
    ['the default HTTPS port is left out', 443, 'https://t-x.proxy.example.net'],
    ['another port is named', 8443, 'https://t-x.proxy.example.net:8443'],
  ];
  for (const [name, port, want] of origins) it(name, () => assert.equal(targetOrigin('t-x', 'proxy.example.net', port), want));

  it('the grant URL carries the token on the target’s origin, URL-encoded', () => {
    assert.equal(grantUrl('t-x', 'p.example', 443, 'ab-_c'), 'https://t-x.p.example/.plantgate/grant?token=ab-_c');
  });

  const expiries: Array<[string, string | null, number]> = [
    ['a token without expiry: the 8 h cap', null, SESSION_MAX_MS],
    ['a login ending in 1 h: 1 h', new Date(3600_000).toISOString(), 3600_000],
    ['a login ending in 30 days: the 8 h cap', new Date(30 * 86_400_000).toISOString(), SESSION_MAX_MS],
  ];
  for (const [name, token, want] of expiries) it(`session expiry: ${name}`, () => assert.equal(sessionExpiry(0, token), want));

  const domains: Array<[string, boolean]> = [
    ['proxy.example.net', true],
    ['proxy.localhost.test', true],
    ['localhost', false],
    ['Proxy.Example.net', false],
    ['proxy..example', false],
    ['-a.example', false],
    ['a_b.example', false],
  ];
  for (const [domain, ok] of domains) it(`proxy domain ${JSON.stringify(domain)} is ${ok ? 'accepted' : 'refused'}`, () => assert.equal(proxyDomainProblem(domain) === null, ok));
});
