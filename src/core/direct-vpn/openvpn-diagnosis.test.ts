import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseOpenVpnLog, redactOpenVpnLogLine } from './openvpn-diagnosis.ts';

const timed = (texts: string[]) => texts.map((text) => ({ at: 0, text }));

describe('D7 diagnose from the OpenVPN log (texts of openvpn 2.6 / OpenSSL 3)', () => {
  const table: Array<[string, string[], string, RegExp]> = [
    ['cipher mismatch (router refuses)', ['AUTH: Received control message: AUTH_FAILED,Data channel cipher negotiation failed (no shared cipher)'], 'cipher', /data cipher/],
    ['cipher mismatch (decrypt)', ['AEAD Decrypt error: cipher final failed'], 'cipher', /data cipher/],
    ['digest mismatch', ['Authenticate/Decrypt packet error: packet HMAC authentication failed'], 'digest', /auth digest/],
    ['TLS version', ['OpenSSL: error:0A00014D:SSL routines::legacy sigalg disallowed or unsupported:', 'TLS Error: TLS handshake failed'], 'tls-version', /minimum TLS version/],
    ['TLS version (unsupported protocol)', ['OpenSSL: error:0A000102:SSL routines::unsupported protocol'], 'tls-version', /TLS version/],
    ['expired certificate', ['VERIFY ERROR: depth=0, error=certificate has expired: CN=server'], 'certificate', /renew/],
    ['unknown CA', ['VERIFY ERROR: depth=1, error=unable to get local issuer certificate'], 'certificate', /CA/],
    ['resolve', ['RESOLVE: Cannot resolve host address: router.invalid:1194 (Name or service not known)'], 'resolve', /IP address/],
    ['refused', ['TCP: connect to [AF_INET]10.10.4.2:1194 failed: Connection refused'], 'reachable', /port/],
    ['timeout', ['TLS key negotiation failed to occur within 60 seconds (check your network connectivity)'], 'reachable', /reachable/],
    ['bare handshake failure', ['TLS Error: TLS handshake failed'], 'handshake', /advanced settings/],
    ['nothing known, no answer', ['UDPv4 link remote: [AF_INET]10.10.4.2:1194'], 'reachable', /address, port/],
    ['nothing known, answered just now', ['TLS: Initial packet from [AF_INET]10.10.4.2:1194'], 'tunnel', /wait/],
  ];
  for (const [name, lines, check, fix] of table) {
    it(`${name}: check ${check} names the fix`, () => {
      const checks = diagnoseOpenVpnLog(timed(lines), false, 1000);
      assert.equal(checks[0]?.check, check, JSON.stringify(checks));
      assert.equal(checks[0]?.ok, false);
      assert.match(checks[0]?.fix ?? '', fix);
    });
  }
  it('the router answered and then nothing for 10 s (a TLS-1.0-only router; the client logs no error): the TLS version is named', () => {
    const lines = [{ at: 0, text: 'TLS: Initial packet from [AF_INET]10.10.4.2:1195, sid=e869316e 4ccd8d05' }];
    assert.equal(diagnoseOpenVpnLog(lines, false, 9_999)[0]?.check, 'tunnel');
    const stuck = diagnoseOpenVpnLog(lines, false, 10_000);
    assert.equal(stuck[0]?.check, 'tls-version');
    assert.match(stuck[0]?.fix ?? '', /minimum TLS version/);
    // a completed handshake after the answer is not stuck
    assert.equal(diagnoseOpenVpnLog([...lines, { at: 1, text: 'Control Channel: TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384' }], false, 60_000)[0]?.check, 'tunnel');
  });
  it('connected: no checks', () => assert.deepEqual(diagnoseOpenVpnLog(timed(['AEAD Decrypt error']), true, 0), []));
  it('a TLS handshake failure explained by the TLS version is reported once, as the version', () => {
    const checks = diagnoseOpenVpnLog(timed(['OpenSSL: error:0A000102:SSL routines::unsupported protocol', 'TLS Error: TLS handshake failed']), false, 0);
    assert.deepEqual(checks.map((check) => check.check), ['tls-version']);
  });
});

describe('S3: log lines leave the plant redacted', () => {
  const table: Array<[string, string, RegExp]> = [
    ['PEM body', 'key: -----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----', /^key: \[redacted PEM\]$/],
    ['auth token pushed', "PUSH: Received control message: 'PUSH_REPLY,auth-token SESS_ID_abc123,ping 10'", /auth-token \[redacted\],ping 10/],
    ['password', 'password=hunter2 was sent', /password=\[redacted\] was/],
    ['long hex', 'tls-crypt key 6acef03f62675b4b1bbd03e53b187727a1b2c3d4e5f6', /tls-crypt key \[redacted\]$/],
    ['plain line kept', 'Initialization Sequence Completed', /^Initialization Sequence Completed$/],
  ];
  for (const [name, input, expected] of table) it(name, () => assert.match(redactOpenVpnLogLine(input), expected));
  it('at most 400 characters, no control characters', () => {
    const out = redactOpenVpnLogLine(`a\u0007${'b '.repeat(400)}`);
    assert.equal(out.length, 400);
    assert.ok(!out.includes('\u0007'));
  });
});
