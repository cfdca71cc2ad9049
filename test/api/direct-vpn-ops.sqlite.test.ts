import { directVpnOpsSuite } from './direct-vpn-ops-suite.ts';

directVpnOpsSuite('SQLite', async () => undefined);
