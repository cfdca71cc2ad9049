import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type Server as TcpServer, type Socket, createServer, isIPv6 } from 'node:net';
import { serviceAnswer } from '../../../core/regions/region-health.ts';
import type { AppContext } from '../../context.ts';
import { type AddressSource, type ZoneConfig, answerQuery, zoneName } from './dns-answer.ts';
import { RegionDirectory, clientPlace } from './health.ts';

/**
 * `plantgate server --service-name FQDN --dns-listen ADDR:PORT`: every control-plane
 * replica answers the service name's zone over UDP and TCP (docs/regions.md).
 */

export type DnsOptions = { serviceName: string; listen: string; nameservers?: string[] };
export type RunningDns = { udpPort: number; tcpPort: number; close(): Promise<void> };

/** Largest TCP message (RFC 1035 length prefix) and how long an idle TCP client may stay. */
const TCP_MAX = 65_535;
const TCP_IDLE_MS = 10_000;

export async function startDnsResponder(ctx: AppContext, options: DnsOptions, onError: (error: unknown) => void): Promise<RunningDns> {
  const zone: ZoneConfig = { name: zoneName(options.serviceName), nameservers: options.nameservers?.length ? options.nameservers : [`ns.${zoneName(options.serviceName)}`] };
  const addresses = serviceAddresses(ctx);
  // The serial moves once a minute: resolvers that compare serials see a live zone.
  const serial = () => Math.floor(ctx.now().getTime() / 60_000) % 2 ** 32;
  const { host, port } = parseDnsListen(options.listen);
  const udp = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  udp.on('message', (message, remote) => {
    answerQuery(zone, message, remote.address, addresses, serial()).then(
      (reply) => {
        if (reply) udp.send(truncateForUdp(reply), remote.port, remote.address);
      },
      onError,
    );
  });
  udp.on('error', onError);
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const tcp = createServer((socket) => serveTcp(socket, zone, addresses, serial, onError));
  tcp.on('error', onError);
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port === 0 ? udp.address().port : port, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  return {
    udpPort: udp.address().port,
    tcpPort: (tcp.address() as { port: number }).port,
    close: () => closeBoth(udp, tcp),
  };
}

/** The product's answer for a client address: healthy regions, nearest first. */
export function serviceAddresses(ctx: AppContext, directory = new RegionDirectory(ctx)): AddressSource {
  return async (client) => serviceAnswer(await directory.candidates(), clientPlace(client), ctx.now().getTime()).addresses;
}

export function parseDnsListen(listen: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) throw new Error(`--dns-listen: "${listen}" is not ADDR:PORT (e.g. 0.0.0.0:53)`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

/** A UDP answer over 512 bytes without EDNS would be cut; the resolver then retries over TCP (TC bit). */
function truncateForUdp(reply: Buffer): Buffer {
  if (reply.length <= 1232) return reply;
  const header = Buffer.from(reply.subarray(0, 12));
  header.writeUInt16BE(header.readUInt16BE(2) | 0x0200, 2);
  header.writeUInt16BE(0, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(0, 10);
  header.writeUInt16BE(0, 4);
  return header;
}

function serveTcp(socket: Socket, zone: ZoneConfig, addresses: AddressSource, serial: () => number, onError: (error: unknown) => void): void {
  let buffered = Buffer.alloc(0);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length > TCP_MAX + 2) return socket.destroy();
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) break;
      const message = buffered.subarray(2, 2 + length);
      buffered = buffered.subarray(2 + length);
      answerQuery(zone, Buffer.from(message), socket.remoteAddress ?? '', addresses, serial()).then((reply) => {
        if (!reply || socket.destroyed) return;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length, 0);
        socket.write(Buffer.concat([prefix, reply]));
      }, onError);
    }
  });
}

async function closeBoth(udp: UdpSocket, tcp: TcpServer): Promise<void> {
  await new Promise<void>((resolve) => udp.close(() => resolve()));
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
}
