import { readFileSync } from 'node:fs';
import { systemClock } from './clock.ts';
import { DaemonMetrics } from './daemon-metrics.ts';
import { FatalDaemonError } from './identity.ts';
import { errorMessage, jsonLineLogger, type Logger } from './log.ts';
import { startMetricsServer } from './metrics-server.ts';
import type { SyncLoopOptions } from './sync-loop.ts';

/**
 * What `plantgate gateway` and `plantgate agent` share around their daemon: the log,
 * /metrics, SIGTERM/SIGINT, and the exit code. Returns when the daemon has stopped.
 */

export type DaemonOutput = { out(line: string): void; err(line: string): void };

export type Started = { loop: { appliedRevision: number | null }; stop(): Promise<void> };

export async function runDaemon(
  kind: 'gateway' | 'agent',
  options: { metricsListen: string },
  output: DaemonOutput,
  start: (context: { log: Logger; metrics: DaemonMetrics; signal: AbortSignal; withdraw: (reason: string) => void }) => Promise<Started>,
): Promise<number> {
  const log = jsonLineLogger(output.out, { daemon: kind });
  const metrics = new DaemonMetrics(kind, systemClock);
  metrics.registry.collectProcessMetrics();
  const stopper = new AbortController();
  const onSignal = (signal: string) => {
    log.info('signal received, stopping', { signal });
    stopper.abort();
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  let daemon: Started | null = null;
  let withdrawn: string | null = null;
  const withdraw = (reason: string) => {
    withdrawn = reason;
    stopper.abort();
  };
  const server = await startMetricsServer(options.metricsListen, () => metrics.render(), () => daemon?.loop.appliedRevision != null);
  log.info('metrics listening', { url: `${server.url}/metrics` });
  try {
    daemon = await start({ log, metrics, signal: stopper.signal, withdraw });
    if (!stopper.signal.aborted) await new Promise((resolve) => stopper.signal.addEventListener('abort', resolve, { once: true }));
    await daemon.stop();
    if (withdrawn !== null) {
      output.err(`${kind} stopped: the control plane no longer accepts its credential (${withdrawn}); enrol it again to bring it back`);
      return 3;
    }
    return 0;
  } catch (error) {
    log.error(error instanceof FatalDaemonError ? errorMessage(error) : `${kind} failed: ${errorMessage(error)}`);
    if (!(error instanceof FatalDaemonError)) output.err(error instanceof Error && error.stack ? error.stack : String(error));
    return 1;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await server.close();
  }
}

export function loopOptions(reconcileSeconds: number, maxStaleHours = 24): Partial<SyncLoopOptions> {
  return { reconcileMs: reconcileSeconds * 1000, maxStaleMs: maxStaleHours * 3600_000 };
}

export function daemonVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
