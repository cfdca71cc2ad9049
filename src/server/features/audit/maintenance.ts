import type { AppContext } from '../../context.ts';
import { checkpointQuietHeads, purgeExpired } from './retention-service.ts';

/**
 * The server's periodic audit work: purge expired segments, sign quiet chain heads. One
 * run at a time; a failure is reported and the next tick tries again.
 */
export function startAuditMaintenance(ctx: AppContext, intervalMs: number, onError: (error: unknown) => void): { stop(): void } {
  if (intervalMs <= 0) return { stop: () => undefined };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      try {
        await checkpointQuietHeads(ctx);
        await purgeExpired(ctx);
      } catch (error) {
        onError(error);
      } finally {
        running = false;
      }
    })();
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
