import { auditSuite } from './audit-suite.ts';

auditSuite('SQLite', async () => undefined);
