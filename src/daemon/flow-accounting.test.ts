import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConntrackEvent } from '../os/conntrack/conntrack-line.ts';
import { FlowAccounting } from './flow-accounting.ts';

const T0 = Date.parse('2026-11-30T10:00:00Z');

function ev(type: ConntrackEvent['type'], id: number, over: Partial<ConntrackEvent> = {}): ConntrackEvent {
  return { type, at: T0, id, protocol: 'tcp', src: '100.64.0.2', dst: '100.80.1.17', sport: 40000 + id, dport: 80, zone: 0, orig: null, reply: null, ...over };
}
const bytes = (out: number, back: number) => ({ orig: { packets: 1, bytes: out }, reply: { packets: 1, bytes: back } });

function accounting(): FlowAccounting {
  const a = new FlowAccounting({ daemonId: 'gw1' });
  a.setTunnelRange('100.64.0.0/16');
  return a;
}

describe('FlowAccounting (SPEC A1: flow records from conntrack events)', () => {
  it('two HTTP connections of one user to one device in a window: one record, connections 2, bytes each way summed', () => {
    const a = accounting();
    a.event(ev('new', 1), 0);
    a.event(ev('destroy', 1, { at: T0 + 1000, ...bytes(300, 5000) }), 0);
    a.event(ev('new', 2, { at: T0 + 2000 }), 0);
    a.event(ev('destroy', 2, { at: T0 + 3000, ...bytes(200, 4000) }), 0);
    const records = a.flush(T0 + 60_000);
    assert.deepEqual(records, [
      {
        id: `gw1:${T0 + 60_000}:0`,
        tunnelIp: '100.64.0.2',
        destinationIp: '100.80.1.17',
        protocol: 'tcp',
        port: 80,
        connections: 2,
        bytesIn: 9000,
        bytesOut: 500,
        firstSeen: '2026-11-30T10:00:00.000Z',
        lastSeen: '2026-11-30T10:00:03.000Z',
        session: null,
      },
    ]);
    assert.deepEqual(a.flush(T0 + 120_000), [], 'a window without traffic has no record');
  });

  it('a long-lived flow is reported every window from the listing, each with only its growth, and its end adds the rest; it counts as one connection in all', () => {
    const a = accounting();
    a.event(ev('new', 7), 0);
    a.listed([ev('list', 7, { at: null, ...bytes(1000, 20_000) })], T0 + 60_000);
    const first = a.flush(T0 + 60_000);
    assert.deepEqual(first.map((r) => [r.connections, r.bytesOut, r.bytesIn]), [[1, 1000, 20_000]]);
    a.listed([ev('list', 7, { at: null, ...bytes(1500, 50_000) })], T0 + 120_000);
    const second = a.flush(T0 + 120_000);
    assert.deepEqual(second.map((r) => [r.connections, r.bytesOut, r.bytesIn, r.lastSeen]), [[0, 500, 30_000, '2026-11-30T10:02:00.000Z']]);
    // TIME_WAIT: the DESTROY comes minutes later with the last FIN/ACK bytes; the connection is not counted again.
    a.event(ev('destroy', 7, { at: T0 + 130_000, ...bytes(1600, 50_000) }), 0);
    const last = a.flush(T0 + 180_000);
    assert.deepEqual(last.map((r) => [r.connections, r.bytesOut, r.bytesIn]), [[0, 100, 0]]);
    assert.equal([...first, ...second, ...last].reduce((n, r) => n + r.connections, 0), 1, 'summed over its windows: one connection');
    assert.notEqual(first[0].id, second[0].id, 'every report has its own record id');
  });

  it('a connection fully reported from the listing is not counted again when its entry is destroyed without new bytes', () => {
    const a = accounting();
    a.event(ev('new', 3), 0);
    a.listed([ev('list', 3, { at: null, ...bytes(300, 5000) })], T0 + 60_000);
    assert.equal(a.flush(T0 + 60_000)[0].connections, 1);
    a.event(ev('destroy', 3, { at: T0 + 120_000, ...bytes(300, 5000) }), 0);
    assert.deepEqual(a.flush(T0 + 180_000), []);
    assert.equal(a.openFlows, 0);
  });

  const ignored: Array<[string, Partial<ConntrackEvent>]> = [
    ['traffic not from the tunnel range (the gateway itself, site agents)', { src: '10.0.0.5' }],
    ['traffic between two tunnel addresses', { dst: '100.64.0.9' }],
  ];
  for (const [name, over] of ignored) {
    it(`ignores ${name}`, () => {
      const a = accounting();
      a.event(ev('new', 1, over), 0);
      a.event(ev('destroy', 1, { ...over, ...bytes(1, 1) }), 0);
      assert.deepEqual(a.flush(T0 + 60_000), []);
    });
  }

  it('records nothing before the tunnel range is known', () => {
    const a = new FlowAccounting({ daemonId: 'gw1' });
    a.event(ev('new', 1), 0);
    assert.deepEqual(a.flush(T0), []);
  });

  it('icmp and udp: udp keeps its port, icmp has none; separate records per protocol and port', () => {
    const a = accounting();
    a.event(ev('new', 1, { protocol: 'udp', dport: 502 }), 0);
    a.event(ev('new', 2, { protocol: 'icmp', sport: null, dport: null }), 0);
    a.event(ev('new', 3, { dport: 502 }), 0);
    assert.deepEqual(
      a.flush(T0 + 1).map((r) => [r.protocol, r.port, r.connections]),
      [
        ['udp', 502, 1],
        ['icmp', null, 1],
        ['tcp', 502, 1],
      ],
    );
  });

  it('a flow already open when the gateway started (first seen in the listing) is reported with its counters', () => {
    const a = accounting();
    a.listed([ev('list', 9, { at: null, ...bytes(10, 20) })], T0 + 5);
    assert.deepEqual(a.flush(T0 + 10).map((r) => [r.connections, r.bytesOut, r.bytesIn, r.firstSeen]), [[1, 10, 20, '2026-11-30T10:00:00.005Z']]);
  });

  it('bounds the open flows it tracks (a flood of half-open connections), counting the untracked', () => {
    const a = new FlowAccounting({ daemonId: 'gw1', maxOpenFlows: 2 });
    a.setTunnelRange('100.64.0.0/16');
    for (let id = 1; id <= 5; id++) a.event(ev('new', id), 0);
    assert.equal(a.openFlows, 2);
    assert.equal(a.untracked, 3);
  });

  it('record ids stay unique when two windows end in the same millisecond', () => {
    const a = accounting();
    a.event(ev('new', 1), 0);
    const first = a.flush(T0);
    a.event(ev('new', 2), 0);
    const second = a.flush(T0);
    assert.notEqual(first[0].id, second[0].id);
  });
});

describe('FlowAccounting across a gateway restart', () => {
  it('a flow open across the restart reports only its growth after it (the snapshot keeps what was reported)', () => {
    const before = accounting();
    before.event(ev('new', 4), 0);
    before.listed([ev('list', 4, { at: null, ...bytes(1000, 9000) })], T0 + 60_000);
    assert.deepEqual(before.flush(T0 + 60_000).map((r) => [r.bytesOut, r.bytesIn]), [[1000, 9000]]);
    const saved = JSON.parse(JSON.stringify(before.snapshot()));

    const after = accounting();
    after.restore(saved);
    after.listed([ev('list', 4, { at: null, ...bytes(1200, 9500) }), ev('list', 5, { at: null, sport: 1, ...bytes(10, 10) })], T0 + 120_000);
    assert.deepEqual(
      after.flush(T0 + 120_000).map((r) => [r.connections, r.bytesOut, r.bytesIn]),
      [[1, 210, 510]],
      'entry 4 only with its growth (200/500) and not counted again, entry 5 (new) whole and counted',
    );
  });

  it('an id the kernel gave to another connection meanwhile is not mistaken for the old one', () => {
    const before = accounting();
    before.listed([ev('list', 4, { at: null, ...bytes(1000, 9000) })], T0);
    const saved = before.snapshot();
    const after = accounting();
    after.restore(saved);
    after.listed([ev('list', 4, { at: null, sport: 55555, ...bytes(50, 60) })], T0 + 1);
    assert.deepEqual(after.flush(T0 + 2).map((r) => [r.bytesOut, r.bytesIn]), [[50, 60]]);
  });

  it('agent: flows from any hosted server tunnel network are user-client traffic; between two networks or towards one, or before any is known, they are not', () => {
    const a = new FlowAccounting({ daemonId: 'agent1' });
    a.event(ev('new', 1, { src: '100.96.0.3', dst: '10.40.0.10' }), 0);
    assert.deepEqual(a.flush(T0 + 1000), [], 'no hosted server yet: nothing is user-client traffic');
    a.setTunnelRanges(['100.96.0.0/24', '100.96.1.0/24']);
    a.event(ev('new', 2, { src: '100.96.0.3', dst: '10.40.0.10', dport: 502 }), 0);
    a.event(ev('destroy', 2, { src: '100.96.0.3', dst: '10.40.0.10', dport: 502, ...bytes(120, 80) }), 0);
    a.event(ev('new', 3, { src: '100.96.1.7', dst: '10.40.0.11' }), 0);
    a.event(ev('new', 4, { src: '100.96.0.3', dst: '100.96.1.7' }), 0);
    a.event(ev('new', 5, { src: '10.40.0.10', dst: '100.96.0.3' }), 0);
    const records = a.flush(T0 + 60_000);
    assert.deepEqual(
      records.map((r) => [r.tunnelIp, r.destinationIp, r.port, r.bytesOut, r.bytesIn]),
      [
        ['100.96.0.3', '10.40.0.10', 502, 120, 80],
        ['100.96.1.7', '10.40.0.11', 80, 0, 0],
      ],
    );
    assert.match(records[0]?.id ?? '', /^agent1:/);
    a.setTunnelRanges([]);
    a.event(ev('new', 6, { src: '100.96.0.3', dst: '10.40.0.10' }), 0);
    assert.deepEqual(a.flush(T0 + 120_000), [], 'the last hosted server gone: nothing captured');
  });
});
