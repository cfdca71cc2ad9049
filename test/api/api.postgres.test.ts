import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { apiSuite } from './api-suite.ts';
import { fleetOpsSuite } from './fleet-ops-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

/** One throwaway cluster for the file; each suite gets its own database on it. */
async function cluster(): Promise<TestPostgres> {
  pg ??= await startTestPostgres();
  return pg;
}

apiSuite('PostgreSQL', async () => createDatabase((await cluster()).url, `plantgate_api_${process.pid}`));
fleetOpsSuite('PostgreSQL', async () => createDatabase((await cluster()).url, `plantgate_fleetops_${process.pid}`));
