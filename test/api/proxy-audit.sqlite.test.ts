import { proxyAuditSuite } from './proxy-audit-suite.ts';

proxyAuditSuite('SQLite', async () => undefined);
