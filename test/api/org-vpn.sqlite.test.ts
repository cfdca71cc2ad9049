import { orgVpnSuite } from './org-vpn-suite.ts';

orgVpnSuite('SQLite', async () => undefined);
