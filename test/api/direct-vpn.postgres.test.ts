import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { directVpnSuite } from './direct-vpn-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

directVpnSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_dvpn_${process.pid}`);
});
