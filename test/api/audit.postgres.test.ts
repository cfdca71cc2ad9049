import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { auditSuite } from './audit-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

auditSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_audit_${process.pid}`);
});
