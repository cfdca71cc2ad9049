import type { AuditStore } from '../../db/audit-connect.ts';
import type { AuditKey } from './signing-key.ts';

/** What the audit feature needs beside the fleet context: its own store, its key and its settings. */
export type AuditContext = {
  store: AuditStore;
  key: AuditKey;
  /** Records older than this many days are purged, in whole day segments (≥ 730 unless overridden). */
  retentionDays: number;
  /** SPEC A2: platform operators read plants' trails only when the server config says so. */
  operatorsMayRead: boolean;
  /** A plant's chain head is signed at least this often while records arrive. */
  checkpointIntervalMs: number;
};

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
