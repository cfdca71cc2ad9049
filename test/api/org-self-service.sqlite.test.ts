import { orgSelfServiceSuite } from './org-self-service-suite.ts';

orgSelfServiceSuite('SQLite', async () => undefined);
