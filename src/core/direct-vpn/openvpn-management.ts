/**
 * The OpenVPN management protocol (management-notes.txt, OpenVPN 2.6), as far as the agent
 * uses it: real-time notifications (`>STATE:`, `>BYTECOUNT:`, `>BYTECOUNT_CLI:`, `>LOG:`,
 * `>CLIENT:`, `>INFO:`…), the lines of `state` / `log` history, and `status 3` (the
 * tab-separated client list of a server). Pure: lines in, values out. No npm library fits
 * (node-openvpn speaks telnet to a TCP port and parses none of this into types), so it is
 * this small parser (docs/direct-vpn.md).
 */

/** OpenVPN's connection states (`>STATE:` second field). */
export type OpenVpnState =
  | 'CONNECTING'
  | 'WAIT'
  | 'AUTH'
  | 'GET_CONFIG'
  | 'ASSIGN_IP'
  | 'ADD_ROUTES'
  | 'CONNECTED'
  | 'RECONNECTING'
  | 'EXITING'
  | 'RESOLVE'
  | 'TCP_CONNECT'
  | 'AUTH_PENDING';

const STATES = new Set<string>(['CONNECTING', 'WAIT', 'AUTH', 'GET_CONFIG', 'ASSIGN_IP', 'ADD_ROUTES', 'CONNECTED', 'RECONNECTING', 'EXITING', 'RESOLVE', 'TCP_CONNECT', 'AUTH_PENDING']);

export type OpenVpnStateLine = {
  /** Unix seconds. */
  time: number;
  state: OpenVpnState;
  /** SUCCESS / ERROR after CONNECTED, the reason after RECONNECTING/EXITING ("tls-error", "auth-failure"…). */
  detail: string;
  localIp: string | null;
  remoteIp: string | null;
};

export type OpenVpnLogLine = { time: number; flags: string; text: string };

export type ManagementNotification =
  | { kind: 'state'; value: OpenVpnStateLine }
  | { kind: 'bytecount'; bytesIn: number; bytesOut: number }
  | { kind: 'bytecount-cli'; clientId: number; bytesIn: number; bytesOut: number }
  | { kind: 'log'; value: OpenVpnLogLine }
  | { kind: 'client'; event: string; args: string[] }
  | { kind: 'other'; type: string; text: string };

/** A line starting with `>`; null for anything else (a command's response line). */
export function parseNotification(line: string): ManagementNotification | null {
  const match = /^>([A-Z_]+):(.*)$/.exec(line);
  if (!match) return null;
  const [, type, rest] = match as unknown as [string, string, string];
  switch (type) {
    case 'STATE': {
      const value = parseStateLine(rest);
      return value ? { kind: 'state', value } : { kind: 'other', type, text: rest };
    }
    case 'BYTECOUNT': {
      const [bytesIn, bytesOut] = rest.split(',').map(counter);
      return bytesIn !== null && bytesOut !== null && bytesIn !== undefined && bytesOut !== undefined
        ? { kind: 'bytecount', bytesIn, bytesOut }
        : { kind: 'other', type, text: rest };
    }
    case 'BYTECOUNT_CLI': {
      const [clientId, bytesIn, bytesOut] = rest.split(',').map(counter);
      return clientId != null && bytesIn != null && bytesOut != null ? { kind: 'bytecount-cli', clientId, bytesIn, bytesOut } : { kind: 'other', type, text: rest };
    }
    case 'LOG': {
      const value = parseLogLine(rest);
      return value ? { kind: 'log', value } : { kind: 'other', type, text: rest };
    }
    case 'CLIENT': {
      const [event = '', ...args] = rest.split(',');
      return { kind: 'client', event, args };
    }
    default:
      return { kind: 'other', type, text: rest };
  }
}

/** `1796051288,CONNECTED,SUCCESS,10.8.0.2,10.77.0.1,1194,,` (a `state` history line or a `>STATE:` body). */
export function parseStateLine(text: string): OpenVpnStateLine | null {
  const fields = text.split(',');
  const time = counter(fields[0] ?? '');
  const state = fields[1] ?? '';
  if (time === null || !STATES.has(state)) return null;
  return { time, state: state as OpenVpnState, detail: fields[2] ?? '', localIp: fields[3] || null, remoteIp: fields[4] || null };
}

/** `1796051288,W,WARNING: …` — the text may itself hold commas. */
export function parseLogLine(text: string): OpenVpnLogLine | null {
  const match = /^(\d+),([A-Z]*),(.*)$/s.exec(text);
  if (!match) return null;
  return { time: Number(match[1]), flags: match[2] as string, text: match[3] as string };
}

/** How a command's response ends: one SUCCESS:/ERROR: line, or lines up to END (or an ERROR: line). */
export type ResponseShape = 'single' | 'multi';

/** The response shape of each command the agent sends. */
export function responseShape(command: string): ResponseShape {
  const verb = command.trim().split(/\s+/, 2);
  if (verb[0] === 'status' || verb[0] === 'version' || verb[0] === 'help' || verb[0] === 'pid') return verb[0] === 'pid' ? 'single' : 'multi';
  if ((verb[0] === 'state' || verb[0] === 'log' || verb[0] === 'echo') && (verb[1] === undefined || verb[1] === 'all' || /^\d+$/.test(verb[1]))) return 'multi';
  return 'single';
}

/** Whether `line` (not a notification) ends the response of a command of `shape`. */
export function endsResponse(shape: ResponseShape, line: string): boolean {
  if (line.startsWith('ERROR:')) return true;
  return shape === 'single' ? line.startsWith('SUCCESS:') : line === 'END';
}

export type OpenVpnServerClient = {
  commonName: string;
  /** HOST:PORT the client connects from. */
  realAddress: string;
  virtualAddress: string | null;
  bytesIn: number;
  bytesOut: number;
  /** Unix seconds. */
  connectedSince: number;
  clientId: number | null;
};

/** The CLIENT_LIST rows of `status 3` (tab-separated, with HEADER rows naming the columns). */
export function parseStatus3(lines: string[]): OpenVpnServerClient[] {
  let header: string[] | null = null;
  const clients: OpenVpnServerClient[] = [];
  for (const line of lines) {
    const fields = line.split('\t');
    if (fields[0] === 'HEADER' && fields[1] === 'CLIENT_LIST') header = fields.slice(2);
    if (fields[0] !== 'CLIENT_LIST' || header === null) continue;
    const row = new Map(header.map((name, index) => [name, fields[index + 1] ?? '']));
    const number = (name: string): number => counter(row.get(name) ?? '') ?? 0;
    clients.push({
      commonName: row.get('Common Name') ?? '',
      realAddress: row.get('Real Address') ?? '',
      virtualAddress: row.get('Virtual Address') || null,
      bytesIn: number('Bytes Received'),
      bytesOut: number('Bytes Sent'),
      connectedSince: number('Connected Since (time_t)'),
      clientId: counter(row.get('Client ID') ?? ''),
    });
  }
  return clients;
}

function counter(text: string): number | null {
  if (!/^\d{1,16}$/.test(text.trim())) return null;
  const value = Number(text.trim());
  return Number.isSafeInteger(value) ? value : null;
}
