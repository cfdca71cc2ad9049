import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { httpGatewayControlPlane } from '../../src/daemon/http-control-plane.ts';
import { memoryLogger } from '../../src/daemon/log.ts';
import { FlowSpool, MemorySpoolFiles } from '../../src/daemon/flow-spool.ts';
import type { FlowBatch, FlowBatchAck } from '../../src/core/wire/audit.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

/**
 * SPEC A5 / issue 10 item 3 end to end on the control plane: the gateway's spool overflowing
 * while the control plane is unreachable is not silent — the gap batch the real FlowSpool
 * writes goes through the real ingest and shows in the plant's query `gaps` with the window
 * of the dropped records and how many; `audit verify` reports the recorded gaps beside the
 * verified chain. (A lost-conntrack-events gap: test/e2e/audit-flows.test.ts, on the real
 * gateway.)
 */
describe('capture gaps in the trail (issue 10 item 3, SPEC A5)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let alice: ReturnType<typeof http>;
  let spool: FlowSpool;
  let tunnelIp = '';
  let device = '';

  before(async () => {
    server = await startTestServer();
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await op.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: (await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' })).body.token });
    const carol = http(server.url, await login(server.url, 'carol@windserv.example', 'carol-password'));
    const profile = await carol.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey });
    tunnelIp = profile.body.profile.tunnelIp;
    const routes = (await carol.get('/api/v1/vpn/routes')).body as Array<{ plant: string; mapped: string }>;
    device = ((routes.find((r) => r.plant === 'Park A')?.mapped ?? '').split('/')[0] as string).replace(/\.\d+$/, '.17');
    alice = http(server.url, await login(server.url, 'alice@solarco.example', 'alice-password'));
    const api = httpGatewayControlPlane(server.url, enrolled.body.id, enrolled.body.credential);
    // The gateway's spool (in memory here; the directory variant is the same class), 3 batches at most.
    spool = new FlowSpool({
      daemonId: enrolled.body.id,
      files: new MemorySpoolFiles(),
      upload: api.flows as (b: FlowBatch) => Promise<FlowBatchAck>,
      now: Date.now,
      random: () => 0,
      log: memoryLogger(),
      maxBatches: 3,
    });
  });
  after(async () => server?.close());

  it('A5: a spool that overflowed while the control plane was unreachable shows as a gap in the plant\u2019s query, with the window and the count of lost records', async () => {
    const t0 = Date.parse('2026-11-30T08:00:00.000Z');
    // Six windows spooled without an upload (the control plane unreachable): the oldest are dropped.
    for (let w = 0; w < 6; w++) {
      const at = new Date(t0 + w * 60_000).toISOString();
      await spool.add(
        [0, 1].map((i) => ({ id: `w${w}-${i}`, tunnelIp, destinationIp: device, protocol: 'tcp', port: 502, connections: 1, bytesIn: 1, bytesOut: 1, firstSeen: at, lastSeen: at, session: null })),
        [],
      );
    }
    assert.equal(await spool.pending(), 3);
    await spool.drain();
    assert.equal(await spool.pending(), 0, 'everything left was delivered');
    const page = (await alice.get('/api/v1/audit/plants/Park%20A/records')).body as { records: Array<{ firstSeen: string }>; gaps: Array<{ from: string; to: string; reason: string }> };
    const gaps = page.gaps.filter((g) => /spool full/.test(g.reason));
    const lost = gaps.reduce((sum, g) => sum + Number(/: (\d+) flow records/.exec(g.reason)?.[1]), 0);
    assert.equal(page.records.length + lost, 12, `every record is either stored or counted in a gap: ${JSON.stringify(page.gaps)}`);
    assert.ok(lost > 0);
    assert.equal(gaps[0]?.from, '2026-11-30T08:00:00.000Z', 'the gap starts at the first dropped record');
    const firstKept = page.records.map((r) => r.firstSeen).sort()[0] as string;
    assert.ok((gaps.at(-1)?.to as string) < firstKept, 'and ends before the first record kept');
    // The window filter finds it: a query of that hour shows the gap.
    const hour = (await alice.get('/api/v1/audit/plants/Park%20A/records?from=2026-11-30T08:00:00Z&to=2026-11-30T08:01:30Z')).body as typeof page;
    assert.ok(hour.gaps.some((g) => /spool full/.test(g.reason)));
  });

  it('A5: audit verify says how many capture gaps are recorded beside the verified chain (a trail with gaps is not reported as complete)', async () => {
    const verdict = (await alice.get('/api/v1/audit/plants/Park%20A/verify')).body as { ok: boolean; records: number; gaps?: number };
    assert.equal(verdict.ok, true);
    assert.ok((verdict.gaps ?? 0) >= 1, JSON.stringify(verdict));
    assert.equal(verdict.records, 2, 'the chain holds the records that arrived; the gap says what did not');
  });
});
