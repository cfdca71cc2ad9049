import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { orgSelfServiceSuite } from './org-self-service-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

orgSelfServiceSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_org_${process.pid}`);
});
