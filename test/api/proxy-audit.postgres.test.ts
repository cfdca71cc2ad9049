import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { proxyAuditSuite } from './proxy-audit-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

proxyAuditSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_proxy_audit_${process.pid}`);
});
