import { SESSION_GAP_SECONDS } from '../sessions/derive.ts';

/**
 * Which P7 session a flow record belongs to (issue 10 item 2: "the audit shows per session
 * which devices were touched"). Pure. A gateway reports flows by tunnel address and does
 * not know the control plane's session ids; sessions are derived from its status reports
 * (src/core/sessions/derive.ts). So the link is made when the trail is read: the session of
 * the same user on the same gateway whose time span overlaps the flow's first–last seen
 * the most (a session's span: start to end, or to its last handshake + 3 minutes while it
 * has no end). A record keeps a session the gateway reported itself.
 */

export type LinkableFlow = { userId: string | null; gatewayId: string; firstSeen: string; lastSeen: string; session: string | null };
/** Times in unix seconds, as stored. */
export type LinkableSession = { id: string; userId: string; gatewayId: string; startedAt: number; endedAt: number | null; lastHandshakeAt: number };

/** Seconds of clock difference between a gateway's flow times and its handshake times that still count as inside. */
const SKEW_SECONDS = 5;

export function sessionOfFlow(flow: LinkableFlow, sessions: readonly LinkableSession[]): string | null {
  if (flow.session !== null) return flow.session;
  if (flow.userId === null) return null;
  const first = Date.parse(flow.firstSeen) / 1000;
  const last = Date.parse(flow.lastSeen) / 1000;
  let best: { id: string; overlap: number } | null = null;
  for (const s of sessions) {
    if (s.userId !== flow.userId || s.gatewayId !== flow.gatewayId) continue;
    const start = s.startedAt - SKEW_SECONDS;
    const end = (s.endedAt ?? s.lastHandshakeAt + SESSION_GAP_SECONDS) + SKEW_SECONDS;
    if (start > last || end < first) continue;
    const overlap = Math.min(end, last) - Math.max(start, first);
    if (best === null || overlap > best.overlap) best = { id: s.id, overlap };
  }
  return best?.id ?? null;
}
