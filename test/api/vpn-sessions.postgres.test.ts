import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { vpnSessionsSuite } from './vpn-sessions-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

vpnSessionsSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_sessions_${process.pid}`);
});
