/**
 * One stored flow record of the audit trail (SPEC A1, A5): what a gateway reported,
 * attributed at ingest time to user, plant, subnet and device, with those identities
 * kept as they were then. `seq` is the record's place in its plant's hash chain.
 */
export type StoredFlow = {
  plantId: string;
  seq: number;
  /** The gateway's id for the record (with `gatewayId`, what makes a retry a duplicate). */
  recordId: string;
  gatewayId: string;
  /** Day segment (days since 1970-01-01 UTC) the record was ingested in: the unit of purge. */
  segment: number;
  ingestedAt: string;
  userId: string | null;
  userEmail: string | null;
  tunnelIp: string;
  orgId: string;
  plantName: string;
  subnetId: string;
  /** The subnet's native prefix and its mapped alias at the time. */
  subnetCidr: string;
  subnetMapped: string;
  /** The address the user addressed (mapped or native) and the device's real address in the plant. */
  destinationIp: string;
  deviceIp: string;
  deviceName: string | null;
  protocol: string;
  port: number | null;
  connections: number;
  bytesIn: number;
  bytesOut: number;
  firstSeen: string;
  lastSeen: string;
  session: string | null;
  /**
   * The browser proxy's requests behind the record (issue 12 item 4), summed per method, path
   * and status; absent for every other record (and then the record's canonical form is the
   * one it always had).
   */
  http?: HttpRequestSummary[];
};

/** Requests of one method, path (no query, cut to MAX_HTTP_PATH) and status within a report window. */
export type HttpRequestSummary = { method: string; path: string; status: number; requests: number; bytesIn: number; bytesOut: number };

/** A gap in capture a gateway reported (lost conntrack events, spool overflow): recorded, never silently lost. */
export type StoredGap = { gatewayId: string; gapId: string; from: string; to: string; reason: string; ingestedAt: string; segment: number };

const DAY_MS = 86_400_000;

/**
 * How far ahead a gateway's clock may be: a record is stored no earlier than the day
 * before the day it was first (and so last) seen. The ingest's duplicate check and the
 * query's first segment rely on it.
 */
export const CLOCK_SKEW_DAYS = 1;

/** The day segment of an instant. */
export function segmentOf(at: Date): number {
  return Math.floor(at.getTime() / DAY_MS);
}

/** The first instant of a segment, ISO. */
export function segmentStart(segment: number): string {
  return new Date(segment * DAY_MS).toISOString();
}
