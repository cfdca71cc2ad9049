import { proxyOffSuite, proxySuite } from './proxy-suite.ts';

proxySuite('SQLite', async () => undefined);
proxyOffSuite();
