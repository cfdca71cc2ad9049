import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { apiSuite } from './api-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

apiSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_api_${process.pid}`);
});
