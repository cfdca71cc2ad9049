import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { hostedDirectVpnSuite } from './direct-vpn-hosted-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

hostedDirectVpnSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_hosted_${process.pid}`);
});
