import { apiSuite } from './api-suite.ts';
import { fleetOpsSuite } from './fleet-ops-suite.ts';

apiSuite('SQLite', async () => undefined);
fleetOpsSuite('SQLite', async () => undefined);
