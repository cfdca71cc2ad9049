import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../db/connect.ts';
import { DaemonStatusBuffer } from './status-buffer.ts';

describe('DaemonStatusBuffer', async () => {
  const store = await openStore('sqlite::memory:');
  after(() => store.close());
  const daemon = (id: string) => ({
    id,
    kind: 'agent' as const,
    name: id,
    region_id: null,
    plant_id: null,
    credential_id: `c-${id}`,
    credential_hash: 'h',
    public_key: null,
    endpoint: null,
    tunnel_ip: `100.64.0.${id.length + 10}`,
    tunnel_ip_num: 1,
    enrolled_at: '2026-01-01T00:00:00Z',
    last_seen_at: null,
    status: null,
  });

  it('idle cost: status reports are kept in memory and written in one batched statement, the newest per daemon', async () => {
    await store.db
      .insertInto('daemons')
      .values([daemon('a'), daemon('bb')])
      .execute();
    const buffer = new DaemonStatusBuffer(store.db, 60_000);
    buffer.record('a', '{"n":1}', '2026-01-01T00:00:01Z');
    buffer.record('a', '{"n":2}', '2026-01-01T00:00:02Z');
    buffer.record('bb', '{"n":3}', '2026-01-01T00:00:03Z');
    assert.equal(buffer.latestOf('a')?.status, '{"n":2}', 'the listing sees the newest report before the flush');
    const before = store.queryCount();
    await buffer.close();
    assert.equal(store.queryCount() - before, 1, 'one statement for both daemons');
    const rows = await store.db.selectFrom('daemons').select(['id', 'status', 'last_seen_at']).orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { id: 'a', status: '{"n":2}', last_seen_at: '2026-01-01T00:00:02Z' },
        { id: 'bb', status: '{"n":3}', last_seen_at: '2026-01-01T00:00:03Z' },
      ],
    );
  });
});
