import { directVpnSuite } from './direct-vpn-suite.ts';

directVpnSuite('SQLite', async () => undefined);
