import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PeerObservation, type PeerSession, SESSION_GAP_SECONDS, advanceSessions, counterDelta, effectiveEnd } from './derive.ts';

const K = 'peer-key';
const T0 = 1_800_000_000;

/** Feeds reports in order and returns every session of the peer, oldest first. */
function run(reports: Array<{ at: number; peers: Array<Partial<PeerObservation>> }>): PeerSession[] {
  let ids = 0;
  let latest = new Map<string, PeerSession>();
  const all = new Map<string, PeerSession>();
  for (const r of reports) {
    const peers = r.peers.map((p) => ({ publicKey: K, endpoint: '198.51.100.7:51000', latestHandshake: 0, rxBytes: 0, txBytes: 0, ...p }));
    const step = advanceSessions(latest, peers, r.at, () => `s${++ids}`);
    latest = step.latest;
    for (const s of step.changed) all.set(s.id, s);
  }
  return [...all.values()].sort((a, b) => a.startedAt - b.startedAt);
}

const brief = (s: PeerSession) => ({ start: s.startedAt - T0, end: s.endedAt === null ? null : s.endedAt - T0, bytesIn: s.bytesIn, bytesOut: s.bytesOut });

describe('P7 sessions from successive gateway reports', () => {
  const table: Array<{ rule: string; reports: Array<{ at: number; peers: Array<Partial<PeerObservation>> }>; want: Array<ReturnType<typeof brief>> }> = [
    {
      rule: 'a peer that never had a handshake has no session',
      reports: [{ at: T0, peers: [{ latestHandshake: 0, rxBytes: 92, txBytes: 0 }] }],
      want: [],
    },
    {
      rule: 'the first handshake starts a session, open while handshakes keep coming',
      reports: [
        { at: T0 + 5, peers: [{ latestHandshake: T0, rxBytes: 100, txBytes: 50 }] },
        { at: T0 + 125, peers: [{ latestHandshake: T0 + 120, rxBytes: 300, txBytes: 80 }] },
        { at: T0 + 300, peers: [{ latestHandshake: T0 + 240, rxBytes: 400, txBytes: 90 }] },
      ],
      want: [{ start: 0, end: null, bytesIn: 400, bytesOut: 90 }],
    },
    {
      rule: 'no handshake for 3 minutes ends the session at last handshake + 3 minutes',
      reports: [
        { at: T0 + 5, peers: [{ latestHandshake: T0, rxBytes: 100, txBytes: 50 }] },
        { at: T0 + 181, peers: [{ latestHandshake: T0, rxBytes: 110, txBytes: 60 }] },
      ],
      want: [{ start: 0, end: SESSION_GAP_SECONDS, bytesIn: 110, bytesOut: 60 }],
    },
    {
      rule: 'a peer the report no longer lists ends its session after 3 minutes of silence',
      reports: [
        { at: T0 + 5, peers: [{ latestHandshake: T0, rxBytes: 100, txBytes: 50 }] },
        { at: T0 + 100, peers: [] },
        { at: T0 + 200, peers: [] },
      ],
      want: [{ start: 0, end: SESSION_GAP_SECONDS, bytesIn: 100, bytesOut: 50 }],
    },
    {
      rule: 'a handshake after more than 3 minutes of silence starts a new session; bytes are split by counter deltas',
      reports: [
        { at: T0 + 5, peers: [{ latestHandshake: T0, rxBytes: 100, txBytes: 50 }] },
        { at: T0 + 600, peers: [{ latestHandshake: T0 + 590, rxBytes: 170, txBytes: 55 }] },
      ],
      want: [
        { start: 0, end: SESSION_GAP_SECONDS, bytesIn: 100, bytesOut: 50 },
        { start: 590, end: null, bytesIn: 70, bytesOut: 5 },
      ],
    },
    {
      rule: 'a counter lower than the last one restarted from 0 (gateway restart): the new value counts whole',
      reports: [
        { at: T0 + 5, peers: [{ latestHandshake: T0, rxBytes: 1000, txBytes: 500 }] },
        { at: T0 + 60, peers: [{ latestHandshake: T0 + 55, rxBytes: 40, txBytes: 20 }] },
        { at: T0 + 90, peers: [{ latestHandshake: T0 + 55, rxBytes: 100, txBytes: 30 }] },
      ],
      want: [{ start: 0, end: null, bytesIn: 1100, bytesOut: 530 }],
    },
    {
      rule: 'a handshake first seen more than 3 minutes late is recorded and ended at once',
      reports: [{ at: T0 + 400, peers: [{ latestHandshake: T0, rxBytes: 10, txBytes: 20 }] }],
      want: [{ start: 0, end: SESSION_GAP_SECONDS, bytesIn: 10, bytesOut: 20 }],
    },
    {
      rule: 'the same handshake reported again after the session ended does not reopen it',
      reports: [
        { at: T0 + 5, peers: [{ latestHandshake: T0, rxBytes: 10, txBytes: 20 }] },
        { at: T0 + 200, peers: [{ latestHandshake: T0, rxBytes: 10, txBytes: 20 }] },
        { at: T0 + 300, peers: [{ latestHandshake: T0, rxBytes: 10, txBytes: 20 }] },
      ],
      want: [{ start: 0, end: SESSION_GAP_SECONDS, bytesIn: 10, bytesOut: 20 }],
    },
  ];
  for (const row of table) {
    it(row.rule, () => assert.deepEqual(run(row.reports).map(brief), row.want));
  }

  it('the endpoint follows the peer while it roams, and sessions of different peers stay apart', () => {
    let latest = new Map<string, PeerSession>();
    let n = 0;
    const step1 = advanceSessions(
      latest,
      [
        { publicKey: 'a', endpoint: '198.51.100.7:1', latestHandshake: T0, rxBytes: 1, txBytes: 1 },
        { publicKey: 'b', endpoint: '192.0.2.1:2', latestHandshake: T0, rxBytes: 2, txBytes: 2 },
      ],
      T0 + 1,
      () => `s${++n}`,
    );
    latest = step1.latest;
    const step2 = advanceSessions(latest, [{ publicKey: 'a', endpoint: '203.0.113.4:9', latestHandshake: T0 + 120, rxBytes: 5, txBytes: 1 }], T0 + 121, () => `s${++n}`);
    assert.equal(step2.latest.get('a')?.endpoint, '203.0.113.4:9');
    assert.equal(step2.latest.get('a')?.id, step1.latest.get('a')?.id, 'a roaming peer keeps its session');
    assert.equal(step2.latest.get('b')?.endpoint, '192.0.2.1:2');
    assert.deepEqual(
      step2.changed.map((s) => s.publicKey),
      ['a'],
      'an unchanged peer is not rewritten (no write per report)',
    );
  });

  const ends: Array<[string, number | null, number, number | null]> = [
    ['an ended session shows its stored end', T0 + 180, T0 + 10_000, T0 + 180],
    ['an open session with a recent handshake is still connected', null, T0 + 100, null],
    ['an open session whose gateway went quiet shows last handshake + 3 minutes', null, T0 + 181, T0 + 180],
  ];
  for (const [rule, endedAt, now, want] of ends) {
    it(rule, () => assert.equal(effectiveEnd({ endedAt, lastHandshake: T0 }, now), want));
  }

  it('counter deltas: growth counts the difference, a restart counts the new value', () => {
    assert.equal(counterDelta(10, 15), 5);
    assert.equal(counterDelta(10, 10), 0);
    assert.equal(counterDelta(10, 3), 3);
  });
});

describe('P7 sessions of OpenVPN profiles (seen at each report, with their connect time)', () => {
  const O = 'openvpn:5a1f';
  const seen = (at: number, connectedSince: number, rxBytes: number, txBytes: number) => ({ at, peers: [{ publicKey: O, latestHandshake: at, connectedSince, rxBytes, txBytes }] });
  const table: Array<{ rule: string; reports: Array<{ at: number; peers: Array<Partial<PeerObservation>> }>; want: Array<ReturnType<typeof brief>> }> = [
    {
      rule: 'a connected client is one open session from its connect time, for longer than 3 minutes, bytes by counter deltas',
      reports: [seen(T0 + 5, T0, 100, 50), seen(T0 + 200, T0, 700, 90), seen(T0 + 400, T0, 900, 95)],
      want: [{ start: 0, end: null, bytesIn: 900, bytesOut: 95 }],
    },
    {
      rule: 'a client the gateway no longer lists disconnected: its session ends at the last report that listed it',
      reports: [seen(T0 + 5, T0, 100, 50), seen(T0 + 10, T0, 120, 60), { at: T0 + 15, peers: [] }],
      want: [{ start: 0, end: 10, bytesIn: 120, bytesOut: 60 }],
    },
    {
      rule: 'a reconnect (new connect time) ends the old session and starts a new one; the restarted counters count whole',
      reports: [seen(T0 + 5, T0, 100, 50), seen(T0 + 10, T0, 120, 60), seen(T0 + 15, T0 + 12, 30, 20)],
      want: [
        { start: 0, end: 10, bytesIn: 120, bytesOut: 60 },
        { start: 12, end: null, bytesIn: 30, bytesOut: 20 },
      ],
    },
    {
      rule: 'a report that missed a still-connected client (same connect time) reopens its session, not a second one',
      reports: [seen(T0 + 5, T0, 100, 50), { at: T0 + 10, peers: [] }, seen(T0 + 15, T0, 150, 70)],
      want: [{ start: 0, end: null, bytesIn: 150, bytesOut: 70 }],
    },
  ];
  for (const { rule, reports, want } of table) {
    it(rule, () => {
      const sessions = run(reports).filter((s) => s.publicKey === O);
      assert.deepEqual(sessions.map(brief), want);
    });
  }
});
