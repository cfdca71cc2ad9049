import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { auditStreamingSuite } from './audit-streaming-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

auditStreamingSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_siem_${process.pid}`);
});
