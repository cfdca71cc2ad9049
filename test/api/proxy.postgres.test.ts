import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { proxySuite } from './proxy-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

proxySuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_proxy_${process.pid}`);
});
