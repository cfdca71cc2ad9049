import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type TestPostgres, createDatabase, startTestPostgres } from '../../../test/support/postgres.ts';
import { copyFrom, copyValue } from './pg-copy.ts';

describe('copyFrom against a real PostgreSQL', () => {
  let server: TestPostgres;
  let pool: pg.Pool;
  before(async () => {
    server = await startTestPostgres();
    pool = new pg.Pool({ connectionString: await createDatabase(server.url, `plantgate_pg_copy_${process.pid}`), max: 2 });
    pool.on('error', () => undefined);
    await pool.query('create table t (id integer primary key, note text)');
  });
  after(async () => {
    await pool.end();
    await server.stop();
  });

  it('appends the rows exactly, escapes included, and says how many', async () => {
    const client = await pool.connect();
    try {
      const notes = ['tab\there', 'new\nline', 'back\\slash', 'carriage\rreturn', null, 'Süd'];
      const text = notes.map((n, k) => `${k + 1}\t${copyValue(n)}\n`).join('');
      assert.equal(await copyFrom(client, 'copy t (id, note) from stdin', text), notes.length);
      const rows = await client.query('select note from t order by id');
      assert.deepEqual(rows.rows.map((r) => r.note), notes);
    } finally {
      client.release();
    }
  });

  it('rejects on a unique violation (it used to wait forever) and leaves the client usable', async () => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await assert.rejects(copyFrom(client, 'copy t (id, note) from stdin', '100\tfresh\n1\tduplicate\n'), (error: { code?: string }) => error.code === '23505');
      await client.query('rollback');
      const count = await client.query('select count(*)::int as n from t where id = 100');
      assert.equal(count.rows[0].n, 0, 'nothing of the refused copy is stored');
    } finally {
      client.release();
    }
  });
});
