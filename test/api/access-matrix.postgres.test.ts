import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { accessMatrix } from './access-matrix-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

accessMatrix('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_matrix_${process.pid}`);
});
