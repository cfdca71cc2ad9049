import { after } from 'node:test';
import { type TestPostgres, createDatabase, startTestPostgres } from '../support/postgres.ts';
import { openVpnProfilesSuite } from './openvpn-profiles-suite.ts';

let pg: TestPostgres | undefined;
after(async () => pg?.stop());

openVpnProfilesSuite('PostgreSQL', async () => {
  pg = await startTestPostgres();
  return createDatabase(pg.url, `plantgate_ovpn_${process.pid}`);
});
