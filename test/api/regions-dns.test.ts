import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';

/**
 * Issue 11 item 1 (SPEC P8): the control plane's own DNS responder for the service name,
 * asked by a real resolver library (c-ares, node:dns) over UDP and by a raw TCP client;
 * regions' health from their gateways' reports, drain, and the health endpoint for GSLBs.
 * Addresses are only data in answers here: nothing is sent to them.
 */

const NAME = 'vpn.example.test';
const EU_GW = '194.25.0.1'; // DE in the geo-IP database
const US_GW = '12.0.0.1'; // US

describe('regions: DNS responder, health and drain (issue 11 item 1)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let op: ReturnType<typeof http>;
  let resolver: Resolver;
  const gateways: Record<string, { id: string; client: ReturnType<typeof http> }> = {};
  const realNow = () => new Date();
  let offsetMs = 0;

  before(async () => {
    server = await startTestServer({ serviceName: NAME, dnsListen: '127.0.0.1:0' });
    server.ctx.now = () => new Date(realNow().getTime() + offsetMs);
    op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    for (const [region, address] of [['eu-central', EU_GW], ['us-east', US_GW]] as const) {
      assert.equal((await op.post('/api/v1/admin/regions', { name: region, endpoint: `${address}:51820` })).status, 201);
      const token = (await op.post('/api/v1/admin/gateways/enrolments', { region })).body.token;
      const enrolled = (await http(server.url).post('/api/v1/enrol', { token })).body;
      const client = http(server.url, enrolled.credential);
      const registered = await client.post(`/api/v1/gateways/${enrolled.id}/register`, { sitePublicKey: generateWireGuardKeyPair().publicKey, siteEndpoint: `${address}:51821` });
      assert.equal(registered.status, 200);
      gateways[region] = { id: enrolled.id, client };
    }
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.dns?.udpPort}`]);
  });
  after(async () => server?.close());

  const report = (region: string) => gateways[region]?.client.post(`/api/v1/gateways/${gateways[region]?.id}/status`, { appliedRevision: 0, version: 't', peers: [], lastError: null });
  /** The responder reads regions at most once a second. */
  const later = (ms: number) => {
    offsetMs += ms;
  };

  it('P8: a real resolver gets both healthy regions for the service name, with a 20 s TTL', async () => {
    const answer = await resolver.resolve4(NAME, { ttl: true });
    assert.deepEqual(answer.map((a) => a.address).sort(), [US_GW, EU_GW].sort());
    for (const a of answer) assert.equal(a.ttl, 20);
  });

  it('P8: nearest first by EDNS client subnet: a German client gets eu-central first, a US client us-east, a British one (same continent) eu-central', async () => {
    assert.deepEqual(await udpA(server.dns?.udpPort as number, NAME, '217.0.0.0'), [EU_GW, US_GW]);
    assert.deepEqual(await udpA(server.dns?.udpPort as number, NAME, '3.5.0.0'), [US_GW, EU_GW]);
    assert.deepEqual(await udpA(server.dns?.udpPort as number, NAME, '80.0.0.0'), [EU_GW, US_GW]);
  });

  it('answers over TCP too, and echoes the client subnet with its scope', async () => {
    const reply = await tcpQuery(server.dns?.tcpPort as number, NAME, 'A', '3.5.0.0');
    assert.equal(reply.rcode, 'NOERROR');
    assert.equal(reply.flag_aa, true, 'authoritative');
    assert.deepEqual(reply.answers?.map((a) => a.data), [US_GW, EU_GW]);
    const opt = reply.additionals?.find((r) => r.type === 'OPT');
    assert.equal(opt?.options?.find((o) => o.code === 8)?.scopePrefixLength, 24);
  });

  it('SOA and NS for the zone; NXDOMAIN below it; REFUSED outside it; AAAA with no IPv6 gateway is an empty NOERROR', async () => {
    const soa = await tcpQuery(server.dns?.tcpPort as number, NAME, 'SOA');
    assert.equal(soa.answers?.[0]?.type, 'SOA');
    const ns = await tcpQuery(server.dns?.tcpPort as number, NAME, 'NS');
    assert.deepEqual(ns.answers?.map((a) => a.data), [`ns.${NAME}`]);
    const below = await tcpQuery(server.dns?.tcpPort as number, `www.${NAME}`, 'A');
    assert.equal(below.rcode, 'NXDOMAIN');
    assert.equal(below.authorities?.[0]?.type, 'SOA');
    const outside = await tcpQuery(server.dns?.tcpPort as number, 'example.org', 'A');
    assert.equal(outside.rcode, 'REFUSED');
    const aaaa = await tcpQuery(server.dns?.tcpPort as number, NAME, 'AAAA');
    assert.equal(aaaa.rcode, 'NOERROR');
    assert.equal(aaaa.answers?.length, 0);
    await assert.rejects(resolver.resolve4(`www.${NAME}`), { code: 'ENOTFOUND' });
  });

  it('P8: a region whose gateways stop reporting (> 20 s) leaves the answer, its health check turns 503; it comes back with its next report', async () => {
    later(25_000);
    await report('us-east');
    assert.deepEqual(await udpA(server.dns?.udpPort as number, NAME, '217.0.0.0'), [US_GW], 'only us-east, even for a German client');
    const sick = await http(server.url).get('/api/v1/regions/eu-central/health');
    assert.equal(sick.status, 503);
    assert.match(sick.body.error.message, /none of its 1 gateway\(s\) reported/);
    const fine = await http(server.url).get('/api/v1/regions/us-east/health');
    assert.equal(fine.status, 200);
    assert.deepEqual(fine.body, { region: 'us-east', healthy: true, drained: false, liveGateways: 1, gateways: 1 });
    await report('eu-central');
    later(1_100);
    assert.deepEqual(await udpA(server.dns?.udpPort as number, NAME, '217.0.0.0'), [EU_GW, US_GW]);
  });

  it('drain: a drained region is not answered while another healthy one exists, shows in the listing and fails its health check; undrain restores it', async () => {
    const drained = await op.post('/api/v1/admin/regions/eu-central/drain');
    assert.equal(drained.status, 200);
    assert.ok(drained.body.drainedAt);
    later(1_100);
    assert.deepEqual(await udpA(server.dns?.udpPort as number, NAME, '217.0.0.0'), [US_GW]);
    assert.equal((await http(server.url).get('/api/v1/regions/eu-central/health')).status, 503);
    const listed = (await op.get('/api/v1/admin/regions')).body as Array<{ name: string; drainedAt: string | null; healthy: boolean }>;
    assert.deepEqual(listed.map((r) => [r.name, r.drainedAt !== null, r.healthy]), [['eu-central', true, true], ['us-east', false, true]]);
    // The only healthy region left is the drained one: it is answered rather than nothing.
    later(25_000);
    await report('eu-central');
    later(1_100);
    assert.deepEqual(await udpA(server.dns?.udpPort as number, NAME, '3.5.0.0'), [EU_GW]);
    assert.equal((await op.post('/api/v1/admin/regions/eu-central/undrain')).body.drainedAt, null);
    assert.equal((await op.post('/api/v1/admin/regions/no-such/drain')).status, 404);
  });

  it('issued profiles dial <service-name>:<port> whatever region, and the port is the regions\u2019 user port', async () => {
    const token = await login(server.url, OPERATOR.email, OPERATOR.password);
    const me = http(server.url, token);
    const issued = await me.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey });
    assert.equal(issued.status, 201);
    assert.equal(issued.body.serviceEndpoint, `${NAME}:51820`);
  });
});

function query(name: string, type: 'A' | 'AAAA' | 'SOA' | 'NS', subnet?: string): dnsPacket.Packet {
  return {
    type: 'query',
    id: Math.floor(Math.random() * 65535),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: subnet
      ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: subnet }] } as unknown as dnsPacket.Answer]
      : [],
  };
}

async function udpA(port: number, name: string, subnet: string): Promise<string[]> {
  const socket = createSocket('udp4');
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no DNS answer within 2 s')), 2000);
      socket.once('message', (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      socket.send(dnsPacket.encode(query(name, 'A', subnet)), port, '127.0.0.1');
    });
    const packet = dnsPacket.decode(reply);
    return ((packet.answers ?? []) as Record_[]).map((a) => a.data as string);
  } finally {
    socket.close();
  }
}

type Record_ = { type: string; data?: unknown; options?: Array<{ code: number; scopePrefixLength: number }> };
type Reply = { rcode: string; flag_aa: boolean; answers?: Record_[]; authorities?: Record_[]; additionals?: Record_[] };

async function tcpQuery(port: number, name: string, type: 'A' | 'AAAA' | 'SOA' | 'NS', subnet?: string): Promise<Reply> {
  const socket = connect(port, '127.0.0.1');
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no TCP DNS answer within 2 s')), 2000);
      let buffered = Buffer.alloc(0);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          clearTimeout(timer);
          resolve(dnsPacket.streamDecode(buffered) as unknown as Reply);
        }
      });
      socket.write(dnsPacket.streamEncode(query(name, type, subnet)));
    });
  } finally {
    socket.destroy();
  }
}
