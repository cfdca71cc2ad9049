import { randomBytes } from 'node:crypto';
import { MAX_BATCH_RECORDS } from '../../core/wire/audit.ts';
import type { FlowSpool } from '../../daemon/flow-spool.ts';
import { errorMessage, type Logger } from '../../daemon/log.ts';
import { type ProxiedRequest, ProxyFlows } from './proxy-flows.ts';

/**
 * Feeds the browser proxy's requests into the gateway's flow spool (the same trail and
 * upload as conntrack's flows, SPEC A1) once per report window — each record with its
 * requests per method, path and status — and logs each request.
 */
export class ProxyFlowReporter {
  private readonly flows = new ProxyFlows(`px-${randomBytes(6).toString('hex')}`);
  private readonly options: { spool: FlowSpool | null; log: Logger; sourceIp: () => string | null; intervalMs: number };
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();

  constructor(options: { spool: FlowSpool | null; log: Logger; sourceIp: () => string | null; intervalMs: number }) {
    this.options = options;
  }

  record(request: ProxiedRequest): void {
    this.options.log.info('proxy request', {
      session: request.sessionId,
      user: request.userEmail,
      target: request.targetId,
      device: `${request.mappedAddress}:${request.port}`,
      method: request.method,
      path: request.path,
      status: request.status,
      bytesIn: request.bytesIn,
      bytesOut: request.bytesOut,
    });
    if (this.options.spool !== null) this.flows.record(request);
  }

  start(): void {
    if (this.options.spool === null) {
      this.options.log.warn('browser proxy: no flow spool (no state dir or no flow endpoint): proxied requests are only logged, not in the audit trail');
      return;
    }
    this.options.spool.kick(); // what an earlier run left
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.report());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Spools the window's records and kicks the upload. */
  async report(): Promise<void> {
    const spool = this.options.spool;
    if (spool === null) return;
    const records = this.flows.drain(this.options.sourceIp());
    if (records.length === 0) return;
    try {
      for (let i = 0; i < records.length; i += MAX_BATCH_RECORDS) await spool.add(records.slice(i, i + MAX_BATCH_RECORDS), []);
      spool.kick();
    } catch (error) {
      this.options.log.error('proxy flow records could not be spooled', { records: records.length, error: errorMessage(error) });
    }
  }

  /** The last window goes to the spool (delivered now or after a restart). */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await this.report();
  }
}
