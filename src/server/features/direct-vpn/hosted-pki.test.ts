import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createHostedPki, issue, serialOf, signCrl, tlsCryptKey } from './hosted-pki.ts';

/** The hosted OpenVPN PKI against the real openssl (the same library openvpn verifies with). */
describe('hosted OpenVPN PKI (issue 9 D1/D9)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plantgate-pki-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const openssl = (args: string[]): string => {
    try {
      return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      return `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    }
  };

  it('the server and client certificates verify against the server\u2019s own CA, with serverAuth / clientAuth; a revoked client fails with the CRL, the others pass', async () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const pki = await createHostedPki('Router "C", Park #1', now);
    const router = await issue(pki.ca, 'plant-router', 'client', now);
    const ulla = await issue(pki.ca, 'Ulla Müller', 'client', now);
    assert.equal(serialOf(ulla.certificate).toLowerCase(), ulla.serial.toLowerCase());
    const ca = file('ca.pem', pki.ca.certificate);
    assert.match(openssl(['verify', '-CAfile', ca, file('server.pem', pki.server.certificate)]), /: OK/);
    assert.match(openssl(['x509', '-in', join(dir, 'server.pem'), '-noout', '-ext', 'extendedKeyUsage']), /TLS Web Server Authentication/);
    assert.match(openssl(['x509', '-in', file('router.pem', router.certificate), '-noout', '-ext', 'extendedKeyUsage']), /TLS Web Client Authentication/);
    // the client key matches its certificate (what openvpn checks when it loads the profile)
    const keyPub = openssl(['pkey', '-in', file('router.key', router.key), '-pubout']);
    assert.match(keyPub, /BEGIN PUBLIC KEY/);
    assert.equal(openssl(['x509', '-in', join(dir, 'router.pem'), '-noout', '-pubkey']), keyPub);
    const chain = file('chain.pem', `${pki.ca.certificate}${await signCrl(pki.ca, [{ serial: ulla.serial, at: now.toISOString() }], now)}`);
    assert.match(openssl(['verify', '-crl_check', '-CAfile', chain, file('ulla.pem', ulla.certificate)]), /certificate revoked/);
    assert.match(openssl(['verify', '-crl_check', '-CAfile', chain, join(dir, 'router.pem')]), /: OK/);
    const otherCa = (await createHostedPki('Other', now)).ca.certificate;
    assert.doesNotMatch(openssl(['verify', '-CAfile', file('other.pem', otherCa), join(dir, 'router.pem')]), /: OK/, 'another server\u2019s CA does not vouch for it');
  });

  it('the tls-crypt key is a fresh 2048-bit OpenVPN static key', () => {
    const key = tlsCryptKey();
    const lines = key.trim().split('\n');
    assert.equal(lines[0], '-----BEGIN OpenVPN Static key V1-----');
    assert.equal(lines.length, 18);
    assert.ok(lines.slice(1, -1).every((line) => /^[0-9a-f]{32}$/.test(line)));
    assert.notEqual(tlsCryptKey(), key);
  });
});
