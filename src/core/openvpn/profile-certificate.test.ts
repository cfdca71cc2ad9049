import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CsrFacts, certificateValidity, checkCsr, normalSerial, openVpnPeerId, openVpnSerialOf, orgVpnClientCommonName, PROFILE_CERTIFICATE_DAYS, profileCommonName } from './profile-certificate.ts';

describe('checkCsr (SPEC P9: which signing requests the platform signs)', () => {
  const rows: Array<[string, CsrFacts, boolean, RegExp?]> = [
    ['P9: ECDSA P-256 (what the CLI and the browser make) is signed', { signatureValid: true, keyAlgorithm: 'ECDSA', namedCurve: 'P-256' }, true],
    ['P9: ECDSA P-384 is signed', { signatureValid: true, keyAlgorithm: 'ECDSA', namedCurve: 'P-384' }, true],
    ['P9: RSA 2048 is signed', { signatureValid: true, keyAlgorithm: 'RSASSA-PKCS1-v1_5', modulusBits: 2048 }, true],
    ['P9: RSA 1024 is refused, naming the size', { signatureValid: true, keyAlgorithm: 'RSASSA-PKCS1-v1_5', modulusBits: 1024 }, false, /1024 bits/],
    ['P9: ECDSA P-521 is refused, naming the curve', { signatureValid: true, keyAlgorithm: 'ECDSA', namedCurve: 'P-521' }, false, /P-521/],
    ['P9: Ed25519 is refused (not every OpenVPN Connect takes it)', { signatureValid: true, keyAlgorithm: 'Ed25519' }, false, /Ed25519/],
    ['P9: a request whose signature does not verify is refused (proof of the private key)', { signatureValid: false, keyAlgorithm: 'ECDSA', namedCurve: 'P-256' }, false, /signature/],
  ];
  for (const [name, facts, ok, message] of rows) {
    it(name, () => {
      const verdict = checkCsr(facts);
      assert.equal(verdict.ok, ok);
      if (!verdict.ok && message) assert.match(verdict.message, message);
    });
  }
});

describe('certificate identity and validity', () => {
  it('P9: valid from a few minutes back (slow device clocks) for two years', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const { notBefore, notAfter } = certificateValidity(now);
    assert.equal(notBefore.toISOString(), '2026-11-30T11:55:00.000Z');
    assert.equal((notAfter.getTime() - now.getTime()) / 86_400_000, PROFILE_CERTIFICATE_DAYS);
  });
  const serials: Array<[string, string]> = [
    ['33:0e:00:EA', '330e00ea'],
    ['00ff', 'ff'],
    ['0', '0'],
    ['1A2b', '1a2b'],
  ];
  for (const [input, expected] of serials) {
    it(`the serial ${input} as openvpn prints it and as @peculiar/x509 prints it is one identity (${expected})`, () => {
      assert.equal(normalSerial(input), expected);
      assert.equal(openVpnSerialOf(openVpnPeerId(input)), expected);
    });
  }
  it('a WireGuard key is not an OpenVPN peer; a serial that is not hex is refused', () => {
    assert.equal(openVpnSerialOf('Aq1X+EdMVhPxyg4HTHvsYEvdMhMsXotxawsvFCOsOw4='), null);
    assert.throws(() => normalSerial('zz:11'), /not a certificate serial/);
  });
});

describe('certificate common names (the subject a CSR asks for is ignored)', () => {
  const rows: Array<[string, string, string]> = [
    ['P9: a personal profile is named after its profile id', profileCommonName('7f1c'), 'plantgate-profile-7f1c'],
    ['O1: an organization VPN client is named after its client id, never as a profile', orgVpnClientCommonName('7f1c'), 'plantgate-org-vpn-client-7f1c'],
  ];
  for (const [name, actual, expected] of rows) it(name, () => assert.equal(actual, expected));
});
