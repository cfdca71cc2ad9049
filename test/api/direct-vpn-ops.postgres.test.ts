import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { directVpnOpsSuite } from './direct-vpn-ops-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

directVpnOpsSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_dvops_${process.pid}`);
});
