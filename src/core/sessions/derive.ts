/**
 * SPEC P7: VPN sessions derived from successive gateway status reports.
 *
 * A gateway reports per peer its endpoint, latest handshake (unix seconds) and rx/tx
 * counters. WireGuard re-handshakes every 2 minutes while traffic flows, so:
 * - a session STARTS at a handshake that follows no handshake for more than
 *   SESSION_GAP_SECONDS (or the peer's first handshake ever);
 * - a session ENDS when no handshake has been seen for SESSION_GAP_SECONDS; its end is
 *   the last handshake + SESSION_GAP_SECONDS (WireGuard drops the keys 3 minutes after the
 *   last handshake, so traffic cannot have flowed later than that);
 * - bytes are deltas of the counters between reports; a counter lower than the last one
 *   seen means it restarted from 0 (gateway or peer re-created), so the whole new value counts.
 * OpenVPN profiles (peer id `openvpn:<serial>`) have no periodic handshake: the gateway
 * reports a connected client as seen at report time with the time it connected
 * (`connectedSince`), which is the session's start; a new `connectedSince` is a new
 * session (a reconnect); and since the gateway lists every connected OpenVPN client, one it
 * no longer lists has disconnected: its session ends at the last report that listed it.
 * Pure: the caller passes the state (each peer's latest session) and the report time.
 */
export const SESSION_GAP_SECONDS = 180;

/** One peer as a gateway reports it. */
export type PeerObservation = { publicKey: string; endpoint: string | null; latestHandshake: number; rxBytes: number; txBytes: number; connectedSince?: number };

/** An OpenVPN profile's peer id (see profile-certificate.ts openVpnPeerId). */
function isOpenVpnPeer(publicKey: string): boolean {
  return publicKey.startsWith('openvpn:');
}

/** The newest session of one peer on one gateway (open or ended); it carries the counter baseline. */
export type PeerSession = {
  /** From `newId` when the session opened. */
  id: string;
  publicKey: string;
  startedAt: number;
  /** Unix seconds; null while connected. */
  endedAt: number | null;
  lastHandshake: number;
  endpoint: string | null;
  /** Bytes from the peer (gateway rx) and to it (gateway tx) during the session. */
  bytesIn: number;
  bytesOut: number;
  /** The counters as last reported: the baseline of the next delta. */
  lastRx: number;
  lastTx: number;
};

export type SessionAdvance = {
  /** The newest session per peer after the report (replace the caller's state with it). */
  latest: Map<string, PeerSession>;
  /** Sessions that changed, in their newest form (ended ones carry endedAt); key them by id to write each once. */
  changed: PeerSession[];
};

/** A counter delta: a lower value than the last one means the counter restarted from 0. */
export function counterDelta(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/** The end a session shows: stored, or derived when its gateway stopped reporting it (null while possibly connected). */
export function effectiveEnd(session: Pick<PeerSession, 'endedAt' | 'lastHandshake'>, now: number): number | null {
  if (session.endedAt !== null) return session.endedAt;
  return now - session.lastHandshake > SESSION_GAP_SECONDS ? session.lastHandshake + SESSION_GAP_SECONDS : null;
}

/**
 * Applies one report (peers listed at `reportedAt`) to the peers' newest sessions.
 * Peers the report does not list (a busy gateway lists the 1,000 most recent handshakes)
 * keep their counters; their open session ends once its last handshake is too old.
 */
export function advanceSessions(
  previous: ReadonlyMap<string, PeerSession>,
  peers: readonly PeerObservation[],
  reportedAt: number,
  newId: () => string,
): SessionAdvance {
  const latest = new Map(previous);
  const changed = new Map<PeerSession, true>();
  const listed = new Set<string>();
  for (const peer of peers) {
    listed.add(peer.publicKey);
    const before = latest.get(peer.publicKey);
    const next = observe(before, peer, reportedAt, newId);
    for (const s of next.changed) changed.set(s, true);
    if (next.latest) latest.set(peer.publicKey, next.latest);
  }
  for (const [key, session] of latest) {
    if (listed.has(key) || session.endedAt !== null) continue;
    if (isOpenVpnPeer(key)) {
      const ended = { ...session, endedAt: session.lastHandshake };
      latest.set(key, ended);
      changed.set(ended, true);
      continue;
    }
    if (reportedAt - session.lastHandshake > SESSION_GAP_SECONDS) {
      const ended = { ...session, endedAt: session.lastHandshake + SESSION_GAP_SECONDS };
      latest.set(key, ended);
      changed.set(ended, true);
    }
  }
  return { latest, changed: [...changed.keys()] };
}

function observe(
  before: PeerSession | undefined,
  peer: PeerObservation,
  reportedAt: number,
  newId: () => string,
): { latest: PeerSession | undefined; changed: PeerSession[] } {
  const rx = before ? counterDelta(before.lastRx, peer.rxBytes) : peer.rxBytes;
  const tx = before ? counterDelta(before.lastTx, peer.txBytes) : peer.txBytes;
  const handshake = peer.latestHandshake;
  const newHandshake = handshake > 0 && (!before || handshake > before.lastHandshake);

  if (!newHandshake) {
    if (!before) return { latest: undefined, changed: [] };
    const countersMoved = before.lastRx !== peer.rxBytes || before.lastTx !== peer.txBytes;
    if (before.endedAt !== null) {
      // Between sessions only the baseline moves (handshake attempts are counted too).
      return countersMoved ? one({ ...before, lastRx: peer.rxBytes, lastTx: peer.txBytes }) : { latest: before, changed: [] };
    }
    const silent = reportedAt - before.lastHandshake > SESSION_GAP_SECONDS;
    if (!countersMoved && !silent) return { latest: before, changed: [] };
    return one({
      ...before,
      bytesIn: before.bytesIn + rx,
      bytesOut: before.bytesOut + tx,
      lastRx: peer.rxBytes,
      lastTx: peer.txBytes,
      endedAt: silent ? before.lastHandshake + SESSION_GAP_SECONDS : null,
    });
  }

  // OpenVPN: the same connect time is the same session, however long the reports paused (reopened if a report missed it).
  const sameConnection = peer.connectedSince !== undefined && before !== undefined && peer.connectedSince === before.startedAt;
  const continues = peer.connectedSince !== undefined ? sameConnection : before !== undefined && before.endedAt === null && handshake - before.lastHandshake <= SESSION_GAP_SECONDS;
  if (before && continues) {
    // The regular re-handshake of a session that is still going.
    return one({
      ...before,
      lastHandshake: handshake,
      endpoint: peer.endpoint ?? before.endpoint,
      bytesIn: before.bytesIn + rx,
      bytesOut: before.bytesOut + tx,
      lastRx: peer.rxBytes,
      lastTx: peer.txBytes,
      endedAt: reportedAt - handshake > SESSION_GAP_SECONDS ? handshake + SESSION_GAP_SECONDS : null,
    });
  }

  // A handshake after a silence: the old session (if still open) ended, a new one starts.
  const changed: PeerSession[] = [];
  if (before && before.endedAt === null) changed.push({ ...before, endedAt: isOpenVpnPeer(before.publicKey) ? before.lastHandshake : before.lastHandshake + SESSION_GAP_SECONDS });
  const opened: PeerSession = {
    id: newId(),
    publicKey: peer.publicKey,
    startedAt: peer.connectedSince !== undefined && peer.connectedSince <= handshake ? peer.connectedSince : handshake,
    // Seen late (the gateway's reports were delayed): recorded, and ended at once.
    endedAt: reportedAt - handshake > SESSION_GAP_SECONDS ? handshake + SESSION_GAP_SECONDS : null,
    lastHandshake: handshake,
    endpoint: peer.endpoint,
    bytesIn: rx,
    bytesOut: tx,
    lastRx: peer.rxBytes,
    lastTx: peer.txBytes,
  };
  changed.push(opened);
  return { latest: opened, changed };
}

function one(session: PeerSession): { latest: PeerSession; changed: PeerSession[] } {
  return { latest: session, changed: [session] };
}
