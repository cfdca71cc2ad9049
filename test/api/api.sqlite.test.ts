import { apiSuite } from './api-suite.ts';

apiSuite('SQLite', async () => undefined);
