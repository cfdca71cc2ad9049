import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProxyDocumentPart, ProxySessionEntry, ProxyTargetEntry } from './proxy-document.ts';
import { makeSessionCookie, verifySessionCookie } from './session-cookie.ts';

/**
 * The proxy's view of the desired document's `proxy` part and what it made of it: targets
 * by host label, sessions, the cookies handed out at grant redemption, and every socket
 * serving a session — so a session that leaves the document (revoked, permission lost,
 * user disabled) or runs out is cut at once, open downloads and WebSockets included.
 *
 * Cookies are HMACs with the fleet's proxy cookie key (session-cookie.ts): any gateway with
 * the key accepts them while their session is in its document, so a restart or another
 * gateway of the region keeps the session. Without a key from the control plane (an older
 * server), a key made at start stands in: cookies then last as long as this process.
 */

export type Closable = { destroy(): void };

export type RedeemResult =
  | { ok: true; session: ProxySessionEntry; cookie: string; cookieMaxAgeSeconds: number }
  | { ok: false; reason: 'unknown-grant' | 'grant-expired' | 'grant-used' | 'session-expired' };

type Live = { sockets: Set<Closable> };

export class ProxySessions {
  private readonly now: () => number;
  private readonly targetsByHost = new Map<string, ProxyTargetEntry>();
  private readonly sessions = new Map<string, ProxySessionEntry>();
  /** grantHash → session id, for redemption. */
  private readonly byGrant = new Map<string, string>();
  /** The control plane's cookie key, or null: then `processKey`. */
  private readonly cookieKey: () => Buffer | null;
  private readonly processKey = randomBytes(32);
  private readonly live = new Map<string, Live>();
  /** Grants already redeemed (session id), so a grant opens at most once even if its session stays. */
  private readonly redeemed = new Set<string>();
  private waiters: Array<() => void> = [];

  constructor(now: () => number, cookieKey: () => Buffer | null = () => null) {
    this.now = now;
    this.cookieKey = cookieKey;
  }

  /** Takes a new document part; returns the ids of sessions closed because they left it. */
  apply(part: ProxyDocumentPart): string[] {
    this.targetsByHost.clear();
    for (const target of part.targets) this.targetsByHost.set(target.host.toLowerCase(), target);
    const targetIds = new Set(part.targets.map((t) => t.id));
    const next = new Map<string, ProxySessionEntry>();
    // a session whose target is gone is gone too
    for (const session of part.sessions) if (targetIds.has(session.targetId)) next.set(session.id, session);
    const closed: string[] = [];
    for (const id of this.sessions.keys()) {
      const now = next.get(id);
      const before = this.sessions.get(id);
      // a session moved to another target, or to another user, is a different session: cut the old one
      if (now === undefined || (before !== undefined && (before.targetId !== now.targetId || before.userId !== now.userId))) {
        this.close(id);
        closed.push(id);
      }
    }
    this.sessions.clear();
    this.byGrant.clear();
    for (const [id, session] of next) {
      this.sessions.set(id, session);
      this.byGrant.set(session.grantHash.toLowerCase(), id);
    }
    for (const id of this.redeemed) if (!this.sessions.has(id)) this.redeemed.delete(id);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return closed;
  }

  targetByHost(label: string): ProxyTargetEntry | undefined {
    return this.targetsByHost.get(label.toLowerCase());
  }

  target(id: string): ProxyTargetEntry | undefined {
    for (const target of this.targetsByHost.values()) if (target.id === id) return target;
    return undefined;
  }

  session(id: string): ProxySessionEntry | undefined {
    return this.sessions.get(id);
  }

  get counts(): { targets: number; sessions: number; open: number; sockets: number } {
    let sockets = 0;
    for (const live of this.live.values()) sockets += live.sockets.size;
    return { targets: this.targetsByHost.size, sessions: this.sessions.size, open: this.live.size, sockets };
  }

  /**
   * Redeems a one-time grant token for the target: its sha256 must be a session of exactly
   * this target, the grant not expired and not used before. When no session has it yet (the
   * browser came faster than the document), waits up to `waitMs` for the next document.
   */
  async redeem(targetId: string, token: string, waitMs: number): Promise<RedeemResult> {
    const hash = createHash('sha256').update(token).digest('hex');
    let result = this.tryRedeem(targetId, hash);
    // a wait measured on the monotonic clock: the injected one may be a test's fixed time
    const deadline = performance.now() + waitMs;
    while (!result.ok && result.reason === 'unknown-grant' && performance.now() < deadline) {
      await this.nextDocument(deadline - performance.now());
      result = this.tryRedeem(targetId, hash);
    }
    return result;
  }

  /** The session a request with this cookie may use on this target, or null (unknown, another target's, expired, closed). */
  sessionFor(targetId: string, cookie: string | null): ProxySessionEntry | null {
    if (cookie === null) return null;
    const id = verifySessionCookie(this.key(), cookie, (sessionId) => this.sessions.get(sessionId), this.now());
    if (id === null) return null;
    const session = this.sessions.get(id);
    if (session === undefined || session.targetId !== targetId) return null;
    if (Date.parse(session.expiresAt) <= this.now()) return null;
    return session;
  }

  /** Ties a socket (client or upstream) to a session: it is destroyed when the session closes. */
  track(sessionId: string, socket: Closable & { once(event: 'close', listener: () => void): unknown }): void {
    const live = this.liveOf(sessionId);
    if (live.sockets.has(socket)) return;
    live.sockets.add(socket);
    socket.once('close', () => live.sockets.delete(socket));
  }

  /** Closes every session whose time has run out; returns their ids. */
  sweep(): string[] {
    const now = this.now();
    const closed: string[] = [];
    for (const id of this.live.keys()) {
      const session = this.sessions.get(id);
      if (session === undefined || Date.parse(session.expiresAt) <= now) {
        this.close(id);
        closed.push(id);
      }
    }
    return closed;
  }

  /** Cuts everything (the gateway stops). */
  closeAll(): void {
    for (const id of [...this.live.keys()]) this.close(id);
  }

  private tryRedeem(targetId: string, hash: string): RedeemResult {
    const id = this.byGrant.get(hash);
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (session === undefined || session.targetId !== targetId || !sameHex(session.grantHash, hash)) return { ok: false, reason: 'unknown-grant' };
    const now = this.now();
    if (this.redeemed.has(session.id)) return { ok: false, reason: 'grant-used' };
    if (Date.parse(session.grantExpiresAt) <= now) return { ok: false, reason: 'grant-expired' };
    const expiresAt = Date.parse(session.expiresAt);
    if (expiresAt <= now) return { ok: false, reason: 'session-expired' };
    this.redeemed.add(session.id);
    this.liveOf(session.id);
    return { ok: true, session, cookie: makeSessionCookie(this.key(), session), cookieMaxAgeSeconds: Math.max(1, Math.floor((expiresAt - now) / 1000)) };
  }

  private key(): Buffer {
    return this.cookieKey() ?? this.processKey;
  }

  private liveOf(sessionId: string): Live {
    let live = this.live.get(sessionId);
    if (live === undefined) {
      live = { sockets: new Set() };
      this.live.set(sessionId, live);
    }
    return live;
  }

  private close(sessionId: string): void {
    const live = this.live.get(sessionId);
    if (live === undefined) return;
    this.live.delete(sessionId);
    for (const socket of live.sockets) socket.destroy();
    live.sockets.clear();
  }

  private nextDocument(maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiters = this.waiters.filter((w) => w !== wake);
          resolve();
        },
        Math.max(0, maxMs),
      );
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
    });
  }
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}
