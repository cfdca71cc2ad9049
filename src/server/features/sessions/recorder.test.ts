import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../db/connect.ts';
import { SessionRecorder } from './recorder.ts';

/** P7 storage: sessions are written in batches in the status flush, and survive a control-plane restart. */
describe('SessionRecorder on a real SQLite store', async () => {
  const store = await openStore('sqlite::memory:');
  after(() => store.close());
  const PEERS = 250;
  const T = 1_800_000_000;
  const keys = Array.from({ length: PEERS }, (_, i) => `key-${i}`);
  await store.db
    .insertInto('users')
    .values({ id: 'u1', email: 'u1@example.test', name: 'U1', password_hash: null, platform_operator: 0, totp_secret: null, totp_last_step: null, created_at: '2026-01-01T00:00:00Z', disabled_at: null })
    .execute();
  await store.db
    .insertInto('profiles')
    .values(
      keys.map((k, i) => ({
        id: `p${i}`,
        user_id: 'u1',
        kind: 'wireguard',
        public_key: k,
        tunnel_ip: `100.64.1.${i}`,
        tunnel_ip_num: 1000 + i,
        status: 'revoked' as const,
        created_at: '2026-01-01T00:00:00Z',
        rotated_at: null,
        revoked_at: null,
      })),
    )
    .execute();
  await store.db
    .insertInto('daemons')
    .values({
      id: 'g1',
      kind: 'gateway',
      name: 'gw-1',
      region_id: null,
      plant_id: null,
      credential_id: 'c-g1',
      credential_hash: 'h',
      public_key: null,
      endpoint: null,
      tunnel_ip: '100.64.0.2',
      tunnel_ip_num: 2,
      enrolled_at: '2026-01-01T00:00:00Z',
      last_seen_at: null,
      status: null,
    })
    .execute();
  const peers = (handshake: number, bytes: number) => keys.map((publicKey) => ({ publicKey, endpoint: '192.0.2.1:5000', latestHandshake: handshake, rxBytes: bytes, txBytes: bytes }));
  const queries = async (recorder: SessionRecorder) => {
    const before = store.queryCount();
    await recorder.flush();
    return store.queryCount() - before;
  };

  it('no write per report: three reports of 250 peers are one flush of batched upserts; an unchanged report writes nothing', async () => {
    const recorder = new SessionRecorder(store.db);
    for (const at of [T, T + 5, T + 10]) recorder.observe('g1', peers(T - 1, at - T + 100), at);
    // gateway names, open sessions and newest per peer (profiles' and organization VPN clients'), profile owners (first sight of the gateway), 2 upserts of ≤200 rows
    assert.equal(await queries(recorder), 8);
    for (const at of [T + 15, T + 20, T + 25]) recorder.observe('g1', peers(T - 1, at - T + 100), at);
    assert.equal(await queries(recorder), 3, 'gateway names + 2 upserts, however many reports');
    recorder.observe('g1', peers(T - 1, 125), T + 30);
    assert.equal(await queries(recorder), 1, 'nothing changed: only the gateway names are read');
    const rows = await store.db.selectFrom('vpn_sessions').select(['bytes_in', 'ended_at']).execute();
    assert.equal(rows.length, PEERS);
    assert.ok(rows.every((r) => r.bytes_in === 125 && r.ended_at === null));
  });

  it('a restarted control plane continues the open sessions from the table: no duplicate, bytes keep adding up', async () => {
    const restarted = new SessionRecorder(store.db);
    restarted.observe('g1', peers(T + 100, 200), T + 105);
    await restarted.flush();
    const rows = await store.db.selectFrom('vpn_sessions').select(['bytes_in', 'started_at', 'last_handshake_at']).execute();
    assert.equal(rows.length, PEERS);
    assert.ok(rows.every((r) => r.bytes_in === 200 && r.started_at === T - 1 && r.last_handshake_at === T + 100), JSON.stringify(rows[0]));
  });
});
