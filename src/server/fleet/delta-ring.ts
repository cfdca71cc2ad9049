import { gzipSync } from 'node:zlib';
import { type GatewayChanges, changeCount, changesToDelta, emptyChanges, mergeChanges } from '../../core/state/gateway-changes.ts';

/** Bounds of the in-memory history: older `after` revisions get the full document. */
export type DeltaRingLimits = { maxRevisions: number; maxElements: number };

export const DEFAULT_RING_LIMITS: DeltaRingLimits = { maxRevisions: 2000, maxElements: 500_000 };

type Entry = { revision: number; changes: GatewayChanges | null; elements: number };

/**
 * The gateways' document changes of the most recent revisions, so a daemon at revision R
 * receives only what moved since R. The serialised delta R → head is built once per
 * (R, head) and shared by every waiting gateway of every region: a delta carries no
 * per-region or per-gateway field.
 */
export class DeltaRing {
  private entries: Entry[] = [];
  private elements = 0;
  /** The newest revision whose changes are known (>= the model's revision). */
  private headRevision = 0;
  /** The oldest `after` a delta can start from. */
  private floorRevision = 0;
  private texts = new Map<number, string>();
  private gzipped = new Map<number, Uint8Array>();
  private readonly limits: DeltaRingLimits;

  constructor(limits: DeltaRingLimits = DEFAULT_RING_LIMITS) {
    this.limits = limits;
  }

  head(): number {
    return this.headRevision;
  }

  /** Forgets the history: deltas start again from `revision`. */
  reset(revision: number): void {
    this.entries = [];
    this.elements = 0;
    this.headRevision = revision;
    this.floorRevision = revision;
    this.texts.clear();
    this.gzipped.clear();
  }

  /**
   * Adds revision `revision`'s changes (`null`: unknown, so no delta may span it).
   * Ignores a revision already known; returns false if it does not follow the head.
   */
  append(revision: number, changes: GatewayChanges | null): boolean {
    if (revision <= this.headRevision) return true;
    if (revision !== this.headRevision + 1) return false;
    this.headRevision = revision;
    this.texts.clear();
    this.gzipped.clear();
    if (changes === null) {
      this.entries = [];
      this.elements = 0;
      this.floorRevision = revision;
      return true;
    }
    const elements = changeCount(changes);
    this.entries.push({ revision, changes, elements });
    this.elements += elements;
    while (this.entries.length > 0 && (this.entries.length > this.limits.maxRevisions || this.elements > this.limits.maxElements)) {
      const dropped = this.entries.shift() as Entry;
      this.elements -= dropped.elements;
      this.floorRevision = dropped.revision;
    }
    return true;
  }

  /** The serialised delta after → head, or null when `after` is outside the history. */
  deltaJson(after: number): string | null {
    if (after < this.floorRevision || after > this.headRevision) return null;
    const cached = this.texts.get(after);
    if (cached !== undefined) return cached;
    const merged = emptyChanges();
    for (const entry of this.entries) if (entry.revision > after) mergeChanges(merged, entry.changes as GatewayChanges);
    const text = JSON.stringify(changesToDelta(merged, after, this.headRevision));
    this.texts.set(after, text);
    return text;
  }

  /** deltaJson(after) gzip-compressed, built once per (after, head) like the text; null if the head moved on since `head`. */
  deltaGzip(after: number, head: number): Uint8Array | null {
    if (head !== this.headRevision) return null;
    const cached = this.gzipped.get(after);
    if (cached) return cached;
    const text = this.deltaJson(after);
    if (text === null) return null;
    const gz = gzipSync(text, { level: 6 });
    this.gzipped.set(after, gz);
    return gz;
  }
}
