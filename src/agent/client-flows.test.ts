import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowBatch } from '../core/wire/audit.ts';
import type { AgentDesiredState, AgentDirectVpn } from '../core/wire/daemon.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { ControlPlaneError } from '../daemon/control-plane.ts';
import { DaemonMetrics } from '../daemon/daemon-metrics.ts';
import { MemorySpoolFiles } from '../daemon/flow-spool.ts';
import { memoryLogger } from '../daemon/log.ts';
import { MemoryStateStore } from '../daemon/state-store.ts';
import { FakeClock, settle } from '../daemon/testing/fake-clock.ts';
import { FakeControlPlane } from '../daemon/testing/fake-control-plane.ts';
import { FakeConntrackSource } from '../os/conntrack/fake-conntrack-source.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { hostedTunnelNetworks } from './client-flows.ts';
import { startAgentDaemon } from './daemon.ts';

const TOKEN = 'pge_agent-once';
const GW = generateWireGuardKeyPair().publicKey;
const hosted: AgentDirectVpn = {
  id: 'dv-h',
  name: 'Hosted C',
  protocol: 'wireguard',
  direction: 'hosted',
  restartGeneration: 0,
  privateKey: generateWireGuardKeyPair().privateKey,
  addresses: ['100.96.0.1/24'],
  listenPort: 51820,
  mtu: null,
  peers: [
    { publicKey: generateWireGuardKeyPair().publicKey, presharedKey: null, endpoint: null, allowedIps: ['10.40.0.0/24', '100.96.0.2/32'], persistentKeepalive: null },
    { publicKey: generateWireGuardKeyPair().publicKey, presharedKey: null, endpoint: null, allowedIps: ['100.96.0.3/32'], persistentKeepalive: null },
  ],
  subnets: ['10.40.0.0/24'],
};
const state: AgentDesiredState = {
  revision: 1,
  agent: { id: 'ag-1', name: 'agent-a', plantId: 'p-a', plantName: 'Solarpark A', tunnelIp: '100.64.1.1' },
  directVpns: [hosted],
  discoveries: [],
  translations: [{ mapped: '100.80.1.0/24', real: '192.168.1.0/24' }],
  gateways: [{ id: 'g1', name: 'eu-1', region: 'eu-central', publicKey: GW, endpoint: '198.51.100.1:51821', siteTunnelIp: '100.64.0.9' }],
};

async function agentWithCapture(upload: (batch: FlowBatch) => Promise<void>) {
  const clock = new FakeClock();
  const cp = new FakeControlPlane<AgentDesiredState>(clock, state, { kind: 'agent', id: 'ag-1', name: 'agent-a', credential: 'pgd_agent', region: null, plantId: 'p-a' }, TOKEN);
  cp.registerAnswer = { tunnelIp: '100.64.1.1' };
  const conntrack = new FakeConntrackSource();
  const spool = new MemorySpoolFiles();
  const metrics = new DaemonMetrics('agent', clock);
  const daemon = await startAgentDaemon(
    { token: TOKEN, ifaces: { tunnel: 'pga0', lan: 'lan0' }, table: 'plantgate', keepOnExit: false, version: 'test', loop: { waitSeconds: 25, reconcileMs: 30_000, statusMs: 10_000 }, flows: { reportMs: 3_600_000 } },
    {
      enrolment: cp,
      controlPlane: () => ({
        register: (r) => cp.register(r),
        state: (r) => cp.fetchState(r),
        status: (r) => cp.status(r),
        flows: async (batch) => {
          await upload(batch);
          return { batchId: batch.batchId, duplicate: false, stored: batch.records.length, alreadyStored: 0, unattributed: 0, gaps: batch.gaps.length };
        },
      }),
      store: new MemoryStateStore(),
      wireguard: new FakeWireGuardDriver(),
      nft: new FakeNftDriver(),
      ip: new FakeIpConfigDriver(),
      clock,
      log: memoryLogger(),
      metrics,
      conntrack,
      flowSpool: spool,
    },
  );
  await settle();
  return { clock, conntrack, spool, metrics, daemon };
}

const tcp = { protocol: 'tcp', zone: 0, orig: { packets: 3, bytes: 300 }, reply: { packets: 4, bytes: 5000 } };

describe('agent: flows of hosted direct VPN clients (issue 10 item 2)', () => {
  it('the hosted servers\u2019 tunnel networks are the capture\u2019s sources (WireGuard server address and OpenVPN network); outgoing VPNs add none', () => {
    const openvpn = { id: 'dv-o', direction: 'hosted', protocol: 'openvpn', network: '100.96.1.0/24' } as unknown as AgentDirectVpn;
    const outgoing = { ...hosted, id: 'dv-x', direction: 'outgoing', addresses: ['10.9.0.2/32'] } as AgentDirectVpn;
    assert.deepEqual(hostedTunnelNetworks({ ...state, directVpns: [hosted, openvpn, outgoing] }), ['100.96.0.0/24', '100.96.1.0/24']);
    assert.deepEqual(hostedTunnelNetworks(null), []);
  });

  it('a user client\u2019s TCP to a LAN device is delivered with its bytes; personal-VPN traffic through the agent (the gateway reports it) is not', async () => {
    const uploaded: FlowBatch[] = [];
    const { conntrack, spool, metrics, daemon } = await agentWithCapture(async (batch) => {
      uploaded.push(batch);
    });
    assert.equal(conntrack.started, true);
    conntrack.push({ ...tcp, type: 'destroy', at: Date.parse('2026-11-30T10:00:00Z'), id: 1, src: '100.96.0.3', dst: '10.40.0.10', sport: 40001, dport: 502 });
    conntrack.push({ ...tcp, type: 'destroy', at: Date.parse('2026-11-30T10:00:01Z'), id: 2, src: '100.64.0.2', dst: '192.168.1.10', sport: 40002, dport: 80 });
    await daemon.stop();
    const records = uploaded.flatMap((batch) => batch.records);
    assert.deepEqual(records.map((r) => [r.tunnelIp, r.destinationIp, r.protocol, r.port, r.connections, r.bytesOut, r.bytesIn]), [['100.96.0.3', '10.40.0.10', 'tcp', 502, 1, 300, 5000]]);
    assert.match(records[0]?.id ?? '', /^ag-1:/, 'record ids are the agent\u2019s own');
    assert.equal(spool.files.size, 0);
    assert.equal(await metrics.registry.value('plantgate_agent_client_flow_records_total'), 1);
  });

  it('A5: while the control plane is unreachable the batch and a lost-events gap stay in the spool for the next delivery, nothing dropped', async () => {
    let attempts = 0;
    const { clock, conntrack, spool, daemon } = await agentWithCapture(async () => {
      attempts++;
      throw new ControlPlaneError(0, 'connection refused');
    });
    conntrack.push({ ...tcp, type: 'destroy', at: clock.now(), id: 7, src: '100.96.0.3', dst: '10.40.0.10', sport: 40007, dport: 80 });
    conntrack.overflow({ from: clock.now(), to: clock.now() + 1000, reason: 'conntrack: 12 events lost (netlink buffer overrun)' });
    await daemon.stop();
    assert.ok(attempts >= 1, 'delivery was tried');
    assert.equal(spool.files.size, 1, 'the window is on disk');
    const [spooled] = [...spool.files.values()].map((text) => JSON.parse(text) as FlowBatch);
    assert.deepEqual(spooled?.records.map((r) => r.tunnelIp), ['100.96.0.3']);
    assert.match(spooled?.gaps[0]?.reason ?? '', /12 events lost/);
    assert.match(spooled?.gaps[0]?.id ?? '', /^ag-1\.gap\./);
  });
});
