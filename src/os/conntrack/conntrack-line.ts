/**
 * Pure parser of the lines `conntrack -E -o timestamp,extended,id` (events) and
 * `conntrack -L -o extended,id` (the open-flow table) print. With
 * net.netfilter.nf_conntrack_acct=1 the kernel adds packets=/bytes= to each direction:
 * a DESTROY event and every listed entry carry the counters, NEW and UPDATE do not.
 * The first tuple is the original direction (who opened it), the second the reply.
 */

export type ConntrackEventType = 'new' | 'update' | 'destroy' | 'list';

export type ConntrackCounters = { packets: number; bytes: number };

export type ConntrackEvent = {
  type: ConntrackEventType;
  /** Kernel event time in ms since the epoch (`-o timestamp`); null for listed entries. */
  at: number | null;
  /** The conntrack entry id (`-o id`): unique among live entries of a namespace. */
  id: number;
  protocol: string;
  src: string;
  dst: string;
  /** tcp/udp/sctp/dccp ports of the original direction; null for icmp and others. */
  sport: number | null;
  dport: number | null;
  zone: number;
  /** Counters of the original (opener → peer) and reply directions; null without accounting. */
  orig: ConntrackCounters | null;
  reply: ConntrackCounters | null;
};

const TYPES: Record<string, ConntrackEventType> = { NEW: 'new', UPDATE: 'update', DESTROY: 'destroy' };
const LINE = /^(?:\[(\d+)\.(\d{1,9})\]\s+)?(?:\[(NEW|UPDATE|DESTROY)\]\s+)?ipv4\s+2\s+([a-z0-9-]+)\s+\d+\s+(.*)$/;

/**
 * One line → an event; null for lines that are no flow (the "NOTICE:" and summary lines,
 * IPv6, which plantgate's tunnels do not carry). A flow line it cannot read throws an
 * Error naming what is missing, so a format change is noticed, not silently dropped.
 */
export function parseConntrackLine(line: string): ConntrackEvent | null {
  const match = LINE.exec(line.trim());
  if (match === null) return null;
  const [, seconds, fraction, kind, protocol, rest] = match;
  const at = seconds === undefined ? null : Number(seconds) * 1000 + Math.floor(Number(`0.${fraction}`) * 1000);
  const tuples: Array<Map<string, string>> = [new Map()];
  // The entry id is the last id= of the line (an icmp tuple has its own id= before it).
  let id: number | null = null;
  let zone = 0;
  for (const word of rest.split(/\s+/)) {
    const eq = word.indexOf('=');
    if (eq <= 0) continue; // state names, timeouts, [ASSURED], [UNREPLIED]
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    if (key === 'id') id = Number(value);
    if (key === 'zone') zone = Number(value);
    if (key === 'src' && tuples[tuples.length - 1].has('src')) tuples.push(new Map());
    const current = tuples[tuples.length - 1];
    if (!current.has(key)) current.set(key, value);
  }
  const [orig, reply] = tuples;
  const src = orig.get('src');
  const dst = orig.get('dst');
  if (src === undefined || dst === undefined) throw new Error(`conntrack line without src/dst: ${line}`);
  if (reply === undefined) throw new Error(`conntrack line without a reply tuple: ${line}`);
  if (id === null || !Number.isSafeInteger(id)) throw new Error(`conntrack line without an entry id (-o id): ${line}`);
  return {
    type: kind === undefined ? 'list' : TYPES[kind],
    at,
    id,
    protocol,
    src,
    dst,
    sport: port(orig.get('sport')),
    dport: port(orig.get('dport')),
    zone,
    orig: counters(orig),
    reply: counters(reply),
  };
}

function port(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

function counters(tuple: Map<string, string>): ConntrackCounters | null {
  const packets = tuple.get('packets');
  const bytes = tuple.get('bytes');
  return packets === undefined || bytes === undefined ? null : { packets: Number(packets), bytes: Number(bytes) };
}

/** conntrack's warning on stderr when the netlink socket overflowed: events were lost. */
export function isLostEventsLine(line: string): boolean {
  return /ENOBUFS|No buffer space available/.test(line);
}
