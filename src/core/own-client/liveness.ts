/**
 * Issue 11 item 3: when has the gateway the own client talks to stopped answering?
 * WireGuard keepalives get no answer, so silence alone says nothing; what counts is
 * traffic sent (data or handshake initiations) that nothing came back for. A sample
 * whose only growth is one keepalive (32 bytes) is ignored, so an idle tunnel never
 * fails over. Pure: the supervisor passes in the counters and the clock.
 */

export type CounterSample = { atMs: number; rxBytes: number; txBytes: number };

export type Liveness = {
  last: CounterSample | null;
  /** When the first unanswered send was seen since the last received byte; null: nothing unanswered. */
  unansweredSinceMs: number | null;
};

/** A WireGuard keepalive on the wire: 16-byte header plus a 16-byte empty tag. */
export const KEEPALIVE_BYTES = 32;

export const INITIAL_LIVENESS: Liveness = { last: null, unansweredSinceMs: null };

export function observe(state: Liveness, sample: CounterSample, staleAfterMs: number): { state: Liveness; stale: boolean } {
  const last = state.last;
  if (last === null || sample.rxBytes < last.rxBytes || sample.txBytes < last.txBytes) {
    // first sample, or counters restarted (a re-created peer): start over
    return { state: { last: sample, unansweredSinceMs: null }, stale: false };
  }
  if (sample.rxBytes > last.rxBytes) return { state: { last: sample, unansweredSinceMs: null }, stale: false };
  const sent = sample.txBytes - last.txBytes;
  const unansweredSinceMs = state.unansweredSinceMs ?? (sent > KEEPALIVE_BYTES ? last.atMs : null);
  const stale = unansweredSinceMs !== null && sample.atMs - unansweredSinceMs >= staleAfterMs;
  return { state: { last: sample, unansweredSinceMs }, stale };
}
