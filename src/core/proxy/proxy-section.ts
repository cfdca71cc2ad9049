import type { FleetModel } from '../fleet-model.ts';
import type { PlantId, UserId } from '../model.ts';
import { containsAddress, formatIpv4, parseIpv4, translateAddress } from '../net/ipv4.ts';
import { reachesPlant } from '../routes/access.ts';
import type { GatewayProxy, GatewayProxySession, GatewayProxyTarget } from '../wire/gateway-state.ts';

/**
 * The `proxy` section of the gateways' desired document (docs/browser-proxy.md), derived from
 * the fleet model and the stored targets and sessions at one revision. A session is listed
 * only while its user may still reach the target's plant under SPEC P4 (`grantedPlants`: the
 * personal VPN's rule, cooperations included), its platform session (API token) is live, it
 * is not closed and not expired, and its target resolves to a mapped address. Anything that
 * ends one of these removes it from the next document, and the gateway then closes it.
 */

export type TargetRow = { id: string; plantId: string; host: string; scheme: 'http' | 'https'; port: number; path: string; deviceIp: string };

export type SessionRow = {
  id: string;
  targetId: string;
  userId: string;
  userEmail: string;
  grantHash: string;
  grantExpiresAt: string;
  expiresAt: string;
  closedAt: string | null;
  /** The bound API token: revoked (logout) or expired ends the session. */
  tokenRevokedAt: string | null;
  tokenExpiresAt: string | null;
  userDisabledAt: string | null;
};

export type ProxyConfig = { domain: string; port: number };

/** The device's address in its subnet's mapped prefix, or null when no subnet of the plant holds it. */
export function mappedAddressOf(model: FleetModel, plantId: string, deviceIp: string): string | null {
  const ip = parseIpv4(deviceIp);
  if (ip === null) return null;
  const subnet = model.subnetsOf(plantId as PlantId).find((s) => containsAddress(s.prefix, ip));
  return subnet ? formatIpv4(translateAddress(ip, subnet.prefix, subnet.mapped)) : null;
}

/** Why a stored session is not (or no longer) open, or null while it is. */
export function sessionEndReason(
  model: FleetModel,
  session: SessionRow,
  target: { plantId: string } | undefined,
  nowIso: string,
  reaches: (userId: string, plantId: string) => boolean,
): string | null {
  if (session.closedAt !== null) return 'closed';
  if (session.expiresAt <= nowIso) return 'expired';
  if (session.userDisabledAt !== null) return 'user disabled';
  if (session.tokenRevokedAt !== null) return 'logged out';
  if (session.tokenExpiresAt !== null && session.tokenExpiresAt <= nowIso) return 'platform session expired';
  if (!target || !model.plants.has(target.plantId as PlantId)) return 'target removed';
  if (!reaches(session.userId, target.plantId)) return 'permission lost';
  return null;
}

export type EndedSession = { session: SessionRow; plantId: string | null; reason: string };

/**
 * The section, and the stored sessions that are not closed yet but no longer belong in it
 * (with the reason: the server records them closed, SPEC A4).
 */
export function buildProxySection(
  model: FleetModel,
  config: ProxyConfig,
  targets: readonly TargetRow[],
  sessions: readonly SessionRow[],
  nowIso: string,
): { section: GatewayProxy; ended: EndedSession[] } {
  const out: GatewayProxyTarget[] = [];
  const served = new Map<string, TargetRow>();
  const stored = new Map(targets.map((t) => [t.id, t]));
  for (const t of targets) {
    if (!model.plants.has(t.plantId as PlantId)) continue;
    const mappedAddress = mappedAddressOf(model, t.plantId, t.deviceIp);
    if (mappedAddress === null) continue;
    served.set(t.id, t);
    out.push({ id: t.id, host: t.host, plantId: t.plantId, scheme: t.scheme, mappedAddress, port: t.port, path: t.path });
  }
  // SPEC P4 for one (user, plant) pair at a time, remembered: a user often has several sessions on one plant.
  const judged = new Map<string, boolean>();
  const reaches = (userId: string, plantId: string) => {
    const key = `${userId} ${plantId}`;
    let r = judged.get(key);
    if (r === undefined) {
      r = reachesPlant(model, userId as UserId, plantId as PlantId);
      judged.set(key, r);
    }
    return r;
  };
  const open: GatewayProxySession[] = [];
  const ended: EndedSession[] = [];
  for (const s of sessions) {
    const target = stored.get(s.targetId);
    // A target whose device left every subnet is not served: its sessions wait (not ended) until it is again or goes.
    if (target && !served.has(s.targetId) && model.plants.has(target.plantId as PlantId)) continue;
    const reason = sessionEndReason(model, s, served.get(s.targetId), nowIso, reaches);
    if (reason === null) {
      open.push({ id: s.id, targetId: s.targetId, userId: s.userId, userEmail: s.userEmail, grantHash: s.grantHash, grantExpiresAt: s.grantExpiresAt, expiresAt: s.expiresAt });
    } else if (reason !== 'expired' && reason !== 'closed') {
      ended.push({ session: s, plantId: target?.plantId ?? null, reason });
    }
  }
  out.sort((a, b) => (a.id < b.id ? -1 : 1));
  open.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { section: { domain: config.domain, port: config.port, targets: out, sessions: open }, ended };
}
