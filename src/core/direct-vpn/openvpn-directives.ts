/**
 * The OpenVPN whitelist (D5), one table per kind; docs/decisions/direct-vpn-parsers.md says
 * why each directive is where it is. A directive in none of them is refused as unknown.
 */

/** Run a program or a script, or load code into the OpenVPN process. */
export const RUNS_CODE: ReadonlySet<string> = new Set([
  'up',
  'down',
  'down-pre',
  'up-restart',
  'route-up',
  'route-pre-down',
  'ipchange',
  'tls-verify',
  'learn-address',
  'client-connect',
  'client-disconnect',
  'auth-user-pass-verify',
  'plugin',
  'script-security',
  'iproute',
  'tls-export-cert',
  'setcon',
  'auth-gen-token-secret',
]);

/** Read or write files, open sockets or change the process on the agent host. */
export const TOUCHES_HOST: ReadonlySet<string> = new Set([
  'management',
  'config',
  'cd',
  'chroot',
  'log',
  'log-append',
  'status',
  'status-version',
  'writepid',
  'daemon',
  'syslog',
  'askpass',
  'tmp-dir',
  'replay-persist',
  'secret',
  'pkcs12',
  'crl-verify',
  'dh',
  'capath',
  'cryptoapicert',
  'http-proxy',
  'socks-proxy',
  'http-proxy-user-pass',
  'auth-user-pass-optional',
  'inetd',
  'mktun',
  'rmtun',
  'service',
  'engine',
  'providers',
  'show-net',
  'errors-to-stderr',
]);

/** Would only shape the agent host's own settings (DNS, Windows adapters, privileges, pushed-option filters). */
export const HOST_SHAPING: ReadonlySet<string> = new Set([
  'dhcp-option',
  'block-outside-dns',
  'register-dns',
  'setenv',
  'setenv-safe',
  'ip-win32',
  'route-method',
  'win-sys',
  'dhcp-renew',
  'dhcp-release',
  'dhcp-pre-release',
  'tap-sleep',
  'ignore-unknown-option',
  'pull-filter',
  'user',
  'group',
  'redirect-private',
  'tun-ipv6',
  'route-metric',
  'route-delay',
  'allow-pull-fqdn',
  'block-ipv6',
  'persist-remote-ip',
  'persist-local-ip',
  'up-delay',
  'max-routes',
  'ncp-disable',
  'machine-readable-output',
  'suppress-timestamps',
  'echo',
  'ifconfig-noexec',
  'route-noexec',
  'mlock',
  'nice',
]);

/**
 * Client settings accepted without being carried into the agent's config: plantgate renders
 * its own values for them (retries, keepalive, logging, buffers), so the upload's are not needed.
 * Value: how many arguments (min, max).
 */
export const ACCEPTED_NOT_CARRIED: ReadonlyMap<string, [number, number]> = new Map([
  ['client', [0, 0]],
  ['tls-client', [0, 0]],
  ['pull', [0, 0]],
  ['nobind', [0, 0]],
  ['persist-key', [0, 0]],
  ['persist-tun', [0, 0]],
  ['float', [0, 0]],
  ['auth-nocache', [0, 0]],
  ['mute-replay-warnings', [0, 0]],
  ['route-nopull', [0, 0]],
  ['explicit-exit-notify', [0, 1]],
  ['passtos', [0, 0]],
  ['comp-noadapt', [0, 0]],
  ['fast-io', [0, 0]],
  ['push-peer-info', [0, 0]],
  ['auth-retry', [1, 1]],
  ['resolv-retry', [1, 1]],
  ['connect-retry', [1, 2]],
  ['connect-retry-max', [1, 1]],
  ['server-poll-timeout', [1, 1]],
  ['connect-timeout', [1, 1]],
  ['keepalive', [2, 2]],
  ['ping', [1, 1]],
  ['ping-restart', [1, 1]],
  ['ping-timer-rem', [0, 0]],
  ['reneg-sec', [1, 3]],
  ['hand-window', [1, 1]],
  ['tran-window', [1, 1]],
  ['sndbuf', [1, 1]],
  ['rcvbuf', [1, 1]],
  ['txqueuelen', [1, 1]],
  ['verb', [1, 1]],
  ['mute', [1, 1]],
  ['topology', [1, 1]],
  ['allow-compression', [1, 1]],
  ['tls-timeout', [1, 1]],
  ['remote-cert-eku', [1, 1]],
  ['remote-cert-ku', [1, 9]],
  ['ns-cert-type', [1, 1]],
  ['tls-cipher', [1, 1]],
  ['tls-ciphersuites', [1, 1]],
  ['tls-groups', [1, 1]],
  ['ecdh-curve', [1, 1]],
  ['tls-version-max', [1, 1]],
  ['link-mtu', [1, 1]],
  ['mtu-disc', [1, 1]],
  ['single-session', [0, 0]],
  ['remote-random', [0, 0]],
  ['bind', [0, 1]],
]);

/** What may stand inside a <connection> block (one remote and how to reach it). */
export const CONNECTION_DIRECTIVES: ReadonlySet<string> = new Set([
  'remote',
  'proto',
  'port',
  'rport',
  'nobind',
  'bind',
  'connect-retry',
  'connect-retry-max',
  'connect-timeout',
  'float',
  'explicit-exit-notify',
  'tun-mtu',
  'mssfix',
  'link-mtu',
  'fragment',
  'server-poll-timeout',
  'mtu-disc',
]);

/** Inline blocks that hold key material, and the PEM labels each may contain. */
export const INLINE_LABELS: Readonly<Record<string, readonly string[]>> = {
  ca: ['CERTIFICATE'],
  'extra-certs': ['CERTIFICATE'],
  cert: ['CERTIFICATE'],
  key: ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'],
  'tls-auth': ['OpenVPN Static key V1'],
  'tls-crypt': ['OpenVPN Static key V1'],
  'tls-crypt-v2': ['OpenVPN tls-crypt-v2 client key'],
};

export function refusalReason(name: string, args: string[]): string | null {
  if (RUNS_CODE.has(name)) return `${name} runs a program or loads code on the agent host; plantgate never runs code from an upload — remove the line`;
  if (name.startsWith('management')) return `${name} opens a management interface on the agent host; plantgate runs its own — remove the line`;
  if (TOUCHES_HOST.has(name)) return `${name} reads or writes files, sockets or processes on the agent host; remove the line`;
  if (name in INLINE_LABELS && args.length > 0 && args[0] !== '[inline]') {
    return `${name} ${args[0]} reads a file on the agent host; paste the file's content inline as <${name}>…</${name}>`;
  }
  if (name === 'auth-user-pass' && args.length > 0) {
    return 'auth-user-pass names a credentials file on the agent host; keep the bare "auth-user-pass" line and enter the username and password separately';
  }
  return null;
}
