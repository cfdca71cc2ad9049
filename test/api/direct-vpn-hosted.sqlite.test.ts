import { hostedDirectVpnSuite } from './direct-vpn-hosted-suite.ts';

hostedDirectVpnSuite('SQLite', async () => undefined);
