import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../db/connect.ts';
import { revokedCertificates } from './certificate-store.ts';

/** The CRL's entries on a real SQLite store (SPEC P9; organization VPN clients, issue 12). */
describe('revokedCertificates (what the user-CA CRL lists)', async () => {
  const store = await openStore('sqlite::memory:');
  after(() => store.close());
  const cert = (serial: string, clientId: string, revokedAt: string | null) => ({
    serial,
    client_id: clientId,
    vpn_id: 'v-gone',
    fingerprint: 'ff',
    not_after: '2028-11-30T00:00:00.000Z',
    issued_at: '2026-11-30T10:00:00.000Z',
    revoked_at: revokedAt,
  });
  await store.db
    .insertInto('org_vpn_certificates')
    .values([cert('a1', 'c-removed', '2026-11-30T11:00:00.000Z'), cert('b2', 'c-of-a-deleted-organization', null)])
    .execute();

  const rows: Array<[string, string, string | null]> = [
    ['O1: a removed client\u2019s certificate is listed with its removal time', 'a1', '2026-11-30T11:00:00.000Z'],
    ['O1: a certificate whose client row went with its organization (no revocation written) is listed, dated by its issue', 'b2', '2026-11-30T10:00:00.000Z'],
  ];
  for (const [name, serial, at] of rows) {
    it(name, async () => {
      const entry = (await revokedCertificates(store.db)).find((e) => e.serial === serial);
      assert.equal(entry?.revoked_at ?? null, at);
    });
  }
});
