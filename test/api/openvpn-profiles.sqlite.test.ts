import { openVpnProfilesSuite } from './openvpn-profiles-suite.ts';

openVpnProfilesSuite('SQLite', async () => undefined);
