import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../../src/core/wire/audit.ts';
import { checkAuditFilters, NO_FILTERS } from './audit-filters.ts';
import { formatBytes, formatUtc, summarizeDevices, summarizeUsers } from './summaries.ts';

test('audit filters: checked as typed, each bad field named with its problem; days cover whole UTC days', () => {
  const rows: Array<[Partial<typeof NO_FILTERS>, ReturnType<typeof checkAuditFilters>]> = [
    [{}, { ok: true, filters: {} }],
    [
      { user: ' a@b.example ', device: '192.168.1.17' },
      { ok: true, filters: { user: 'a@b.example', device: '192.168.1.17' } },
    ],
    [{ device: '192.168.1' }, { ok: false, errors: { device: 'must be an IPv4 address (a.b.c.d)' } }],
    [{ device: '192.168.1.300' }, { ok: false, errors: { device: 'must be an IPv4 address (a.b.c.d)' } }],
    [
      { from: '2026-11-30', to: '2026-11-30' },
      { ok: true, filters: { from: '2026-11-30T00:00:00.000Z', to: '2026-11-30T23:59:59.999Z' } },
    ],
    [{ from: '2026-11-30T08:00+01:00' }, { ok: true, filters: { from: '2026-11-30T07:00:00.000Z' } }],
    [{ from: '2026-02-31' }, { ok: false, errors: { from: 'must be a day (2026-11-30) or a date-time with a zone (2026-11-30T08:00Z)' } }],
    [{ to: '2026-11-30T08:00' }, { ok: false, errors: { to: 'must be a day (2026-11-30) or a date-time with a zone (2026-11-30T08:00Z)' } }],
    [
      { from: '2026-12-01', to: '2026-11-30' },
      { ok: false, errors: { to: 'must not be before From' } },
    ],
  ];
  for (const [draft, expected] of rows) assert.deepEqual(checkAuditFilters({ ...NO_FILTERS, ...draft }), expected, JSON.stringify(draft));
});

const rec = (over: Partial<AuditRecord>): AuditRecord => ({
  user: 'carol@windserv.example',
  plant: 'Park A',
  subnet: '192.168.1.0/24',
  deviceIp: '192.168.1.17',
  protocol: 'tcp',
  port: 80,
  connections: 1,
  bytesIn: 100,
  bytesOut: 10,
  firstSeen: '2026-11-30T08:00:00.000Z',
  lastSeen: '2026-11-30T08:00:05.000Z',
  session: null,
  seq: 1,
  mappedSubnet: '10.200.0.0/24',
  deviceName: 'logger',
  tunnelIp: '10.99.0.2',
  ...over,
});

test('audit summaries: per device and per user, connections and bytes added up, services and people counted once', () => {
  const records = [
    rec({}),
    rec({ connections: 2, lastSeen: '2026-11-30T09:00:00.000Z' }),
    rec({ deviceIp: '192.168.1.18', deviceName: null, port: 502, user: 'bob@solarco.example' }),
    rec({ deviceIp: '192.168.1.18', deviceName: null, protocol: 'icmp', port: null, user: null }),
  ];
  assert.deepEqual(
    summarizeDevices(records).map((d) => [d.deviceIp, d.connections, d.bytesIn, d.users, d.services, d.lastSeen]),
    [
      ['192.168.1.17', 3, 200, 1, ['tcp/80'], '2026-11-30T09:00:00.000Z'],
      ['192.168.1.18', 2, 200, 2, ['icmp', 'tcp/502'], '2026-11-30T08:00:05.000Z'],
    ],
  );
  assert.deepEqual(
    summarizeUsers(records).map((u) => [u.user, u.devices, u.connections, u.bytesOut]),
    [
      ['carol@windserv.example', 1, 3, 20],
      [null, 1, 1, 10],
      ['bob@solarco.example', 1, 1, 10],
    ],
  );
  assert.deepEqual([0, 1023, 1024, 5 * 1024 * 1024].map(formatBytes), ['0 B', '1023 B', '1.0 KiB', '5.0 MiB']);
  assert.equal(formatUtc('2026-11-30T09:00:05.250+01:00'), '2026-11-30 08:00:05');
});
