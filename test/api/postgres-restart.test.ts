import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';

let postgres: TestPostgres | undefined;
after(async () => postgres?.stop());

describe('control plane on PostgreSQL', () => {
  it('survives PostgreSQL ending its connections (a restart): no uncaught pool error, the next request works', async () => {
    postgres = await startTestPostgres();
    const url = await createDatabase(postgres.url, `plantgate_restart_${process.pid}`);
    const server = await startTestServer({ database: url });
    try {
      const token = await login(server.url, OPERATOR.email, OPERATOR.password);
      const uncaught: unknown[] = [];
      const onUncaught = (error: unknown) => uncaught.push(error);
      process.on('uncaughtException', onUncaught);
      try {
        // What a PostgreSQL restart does to every session: "terminating connection due to administrator command".
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
        await admin.end();
        await new Promise((resolve) => setTimeout(resolve, 300));
        let status = 0;
        for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
          status = (await http(server.url, token).get('/api/v1/vpn/routes')).status;
          if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
        }
        assert.equal(status, 200, 'the API answers again after the connections were ended');
        assert.deepEqual(uncaught, [], 'no uncaught error from the pool');
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    } finally {
      await server.close();
    }
  });
});
