import { isIPv4, isIPv6 } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet, Question } from 'dns-packet';

/**
 * One DNS query → one response for the service name's zone (issue 11 item 1), on the
 * well-kept `dns-packet` codec (no wire parsing of our own). The zone is the service name
 * itself: A/AAAA at the apex are the healthy regions' gateways, SOA and NS describe the
 * zone, any other name inside it is NXDOMAIN, any name outside it REFUSED.
 */

export const SERVICE_TTL_SECONDS = 20;
/** SOA/NS change only with the configuration. */
const ZONE_TTL_SECONDS = 3600;

export type ZoneConfig = {
  /** The service name, lower case, without the trailing dot. */
  name: string;
  /** Names of the zone's nameservers (the control plane's hosts) as delegated in the parent zone. */
  nameservers: string[];
};

/** The addresses for a client; `client` is the EDNS client subnet's address when present, else the resolver's. */
export type AddressSource = (client: string | null) => Promise<string[]>;

const FLAG_RD = 1 << 8;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODE;

/** The response bytes for `query` from `resolver`; null when the bytes are not a DNS query worth answering. */
export async function answerQuery(zone: ZoneConfig, query: Buffer, resolver: string, addresses: AddressSource, serial: number): Promise<Buffer | null> {
  let packet: Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return formatError(query);
  }
  if (packet.type === 'response') return null;
  const question = packet.questions?.[0];
  const edns = (packet.additionals ?? []).find((r) => r.type === 'OPT');
  const subnet = clientSubnet(edns);
  const reply = (rcode: Rcode, answers: Answer[] = [], authorities: Answer[] = []): Buffer =>
    encodeReply(packet, rcode, answers, authorities, edns !== undefined, subnet);
  if (!question || (packet.questions?.length ?? 0) !== 1 || ((packet as { opcode?: string }).opcode ?? 'QUERY') !== 'QUERY') return reply('NOTIMP');
  if (question.class !== 'IN' && question.class !== undefined) return reply('REFUSED');
  const name = question.name.toLowerCase().replace(/\.$/, '');
  if (name !== zone.name && !name.endsWith(`.${zone.name}`)) return reply('REFUSED');
  const soa = soaRecord(zone, serial);
  if (name !== zone.name) return reply('NXDOMAIN', [], [soa]);
  switch (question.type as string) {
    case 'A':
    case 'AAAA': {
      const family = question.type === 'A' ? isIPv4 : isIPv6;
      const found = (await addresses(subnet?.ip ?? resolver)).filter((a) => family(a));
      const answers: Answer[] = found.map((data) => ({ type: question.type as 'A', name: question.name, ttl: SERVICE_TTL_SECONDS, class: 'IN', data }));
      return answers.length > 0 ? reply('NOERROR', answers) : reply('NOERROR', [], [soaRecord(zone, serial, SERVICE_TTL_SECONDS)]);
    }
    case 'SOA':
      return reply('NOERROR', [soa]);
    case 'NS':
      return reply('NOERROR', nsRecords(zone));
    case 'ANY':
      return reply('NOTIMP');
    default:
      return reply('NOERROR', [], [soa]);
  }
}

/** The name's own spelling for comparisons: lower case, no trailing dot. */
export function zoneName(serviceName: string): string {
  return serviceName.toLowerCase().replace(/\.$/, '');
}

function soaRecord(zone: ZoneConfig, serial: number, ttl = ZONE_TTL_SECONDS): Answer {
  return {
    type: 'SOA',
    name: zone.name,
    ttl,
    class: 'IN',
    data: {
      mname: zone.nameservers[0] ?? zone.name,
      rname: `hostmaster.${zone.name}`,
      serial,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      // Negative answers are cached no longer than the positive ones.
      minimum: SERVICE_TTL_SECONDS,
    },
  };
}

function nsRecords(zone: ZoneConfig): Answer[] {
  return zone.nameservers.map((ns) => ({ type: 'NS', name: zone.name, ttl: ZONE_TTL_SECONDS, class: 'IN', data: ns }));
}

type Subnet = { family: number; ip: string; sourcePrefixLength: number };

/** The EDNS client subnet option (RFC 7871), when the resolver sent one with an address. */
function clientSubnet(edns: Answer | undefined): Subnet | null {
  const options = (edns as { options?: Array<{ code: number; family?: number; ip?: string; sourcePrefixLength?: number }> } | undefined)?.options ?? [];
  const ecs = options.find((o) => o.code === 8);
  if (!ecs?.ip || ecs.family === undefined || !ecs.sourcePrefixLength) return null;
  return { family: ecs.family, ip: ecs.ip, sourcePrefixLength: ecs.sourcePrefixLength };
}

function encodeReply(query: Packet, rcode: Rcode, answers: Answer[], authorities: Answer[], withEdns: boolean, subnet: Subnet | null): Buffer {
  const additionals: Answer[] = [];
  if (withEdns) {
    // RFC 7871 §7.2.1: echo the subnet; the scope is what the answer depends on (the source prefix as given).
    const options = subnet ? [{ code: 8, family: subnet.family, sourcePrefixLength: subnet.sourcePrefixLength, scopePrefixLength: subnet.sourcePrefixLength, ip: subnet.ip }] : [];
    additionals.push({ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, options } as unknown as Answer);
  }
  const questions: Question[] = (query.questions ?? []).slice(0, 1);
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & FLAG_RD) | RCODE[rcode],
    questions,
    answers,
    authorities,
    additionals,
  });
}

/** FORMERR for bytes that carry at least a header's id; nothing for shorter junk. */
function formatError(query: Buffer): Buffer | null {
  if (query.length < 12) return null;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8000 | RCODE.FORMERR, 2);
  return header;
}
