import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent, AuditRecord, AuditSession } from '../../../../src/core/wire/audit.ts';
import { describeEvent, mergeTimeline, summarizeSessions } from './timeline.ts';

const record = (firstSeen: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  user: 'carol@windserv.example',
  plant: 'Park A',
  subnet: '192.168.1.0/24',
  deviceIp: '192.168.1.17',
  protocol: 'tcp',
  port: 502,
  connections: 1,
  bytesIn: 100,
  bytesOut: 10,
  firstSeen,
  lastSeen: firstSeen,
  session: null,
  seq: 1,
  mappedSubnet: '100.80.0.0/24',
  deviceName: null,
  tunnelIp: '100.64.0.2',
  ...extra,
});
const event = (at: string, kind: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({ id: 1, at, kind, actor: null, subject: 'carol@windserv.example', details: {}, ...extra });

test('issue 10 item 8: the timeline orders flows and events by time; an event first at the same instant; filterable', () => {
  const records = [record('2026-11-30T10:05:00.000Z'), record('2026-11-30T10:00:00.000Z', { port: 80 })];
  const events = [event('2026-11-30T10:00:00.000Z', 'auth.login'), event('2026-11-30T09:00:00.000Z', 'profile.issued')];
  const all = mergeTimeline(records, events, 'all').map((i) => (i.kind === 'event' ? i.event.kind : `tcp/${i.record.port}`));
  assert.deepEqual(all, ['profile.issued', 'auth.login', 'tcp/80', 'tcp/502']);
  assert.deepEqual(mergeTimeline(records, events, 'access').map((i) => i.kind), ['access', 'access']);
  assert.deepEqual(mergeTimeline(records, events, 'events').map((i) => i.kind), ['event', 'event']);
});

test('issue 10 item 8: events read as sentences', () => {
  assert.equal(describeEvent(event('x', 'auth.login')), 'carol@windserv.example logged in');
  assert.equal(describeEvent(event('x', 'profile.revoked')), 'VPN profile of carol@windserv.example revoked');
  assert.equal(describeEvent(event('x', 'direct-vpn.created', { subject: null, actor: 'alice@solarco.example', details: { directVpn: 'Router A' } })), 'direct VPN Router A created by alice@solarco.example');
  assert.equal(describeEvent(event('x', 'routes.changed', { details: { added: ['a', 'b'], removed: [], cause: 'job role granted' } })), 'routes of carol@windserv.example changed (+2 −0): job role granted');
  assert.equal(describeEvent(event('x', 'org.device-added', { subject: null, actor: 'alice@solarco.example' })), 'org device added by alice@solarco.example');
});

test('issues 10 items 1, 2: per session, the devices, connections and bytes of its records; records without a session are left out', () => {
  const session: AuditSession = { id: 's1', user: 'carol@windserv.example', start: '2026-11-30T09:59:00.000Z', end: null, sourceAddress: '81.2.69.160:40000', country: 'GB', region: 'eu', gateway: 'gw-1', bytesIn: 1, bytesOut: 2 };
  const records = [
    record('2026-11-30T10:00:00.000Z', { session: 's1' }),
    record('2026-11-30T10:01:00.000Z', { session: 's1', deviceIp: '192.168.1.18', connections: 2 }),
    record('2026-11-30T08:00:00.000Z'),
  ];
  assert.deepEqual(summarizeSessions(records, [session]), [{ id: 's1', session, user: 'carol@windserv.example', devices: 2, connections: 3, bytesIn: 200, bytesOut: 20 }]);
});
