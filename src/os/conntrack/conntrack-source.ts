import type { ConntrackEvent } from './conntrack-line.ts';

/**
 * Port: the kernel's connection tracking of one network namespace as a stream of events
 * with byte accounting, plus a listing of the entries open now (with their counters, so
 * long-lived flows can be reported before they end). Lost events are never silent: they
 * come as a gap with the time window they fall in. Implementations: ConntrackCliSource
 * (`conntrack -E` / `conntrack -L`) and FakeConntrackSource.
 */

/** Events the source could not deliver, between two instants (ms since the epoch). */
export type ConntrackGap = { from: number; to: number; reason: string };

export type ConntrackHandler = {
  event(event: ConntrackEvent): void;
  gap(gap: ConntrackGap): void;
};

export interface ConntrackSource {
  /** Starts streaming to `handler` (accounting switched on first); resolves once listening. */
  start(handler: ConntrackHandler): Promise<void>;
  /** The entries open now, each with its counters so far (type 'list'). */
  list(): Promise<ConntrackEvent[]>;
  stop(): Promise<void>;
}
