/**
 * D1: an outgoing direct VPN's connection details entered by hand (endpoint and keys) instead
 * of an uploaded file. They are rendered into the text of a config that then goes through the
 * upload's parser, whitelist and review unchanged: there is one way in, not a second, less
 * checked one. Each rendered line remembers the field it came from, so a refusal of the parser
 * names `manual.<field>` rather than a line of a file the user never saw. Pure; the server
 * (API, CLI) and the web wizard share it.
 */

export type ManualEntry = {
  /** HOST:PORT of the router's VPN server (WireGuard peer endpoint / OpenVPN remote); IPv6 in brackets. */
  endpoint?: string;
  /** WireGuard: the router's public key. */
  peerPublicKey?: string;
  /** WireGuard: the agent side's private key (the server generates one when absent). */
  privateKey?: string;
  /** WireGuard: the agent's tunnel address, CIDR (e.g. 10.99.0.2/32). */
  address?: string;
  presharedKey?: string;
  /** WireGuard: seconds; default 25 (the agent dials from behind NAT). */
  persistentKeepalive?: number;
  /** OpenVPN: PEM blocks as the router exports them. */
  ca?: string;
  cert?: string;
  key?: string;
  tlsAuth?: string;
  tlsCrypt?: string;
};

export type ManualField = keyof ManualEntry;
export type ManualProblem = { field: `manual.${ManualField}`; message: string };
export type ManualProtocol = 'wireguard' | 'openvpn';

export type ManualRendered = {
  text: string;
  /** The field each line came from (index 0 = line 1); null for lines plantgate adds itself. */
  lineFields: Array<ManualField | null>;
};

const WIREGUARD_FIELDS: readonly ManualField[] = ['endpoint', 'peerPublicKey', 'privateKey', 'address', 'presharedKey', 'persistentKeepalive'];
const OPENVPN_FIELDS: readonly ManualField[] = ['endpoint', 'ca', 'cert', 'key', 'tlsAuth', 'tlsCrypt'];
const PEM_FIELDS: readonly ManualField[] = ['ca', 'cert', 'key', 'tlsAuth', 'tlsCrypt'];
const DEFAULT_KEEPALIVE = 25;
const DEFAULT_OPENVPN_PORT = '1194';

/** HOST:PORT with a bracketed IPv6 host allowed; null when it is not one. */
export function splitEndpoint(text: string): { host: string; port: string } | null {
  const match = /^\s*(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})\s*$/.exec(text);
  return match ? { host: match[1] as string, port: match[2] as string } : null;
}

/**
 * What is missing, misplaced or could smuggle a second line into the rendered config. The
 * values themselves (key format, address, port range) are the parser's to judge.
 */
export function manualEntryProblems(protocol: ManualProtocol, entry: ManualEntry): ManualProblem[] {
  const problems: ManualProblem[] = [];
  const add = (field: ManualField, message: string) => problems.push({ field: `manual.${field}`, message });
  const own = protocol === 'wireguard' ? WIREGUARD_FIELDS : OPENVPN_FIELDS;
  const other = protocol === 'wireguard' ? 'OpenVPN' : 'WireGuard';
  for (const field of Object.keys(entry) as ManualField[]) {
    if (entry[field] !== undefined && !own.includes(field))
      add(field, `is for ${other} only; a ${protocol === 'wireguard' ? 'WireGuard' : 'OpenVPN'} connection takes ${own.join(', ')}`);
  }
  const required: ManualField[] = protocol === 'wireguard' ? ['endpoint', 'peerPublicKey', 'privateKey'] : ['endpoint', 'ca', 'cert', 'key'];
  for (const field of required) {
    const value = entry[field];
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) add(field, 'is required');
  }
  for (const field of own) {
    const value = entry[field];
    if (typeof value !== 'string' || value.trim() === '') continue;
    if (PEM_FIELDS.includes(field)) {
      // Block tags or control characters would let a pasted value open a block of its own.
      if (/[<>]/.test(value) || hasControl(value.replace(/[\r\n\t]/g, ''))) add(field, 'must be PEM text only (-----BEGIN … -----END …), without <tags>');
      else if (!value.includes('-----BEGIN ')) add(field, 'is not PEM text (no -----BEGIN line)');
    } else if (/[\r\n]/.test(value) || hasControl(value)) add(field, 'must be one line');
  }
  if (typeof entry.endpoint === 'string' && entry.endpoint.trim() !== '' && !problems.some((p) => p.field === 'manual.endpoint')) {
    if (splitEndpoint(entry.endpoint) === null)
      add('endpoint', `"${entry.endpoint.trim().slice(0, 80)}" is not HOST:PORT (a DNS name, an IPv4 address or [IPv6], and a port)`);
  }
  if (protocol === 'openvpn' && nonEmpty(entry.tlsAuth) && nonEmpty(entry.tlsCrypt)) add('tlsCrypt', 'give tlsAuth or tlsCrypt, not both');
  return problems;
}

/**
 * The config text for an entry (rendered as given; `manualEntryProblems` first, or let the
 * parser refuse). `subnets` become the WireGuard peer's AllowedIPs, so the review's ranges
 * from the config are the ones chosen.
 */
export function renderManualEntry(input: { protocol: ManualProtocol; transport: 'udp' | 'tcp'; entry: ManualEntry; subnets: string[] }): ManualRendered {
  const lines: string[] = [];
  const lineFields: Array<ManualField | null> = [];
  const push = (field: ManualField | null, ...text: string[]) => {
    for (const line of text) {
      lines.push(line);
      lineFields.push(field);
    }
  };
  const entry = input.entry;
  const subnets = input.subnets.map((s) => s.trim()).filter(Boolean);
  if (input.protocol === 'wireguard') {
    push(null, '[Interface]');
    push('privateKey', `PrivateKey = ${trim(entry.privateKey)}`);
    if (nonEmpty(entry.address)) push('address', `Address = ${trim(entry.address)}`);
    push(null, '', '[Peer]');
    push('peerPublicKey', `PublicKey = ${trim(entry.peerPublicKey)}`);
    if (nonEmpty(entry.presharedKey)) push('presharedKey', `PresharedKey = ${trim(entry.presharedKey)}`);
    push('endpoint', `Endpoint = ${trim(entry.endpoint)}`);
    if (subnets.length) push(null, `AllowedIPs = ${subnets.join(', ')}`);
    push('persistentKeepalive', `PersistentKeepalive = ${entry.persistentKeepalive ?? DEFAULT_KEEPALIVE}`);
    push(null, '');
    return { text: lines.join('\n'), lineFields };
  }
  const endpoint = splitEndpoint(trim(entry.endpoint));
  push(null, 'client', 'dev tun', `proto ${input.transport}`);
  push('endpoint', `remote ${endpoint ? endpoint.host.replace(/^\[|\]$/g, '') : trim(entry.endpoint)} ${endpoint?.port ?? DEFAULT_OPENVPN_PORT}`);
  push(null, 'nobind', 'remote-cert-tls server');
  const block = (field: ManualField, tag: string) => {
    const value = entry[field];
    if (typeof value !== 'string' || value.trim() === '') return;
    push(field, `<${tag}>`, ...value.trim().split(/\r?\n/), `</${tag}>`);
  };
  block('ca', 'ca');
  block('cert', 'cert');
  block('key', 'key');
  if (nonEmpty(entry.tlsAuth)) push('tlsAuth', 'key-direction 1');
  block('tlsAuth', 'tls-auth');
  block('tlsCrypt', 'tls-crypt');
  push(null, '');
  return { text: lines.join('\n'), lineFields };
}

/** The field a parser problem on `line` (1-based) belongs to; null: a line plantgate wrote. */
export function manualFieldOfLine(rendered: ManualRendered, line: number): ManualField | null {
  return line >= 1 ? (rendered.lineFields[line - 1] ?? null) : null;
}

function trim(value: string | undefined): string {
  return (value ?? '').trim();
}

function nonEmpty(value: string | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function hasControl(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  return /[\u0000-\u001f\u007f]/.test(text);
}
