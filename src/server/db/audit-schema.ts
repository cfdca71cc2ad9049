import type { Generated } from 'kysely';

/** Row types of the audit store (migration 0008_audit); separate from the fleet schema on purpose. */
export type AuditDatabase = {
  /** Migration 0017_audit_compact_rows: the record's repeating part is in audit_identities; hash as 32 bytes. */
  audit_flows: {
    seq: number;
    record_key: number;
    identity_id: number;
    connections: number;
    bytes_in: number;
    bytes_out: number;
    segment: number;
    port: number | null;
    plant_id: string;
    record_id: string;
    /** Instants as milliseconds since the epoch (the ingest stores them in one spelling, `toISOString`, which they convert back to exactly). */
    ingested_ms: number;
    first_seen_ms: number;
    last_seen_ms: number;
    destination_ip: string;
    device_ip: string;
    protocol: string;
    session: string | null;
    hash: Uint8Array;
  };
  /** Frozen identities (gateway, user, tunnel address, organization, plant name, subnet, device name), once each by content. */
  audit_identities: {
    id: Generated<number>;
    digest: Uint8Array;
    gateway_id: string;
    user_id: string | null;
    user_email: string | null;
    tunnel_ip: string;
    org_id: string;
    plant_name: string;
    subnet_id: string;
    subnet_cidr: string;
    subnet_mapped: string;
    device_name: string | null;
  };
  /** `first_seen_min`: the earliest first_seen of the segment's records (migration 0016; null: unknown, from before it). */
  audit_segments: { segment: number; created_at: string; first_seen_min: string | null };
  audit_gaps: { gateway_id: string; gap_id: string; segment: number; from_at: string; to_at: string; reason: string; ingested_at: string };
  audit_chain_heads: { plant_id: string; seq: number; hash: string; segment: number; checkpoint_seq: number; checkpoint_at: string };
  audit_checkpoints: { plant_id: string; seq: number; hash: string; record_segment: number; segment: number; created_at: string; signature: string };
  audit_batches: { gateway_id: string; batch_id: string; segment: number; ack: string };
  /** Migration 0018_audit_http_requests: a browser-proxy record's requests (JSON array of HttpRequestSummary), keyed like its record. */
  audit_http_requests: { plant_id: string; seq: number; segment: number; requests: string };
  /** Migration 0015_audit_stream_cursors: what each SIEM sink acknowledged, per stream. */
  audit_stream_cursors: { sink: string; stream: string; position: number; updated_at: string };
  audit_keys: { id: string; private_sealed: string; public_pem: string; created_at: string };
  /** Kysely's own bookkeeping is not modelled. */
  _unused?: Generated<never>;
};
