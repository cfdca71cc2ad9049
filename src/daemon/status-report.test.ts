import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DaemonStatusReport, type PeerStatus } from '../core/wire/daemon.ts';
import { statusReport } from './status-report.ts';

const NOW_MS = 1_800_000_000_000;
const nowS = NOW_MS / 1000;

function peer(i: number, handshakeAgo: number | null): PeerStatus {
  return { publicKey: `key-${i}`, endpoint: `198.51.100.${i % 250}:51820`, latestHandshake: handshakeAgo === null ? 0 : nowS - handshakeAgo, rxBytes: i, txBytes: i };
}

describe('statusReport (issue 7 #9: unbounded daemon status reports)', () => {
  it('#9: a gateway with 5,000 peers reports the 1,000 most recent handshakes and counts all of them', () => {
    const peers = Array.from({ length: 5000 }, (_, i) => peer(i, i < 1200 ? i : null));
    const report = statusReport({ appliedRevision: 7, lastError: null, connected: true, mode: 'serving' as const }, '1.0.0', peers, NOW_MS);
    assert.equal(report.peers.length, 1000);
    assert.equal(report.peerCount, 5000);
    assert.equal(report.peersWithRecentHandshake, 181, 'handshakes within 3 minutes: 0..180 seconds ago');
    assert.deepEqual(
      report.peers.slice(0, 3).map((p) => p.publicKey),
      ['key-0', 'key-1', 'key-2'],
      'most recent first',
    );
    assert.ok(report.peers.every((p) => p.latestHandshake > 0), 'never-connected peers are the ones left out');
    assert.ok(DaemonStatusReport.safeParse(report).success, 'the control plane accepts it');
  });

  it('#9: a long last error is cut to 1 kB, and the report still parses', () => {
    const report = statusReport({ appliedRevision: null, lastError: 'x'.repeat(100_000), connected: false, mode: 'serving' as const }, '1.0.0', [], NOW_MS);
    assert.equal(report.lastError?.length, 1024);
    assert.equal(report.appliedRevision, -1);
    assert.ok(DaemonStatusReport.safeParse(report).success);
  });

  it('#9: the schema refuses what is over a bound, naming the field', () => {
    const ok = statusReport({ appliedRevision: 1, lastError: null, connected: true, mode: 'serving' as const }, 'v', [peer(1, 5)], NOW_MS);
    const rows: Array<[string, unknown, string]> = [
      ['lastError over 1 kB', { ...ok, lastError: 'e'.repeat(1025) }, 'lastError'],
      ['more than 1,000 peers', { ...ok, peers: Array.from({ length: 1001 }, (_, i) => peer(i, 1)) }, 'peers'],
      ['a peer key of 10 kB', { ...ok, peers: [{ ...peer(1, 1), publicKey: 'k'.repeat(10_000) }] }, 'peers.0.publicKey'],
      ['a peer endpoint of 1 kB', { ...ok, peers: [{ ...peer(1, 1), endpoint: 'h'.repeat(1000) }] }, 'peers.0.endpoint'],
      ['an extra field on a peer', { ...ok, peers: [{ ...peer(1, 1), note: 'x' }] }, 'peers.0'],
      ['a version of 1 kB', { ...ok, version: 'v'.repeat(1000) }, 'version'],
    ];
    for (const [name, input, field] of rows) {
      const parsed = DaemonStatusReport.safeParse(input);
      assert.ok(!parsed.success, name);
      assert.equal(parsed.error.issues[0]?.path.join('.'), field, name);
    }
  });
});
