import type { Clock } from './clock.ts';
import type { Logger } from './log.ts';

/**
 * A replica that has not caught up yet (behind a load balancer, or after a failover)
 * answers a request `after=R` with a document older than R. Applied, it would undo what R
 * already enforced (a revoke) until the next answer; so the daemon asks again, briefly and
 * a bounded number of times (a database restored from a backup really goes back).
 */
export const OLDER_ANSWER_RETRIES = 20;
export const OLDER_ANSWER_WAIT_MS = 250;

export async function answerNotOlder<M>(
  ask: () => Promise<M>,
  /** The revision of a whole document; null for an answer that cannot be older (a delta). */
  revisionOf: (answer: M) => number | null,
  after: number | null,
  context: { clock: Clock; log: Logger; signal: AbortSignal },
): Promise<M> {
  for (let asked = 1; ; asked++) {
    const answer = await ask();
    const revision = revisionOf(answer);
    if (after === null || revision === null || revision >= after || asked >= OLDER_ANSWER_RETRIES) return answer;
    if (asked === 1) context.log.warn('the control plane answered an older revision than the one held (a replica catching up?): asking again', { held: after, answered: revision });
    await context.clock.sleep(OLDER_ANSWER_WAIT_MS, context.signal);
    if (context.signal.aborted) return answer;
  }
}
