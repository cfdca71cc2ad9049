import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowBatch } from '../core/wire/audit.ts';
import type { GatewayDesiredState } from '../core/wire/gateway-state.ts';
import { generateWireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { DaemonMetrics } from '../daemon/daemon-metrics.ts';
import { memoryLogger } from '../daemon/log.ts';
import { MemoryStateStore } from '../daemon/state-store.ts';
import { FakeClock, settle } from '../daemon/testing/fake-clock.ts';
import { FakeControlPlane, gatewayStateAnswers } from '../daemon/testing/fake-control-plane.ts';
import { FakeConntrackSource } from '../os/conntrack/fake-conntrack-source.ts';
import { FakeIpConfigDriver } from '../os/ip/fake-ip-config-driver.ts';
import { FakeNftDriver } from '../os/nft/fake-nft-driver.ts';
import { FakeWireGuardDriver } from '../os/wireguard/fake-wireguard-driver.ts';
import { twoPlantsState } from './__fixtures__/desired-state.ts';
import { startGatewayDaemon } from './daemon.ts';
import { MemorySpoolFiles } from '../daemon/flow-spool.ts';

const service = generateWireGuardKeyPair();
const TOKEN = 'pge_enrol-once';
const initial: GatewayDesiredState = { ...twoPlantsState, revision: 1, servicePublicKey: service.publicKey };

describe('gateway daemon flow capture (issue 10, fake drivers)', () => {
  it("reports a user's flow in the tunnel range of its desired state through the ingest endpoint; the site agents' own traffic is not reported", async () => {
    const clock = new FakeClock();
    const cp = new FakeControlPlane<GatewayDesiredState>(clock, initial, { kind: 'gateway', id: 'gw-1', name: 'eu-central-1', credential: 'pgd_secret', region: 'eu-central', plantId: null }, TOKEN);
    cp.secretsValue = { servicePrivateKey: service.privateKey, servicePublicKey: service.publicKey };
    cp.registerAnswer = { siteTunnelIp: '100.64.0.9' };
    const conntrack = new FakeConntrackSource();
    const spool = new MemorySpoolFiles();
    const uploaded: FlowBatch[] = [];
    const metrics = new DaemonMetrics('gateway', clock);
    const daemon = await startGatewayDaemon(
      {
        token: TOKEN,
        siteEndpoint: '203.0.113.5:51821',
        userPort: 51820,
        sitePort: 51821,
        ifaces: { users: 'pgu0', sites: 'pgs0' },
        table: 'plantgate',
        keepOnExit: false,
        version: 'test',
        loop: { waitSeconds: 25, reconcileMs: 30_000, statusMs: 10_000 },
        flows: { reportMs: 3_600_000 },
      },
      {
        enrolment: cp,
        controlPlane: () => ({
          register: (r) => cp.register(r),
          secrets: () => cp.secrets(),
          state: gatewayStateAnswers(cp),
          status: (r) => cp.status(r),
          flows: async (batch) => {
            uploaded.push(batch);
            return { batchId: batch.batchId, duplicate: false, stored: batch.records.length, alreadyStored: 0, unattributed: 0, gaps: 0 };
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
    assert.equal(conntrack.started, true);
    const tcp = { protocol: 'tcp', zone: 0, orig: { packets: 3, bytes: 300 }, reply: { packets: 4, bytes: 5000 } };
    conntrack.push({ ...tcp, type: 'destroy', at: clock.now(), id: 1, src: '100.64.0.2', dst: '100.80.1.17', sport: 40001, dport: 80 });
    conntrack.push({ ...tcp, type: 'destroy', at: clock.now(), id: 2, src: '10.20.0.5', dst: '100.80.1.17', sport: 40002, dport: 80 });
    await daemon.stop();
    const records = uploaded.flatMap((batch) => batch.records);
    assert.deepEqual(records.map((r) => [r.tunnelIp, r.destinationIp, r.port, r.connections, r.bytesOut, r.bytesIn]), [['100.64.0.2', '100.80.1.17', 80, 1, 300, 5000]]);
    assert.equal(spool.files.size, 0, 'acknowledged batches are gone from the spool');
    assert.equal(conntrack.started, false);
    assert.equal(await metrics.registry.value('plantgate_gateway_flow_records_total'), 1, '/metrics counts the records spooled');
    assert.equal(await metrics.registry.value('plantgate_gateway_flow_gaps_total'), 0);
  });
});
