import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { orgVpnSuite } from './org-vpn-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

orgVpnSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_org_vpn_${process.pid}`);
});
