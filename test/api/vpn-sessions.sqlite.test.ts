import { vpnSessionsSuite } from './vpn-sessions-suite.ts';

vpnSessionsSuite('SQLite', async () => undefined);
