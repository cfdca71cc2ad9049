import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DaemonListing } from './daemon-view.ts';

const entry = (status: unknown) => ({
  kind: 'agent',
  id: 'a1',
  name: 'agent-a',
  region: null,
  plant: 'Park A',
  publicKey: null,
  endpoint: null,
  tunnelIp: '100.64.0.3',
  enrolledAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: null,
  status,
});

describe('DaemonListing: admin agent list still lists reports stored before a bound or field existed', () => {
  const rows: Array<[string, unknown, boolean]> = [
    ['a current report', { appliedRevision: 3, version: '0.1.0', peers: [], lastError: null, mode: 'serving', peerCount: 0 }, true],
    ['a lastError longer than today\u2019s 2,000-character bound', { appliedRevision: 3, version: '0.1.0', peers: [], lastError: 'x'.repeat(5000) }, true],
    ['a field added later', { appliedRevision: 3, version: '0.1.0', peers: [], lastError: null, uptimeSeconds: 9 }, true],
    ['no report yet', null, true],
    ['a report without peers (not a report)', { appliedRevision: 3, version: '0.1.0', lastError: null }, false],
  ];
  for (const [name, status, ok] of rows) it(`${name} → ${ok ? 'listed' : 'refused'}`, () => assert.equal(DaemonListing.safeParse([entry(status)]).success, ok));
});
