import { auditStreamingSuite } from './audit-streaming-suite.ts';

auditStreamingSuite('SQLite', async () => undefined);
