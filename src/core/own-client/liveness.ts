/**
 * Issue 11 item 3: when has the gateway the own client talks to stopped answering?
 * WireGuard keepalives get no answer and a forbidden or offline destination gets none
 * either, so unanswered sends alone only raise a suspicion. The supervisor then re-creates
 * the peer (same endpoint): the next packet starts a handshake, and a live gateway answers
 * it within a round trip. No answer before the probe's deadline → fail over. A sample
 * whose only growth is one keepalive (32 bytes) is ignored, so an idle tunnel never probes.
 * Pure: the supervisor passes in the counters and the clock.
 */

export type CounterSample = { atMs: number; rxBytes: number; txBytes: number };

export type Liveness = {
  last: CounterSample | null;
  /** When the first unanswered send was seen since the last received byte; null: nothing unanswered. */
  unansweredSinceMs: number | null;
  /** A handshake probe runs until then; null: none. */
  probeDeadlineMs: number | null;
};

export type LivenessTimes = { suspectAfterMs: number; probeMs: number };

export type LivenessAction = 'none' | 'probe' | 'failover';

/** A WireGuard keepalive on the wire: 16-byte header plus a 16-byte empty tag. */
export const KEEPALIVE_BYTES = 32;

export const INITIAL_LIVENESS: Liveness = { last: null, unansweredSinceMs: null, probeDeadlineMs: null };

export function observe(state: Liveness, sample: CounterSample, times: LivenessTimes): { state: Liveness; action: LivenessAction } {
  if (state.last === null) return { state: { ...state, last: sample }, action: 'none' };
  // Counters restart when the peer is re-created (a probe, a failover): count from zero.
  const restarted = sample.rxBytes < state.last.rxBytes || sample.txBytes < state.last.txBytes;
  const base = restarted ? { atMs: state.last.atMs, rxBytes: 0, txBytes: 0 } : state.last;
  if (sample.rxBytes > base.rxBytes) return { state: { last: sample, unansweredSinceMs: null, probeDeadlineMs: null }, action: 'none' };
  if (state.probeDeadlineMs !== null) {
    if (sample.atMs >= state.probeDeadlineMs) return { state: { ...INITIAL_LIVENESS, last: sample }, action: 'failover' };
    return { state: { ...state, last: sample }, action: 'none' };
  }
  const sent = sample.txBytes - base.txBytes;
  const unansweredSinceMs = state.unansweredSinceMs ?? (sent > KEEPALIVE_BYTES ? base.atMs : null);
  if (unansweredSinceMs !== null && sample.atMs - unansweredSinceMs >= times.suspectAfterMs) {
    return { state: { last: sample, unansweredSinceMs: null, probeDeadlineMs: sample.atMs + times.probeMs }, action: 'probe' };
  }
  return { state: { last: sample, unansweredSinceMs, probeDeadlineMs: null }, action: 'none' };
}
