/**
 * D7 diagnose for OpenVPN, from the tunnel's own log: while it is not connected the agent
 * reads its recent log lines and names what went wrong and what to fix (a cipher or digest
 * that does not match the router, TLS version, certificate, name resolution, a refused or
 * unanswered connection). And the redaction every log line gets before it leaves the plant.
 * Pure: log texts in, checks out.
 */

export type OpenVpnCheck = { check: string; ok: boolean; detail: string; fix: string | null };

type Rule = { check: string; pattern: RegExp; detail: string; fix: string };

/** First match wins per check; ordered from the most specific. Patterns are OpenVPN 2.6 / OpenSSL 3 log texts. */
const RULES: Rule[] = [
  {
    check: 'cipher',
    pattern: /no shared cipher|No common cipher|cipher negotiation failed/i,
    detail: 'the router and the agent share no data cipher (the router refused the connection: "no shared cipher")',
    fix: "set the advanced data cipher to the router's cipher (old firmware: often AES-128-CBC or AES-256-CBC)",
  },
  {
    check: 'cipher',
    pattern: /cipher final failed|AEAD Decrypt error|bad decrypt/i,
    detail: 'packets from the router do not decrypt: the data ciphers differ',
    fix: "set the advanced data cipher to the router's cipher",
  },
  {
    check: 'digest',
    pattern: /packet HMAC authentication failed|HMAC authentication failed|cannot locate HMAC/i,
    detail: 'packet authentication fails: the auth digest (or the tls-auth key / key-direction) differs from the router',
    fix: "set the advanced auth digest to the router's (old firmware: often SHA1) and check the tls-auth key and key-direction",
  },
  {
    check: 'tls-version',
    pattern: /unsupported protocol|wrong version number|no protocols available|tlsv1 alert protocol version|legacy sigalg disallowed|version too low/i,
    detail: 'the router and the agent agree on no TLS version (old firmware speaks TLS 1.0/1.1 only)',
    fix: "set the advanced minimum TLS version to the router's (1.0 for old firmware)",
  },
  {
    check: 'certificate',
    pattern: /certificate (has )?expired|certificate is not yet valid|CRL has expired/i,
    detail: 'a certificate is outside its validity period (or the clocks differ)',
    fix: "renew the router's or the client certificate, or correct the router's clock",
  },
  {
    check: 'certificate',
    pattern: /VERIFY ERROR|certificate verify failed|VERIFY KU ERROR|VERIFY EKU ERROR|VERIFY X509NAME ERROR|unable to get local issuer/i,
    detail: "the router's certificate does not verify against the CA of the uploaded profile",
    fix: "upload the profile again with the router's current CA (and server name)",
  },
  {
    check: 'credentials',
    pattern: /AUTH_FAILED/,
    detail: 'the router refused the username/password or the client certificate',
    fix: 'enter the right credentials (edit the direct VPN) or have the router accept this client',
  },
  {
    check: 'resolve',
    pattern: /RESOLVE: Cannot resolve host|Name or service not known|Temporary failure in name resolution/i,
    detail: "the router's host name does not resolve from the agent",
    fix: "use the router's IP address or a name the plant's DNS resolves",
  },
  {
    check: 'reachable',
    pattern: /Connection refused|ECONNREFUSED/i,
    detail: 'the router refused the connection (nothing listens on that port or a firewall rejects it)',
    fix: "check the router's OpenVPN port and transport (UDP/TCP) and its firewall",
  },
  {
    check: 'reachable',
    pattern: /Connection timed out|ETIMEDOUT|No route to host|Network is unreachable|TLS key negotiation failed to occur/i,
    detail: 'the router did not answer in time',
    fix: "check that the router is reachable from the plant on that port and transport, and the tls-auth/tls-crypt key",
  },
  {
    check: 'handshake',
    pattern: /TLS handshake failed|TLS Error/i,
    detail: 'the TLS handshake with the router failed',
    fix: "compare the advanced settings (cipher, auth digest, TLS version, compression) with the router's",
  },
];

/** How long the TLS handshake may take after the router's first answer before it counts as stuck. */
export const HANDSHAKE_STALL_MS = 10_000;

export type TimedLogLine = { at: number; text: string };

/**
 * Checks from the newest log lines (oldest first in, newest last; `at` in ms). One result per
 * check that a line matched; when nothing matched but the tunnel is down, one that says where
 * it stopped: no answer at all (address, port, transport, or a tls-auth key / auth digest the
 * router drops silently), or an answer and then a TLS handshake that never completes — what
 * a router that speaks only TLS 1.0/1.1 does to a client whose minimum is 1.2 (the client
 * logs nothing else; the router's log has the error).
 */
export function diagnoseOpenVpnLog(lines: TimedLogLine[], connected: boolean, nowMs: number): OpenVpnCheck[] {
  if (connected) return [];
  const found = new Map<string, OpenVpnCheck>();
  for (let index = lines.length - 1; index >= 0; index--) {
    const text = (lines[index] as TimedLogLine).text;
    for (const rule of RULES) {
      if (found.has(rule.check) || !rule.pattern.test(text)) continue;
      found.set(rule.check, { check: rule.check, ok: false, detail: rule.detail, fix: rule.fix });
      break;
    }
  }
  const checks = RULES.map((rule) => rule.check)
    .filter((check, index, all) => all.indexOf(check) === index)
    .flatMap((check) => (found.has(check) ? [found.get(check) as OpenVpnCheck] : []));
  // A handshake failure explained by a more specific check needs no line of its own.
  const specific = checks.filter((check) => check.check !== 'handshake');
  if (specific.length > 0) return specific;
  if (checks.length > 0) return checks;
  const lastAnswer = lines.findLastIndex((line) => /Initial packet from/.test(line.text));
  if (lastAnswer < 0) {
    return [
      {
        check: 'reachable',
        ok: false,
        detail: 'no answer from the router yet',
        fix: "check the router's address, port and transport, and the tls-auth/tls-crypt key and auth digest (a router drops packets signed with another)",
      },
    ];
  }
  const completed = lines.slice(lastAnswer).some((line) => /Control Channel:|Peer Connection Initiated/.test(line.text));
  const stalled = !completed && nowMs - (lines[lastAnswer] as TimedLogLine).at >= HANDSHAKE_STALL_MS;
  if (stalled) {
    return [
      {
        check: 'tls-version',
        ok: false,
        detail: 'the router answered, but the TLS handshake never completed: it does not accept the TLS version or TLS ciphers the agent offers',
        fix: "set the advanced minimum TLS version to the router's (1.0 for old firmware)",
      },
    ];
  }
  return [{ check: 'tunnel', ok: false, detail: 'the router answered; the tunnel is being set up', fix: 'wait a moment; if it stays down, compare the advanced settings with the router' }];
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
const SECRET_ARGUMENT = /\b(auth-token(?:-user)?|password|passwd|secret)([ =:,]+)[^\s,']+/gi;
const LONG_BLOB = /[A-Za-z0-9+/=]{40,}|[0-9A-Fa-f]{32,}/g;

/**
 * A log line as it may leave the plant: no PEM body, no auth token or password value, no long
 * key-like blob (hex or base64 of 32+ characters), at most 400 characters.
 */
export function redactOpenVpnLogLine(text: string): string {
  return text
    .replace(PEM, '[redacted PEM]')
    .replace(SECRET_ARGUMENT, (_all, name: string, separator: string) => `${name}${separator}[redacted]`)
    .replace(LONG_BLOB, '[redacted]')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing them is the point
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .slice(0, 400);
}
