import { randomUUID } from 'node:crypto';
import { type PeerObservation, type PeerSession, advanceSessions } from '../../../core/sessions/derive.ts';
import type { Db } from '../../db/handle.ts';
import { countryOf } from './geo.ts';
import {
  type OrgVpnSessionRow,
  type SessionRow,
  gatewayNames,
  newestSessionsOf,
  openSessionsOf,
  orgClientOwners,
  profileOwners,
  upsertSessions,
} from './store.ts';

/** Reports kept per gateway between flushes (a gateway reports every few seconds; the buffer flushes every 15 s). */
const MAX_QUEUED = 20;

/** A session belongs to a personal profile's user or to an organization VPN client (0022a). */
type Owner = ({ userId: string; clientId?: undefined } | { clientId: string; userId?: undefined }) & { gateway: string; region: string };
type GatewayState = { latest: Map<string, PeerSession>; owners: Map<string, Owner | null> };

/**
 * SPEC P7: turns the gateways' status reports into sessions. Reports are queued in memory
 * (`observe`, called per report: no query) and folded into sessions when the daemon status
 * buffer flushes: one read of a gateway's open sessions when this process first sees it,
 * then one batched upsert of the sessions that changed. Only peers that are personal-VPN
 * profiles or organization VPN clients become sessions (each kind in its own table). A write failure drops the in-memory state: the next flush
 * reloads it from the table, whose stored counters keep the byte deltas right.
 */
export class SessionRecorder {
  private queued = new Map<string, Array<{ peers: PeerObservation[]; at: number }>>();
  private readonly state = new Map<string, GatewayState>();
  private readonly db: Db;
  private readonly newId: () => string;

  constructor(db: Db, newId: () => string = randomUUID) {
    this.db = db;
    this.newId = newId;
  }

  /** Queues one gateway report (`at`: unix seconds the control plane received it). */
  observe(daemonId: string, peers: PeerObservation[], at: number): void {
    const list = this.queued.get(daemonId) ?? [];
    list.push({ peers, at });
    if (list.length > MAX_QUEUED) list.shift();
    this.queued.set(daemonId, list);
  }

  forget(daemonId: string): void {
    this.queued.delete(daemonId);
    this.state.delete(daemonId);
  }

  async flush(): Promise<void> {
    const batch = this.queued;
    this.queued = new Map();
    if (batch.size === 0) return;
    const names = new Map((await gatewayNames(this.db, [...batch.keys()])).map((g) => [g.id, g]));
    const rows: SessionRow[] = [];
    const clientRows: OrgVpnSessionRow[] = [];
    try {
      for (const [daemonId, reports] of batch) {
        const gateway = names.get(daemonId);
        if (!gateway) {
          this.state.delete(daemonId);
          continue;
        }
        const state = this.state.get(daemonId) ?? (await this.load(daemonId, reports));
        const changed = new Map<string, PeerSession>();
        for (const report of reports) {
          const step = advanceSessions(state.latest, report.peers, report.at, this.newId);
          state.latest = step.latest;
          for (const s of step.changed) changed.set(s.id, s);
        }
        const unknown = [...new Set([...changed.values()].filter((s) => !state.owners.has(s.id)).map((s) => s.publicKey))];
        const owners = unknown.length > 0 ? await profileOwners(this.db, unknown) : new Map<string, string>();
        const orphans = unknown.filter((key) => !owners.has(key));
        const clients = orphans.length > 0 ? await orgClientOwners(this.db, orphans) : new Map<string, string>();
        for (const s of changed.values()) {
          if (!state.owners.has(s.id)) {
            const userId = owners.get(s.publicKey);
            const clientId = clients.get(s.publicKey);
            const where = { gateway: gateway.name, region: gateway.region ?? '' };
            state.owners.set(s.id, userId ? { userId, ...where } : clientId ? { clientId, ...where } : null);
          }
          const owner = state.owners.get(s.id);
          if (owner?.userId !== undefined) rows.push(toRow(s, daemonId, owner.userId, owner));
          else if (owner?.clientId !== undefined) clientRows.push(toClientRow(s, daemonId, owner.clientId, owner));
        }
        // Only the newest session per peer can change again.
        const live = new Set([...state.latest.values()].map((s) => s.id));
        for (const id of state.owners.keys()) if (!live.has(id)) state.owners.delete(id);
        this.state.set(daemonId, state);
      }
      // A gateway that stopped reporting here (gone, or now reporting to another replica) is reloaded when it comes back.
      for (const id of this.state.keys()) if (!batch.has(id)) this.state.delete(id);
      await upsertSessions(this.db, 'vpn_sessions', rows);
      if (clientRows.length > 0) await upsertSessions(this.db, 'org_vpn_sessions', clientRows);
    } catch (error) {
      this.state.clear();
      throw error;
    }
  }

  private async load(daemonId: string, reports: Array<{ peers: PeerObservation[] }>): Promise<GatewayState> {
    const open = await openSessionsOf(this.db, 'vpn_sessions', daemonId);
    const openClients = await openSessionsOf(this.db, 'org_vpn_sessions', daemonId);
    const openKeys = new Set([...open, ...openClients].map((r) => r.public_key));
    const keys = new Set<string>();
    for (const r of reports) for (const p of r.peers) if (p.latestHandshake > 0 && !openKeys.has(p.publicKey)) keys.add(p.publicKey);
    const newest = keys.size > 0 ? await newestSessionsOf(this.db, 'vpn_sessions', daemonId, [...keys]) : [];
    const newestClients = keys.size > 0 ? await newestSessionsOf(this.db, 'org_vpn_sessions', daemonId, [...keys]) : [];
    const state: GatewayState = { latest: new Map(), owners: new Map() };
    for (const row of [...newest, ...open]) {
      state.latest.set(row.public_key, fromRow(row));
      state.owners.set(row.id, { userId: row.user_id, gateway: row.gateway, region: row.region });
    }
    for (const row of [...newestClients, ...openClients]) {
      state.latest.set(row.public_key, fromRow(row));
      state.owners.set(row.id, { clientId: row.client_id, gateway: row.gateway, region: row.region });
    }
    return state;
  }
}

function fromRow(row: Omit<SessionRow, 'user_id'>): PeerSession {
  return {
    id: row.id,
    publicKey: row.public_key,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    lastHandshake: row.last_handshake_at,
    endpoint: row.source_address,
    bytesIn: row.bytes_in,
    bytesOut: row.bytes_out,
    lastRx: row.last_rx,
    lastTx: row.last_tx,
  };
}

function toClientRow(s: PeerSession, daemonId: string, clientId: string, owner: Owner): OrgVpnSessionRow {
  const { user_id: _user, ...row } = toRow(s, daemonId, '', owner);
  return { ...row, client_id: clientId };
}

function toRow(s: PeerSession, daemonId: string, userId: string, owner: Owner): SessionRow {
  return {
    id: s.id,
    user_id: userId,
    daemon_id: daemonId,
    public_key: s.publicKey,
    gateway: owner.gateway,
    region: owner.region,
    started_at: s.startedAt,
    ended_at: s.endedAt,
    last_handshake_at: s.lastHandshake,
    source_address: s.endpoint,
    country: countryOf(s.endpoint),
    bytes_in: s.bytesIn,
    bytes_out: s.bytesOut,
    last_rx: s.lastRx,
    last_tx: s.lastTx,
  };
}
