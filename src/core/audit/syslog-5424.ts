/**
 * RFC 5424 syslog messages and RFC 6587 octet-counting framing, for streaming the audit
 * trail to a SIEM (issue 10 item 5). Pure. The npm syslog clients (syslog-client and
 * relatives) own their sockets and frame with a trailing newline, which gives no
 * per-message acknowledgement and breaks on a newline inside a message; the SIEM streamer
 * needs only the bytes, so this small formatter (table tests beside it) writes them.
 */

export type SyslogMessage = {
  /** 0–23 (16 = local0). */
  facility: number;
  /** 0–7 (6 = informational). */
  severity: number;
  /** The event's time; written as RFC 3339 UTC with milliseconds. */
  timestamp: Date;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  /** SD-ELEMENTs: id (`name@enterprise`) → parameters. */
  structuredData: ReadonlyArray<{ id: string; params: ReadonlyArray<readonly [string, string]> }>;
  /** The message text (here one JSON line); written as MSG-ANY, so keep it ASCII (`asciiJson`). */
  message: string;
};

/** Header field limits of RFC 5424 section 6 (PRINTUSASCII, no space). */
const LIMITS = { hostname: 255, appName: 48, procId: 128, msgId: 32, sdName: 32 } as const;

/** `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`; a header value outside the grammar is an error naming it. */
export function formatSyslog5424(m: SyslogMessage): string {
  if (!Number.isInteger(m.facility) || m.facility < 0 || m.facility > 23) throw new Error(`facility: must be 0–23, not ${m.facility}`);
  if (!Number.isInteger(m.severity) || m.severity < 0 || m.severity > 7) throw new Error(`severity: must be 0–7, not ${m.severity}`);
  const header = [
    `<${m.facility * 8 + m.severity}>1`,
    m.timestamp.toISOString(),
    headerField('hostname', m.hostname, LIMITS.hostname),
    headerField('appName', m.appName, LIMITS.appName),
    headerField('procId', m.procId, LIMITS.procId),
    headerField('msgId', m.msgId, LIMITS.msgId),
  ].join(' ');
  const sd = m.structuredData.length === 0 ? '-' : m.structuredData.map(sdElement).join('');
  return m.message === '' ? `${header} ${sd}` : `${header} ${sd} ${m.message}`;
}

/** RFC 6587 section 3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/** JSON with every non-ASCII character escaped: valid MSG-ANY for any receiver, and still the same JSON value. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function headerField(name: string, value: string | null, max: number): string {
  if (value === null || value === '') return '-';
  if (value.length > max) throw new Error(`${name}: must be at most ${max} characters`);
  if (!/^[\x21-\x7e]+$/.test(value)) throw new Error(`${name}: must be printable ASCII without spaces`);
  return value;
}

function sdElement(e: { id: string; params: ReadonlyArray<readonly [string, string]> }): string {
  return `[${sdName('structuredData id', e.id)}${e.params.map(([k, v]) => ` ${sdName('structuredData param', k)}="${sdValue(v)}"`).join('')}]`;
}

/** SD-NAME: printable ASCII except `= ] "` and space, at most 32. */
function sdName(what: string, name: string): string {
  if (name.length === 0 || name.length > LIMITS.sdName || !/^[\x21-\x7e]+$/.test(name) || /[=\]"]/.test(name)) {
    throw new Error(`${what} "${name}": must be 1–32 printable ASCII characters without = ] " or space`);
  }
  return name;
}

/** PARAM-VALUE: `"`, `\` and `]` escaped with a backslash (RFC 5424 section 6.3.3). */
function sdValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}
