import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import type { Logger } from '../../daemon/log.ts';
import { refuse, refuseUpgrade } from './pages.ts';
import type { ProxiedRequest } from './proxy-flows.ts';
import type { ProxyDocumentPart, ProxySessionEntry, ProxyTargetEntry } from './proxy-document.ts';
import { ProxySessions } from './proxy-sessions.ts';
import { SESSION_COOKIE, deviceHost, rewriteLocation, rewriteSetCookie, sessionCookieOf, withoutSessionCookie } from './rewrite.ts';
import { type Upstream, destroyAgents, upstreamAgents, upstreamUrl } from './upstream.ts';

/**
 * The browser proxy of a region gateway (SPEC O2, issue 12): HTTPS for `*.<domain>`, one
 * origin per web target (the Host's first label selects it), each request proxied to the
 * device's mapped address through the site tunnels with http-proxy-3 (streaming, WebSockets).
 * A browser gets in only through the target's one-time grant (`/.plantgate/grant?token=…`),
 * which becomes an HttpOnly cookie for that origin; every request needs that cookie, for
 * exactly that target, while its session is in the desired document.
 */

export const GRANT_PATH = '/.plantgate/grant';

export type BrowserProxyOptions = {
  /** The proxy domain: target `t-abc` is served at `https://t-abc.<domain>`. */
  domain: string;
  listen: { host: string; port: number };
  /** The port browsers use (a load balancer or a port forward may differ from `listen`); default the listen port. */
  publicPort?: number;
  /** PEM certificate (chain) and key for `*.<domain>`. */
  tls: { cert: string | Buffer; key: string | Buffer };
  now: () => number;
  log: Logger;
  /** Each finished request or WebSocket, for the audit trail and the log. */
  onRequest?: (request: ProxiedRequest) => void;
  /** How long a grant waits for a document that has its session (the browser may be faster than the long-poll). */
  grantWaitMs?: number;
  /** How often sessions are checked against their expiry. */
  sweepMs?: number;
  /** The fleet's proxy cookie key (GatewaySecrets.proxyCookieKey), read at each use; null or absent: a key of this process. */
  cookieKey?: () => Buffer | null;
};

type Context = { target: ProxyTargetEntry; session: ProxySessionEntry; started: number; bytesOut: number; bytesIn: number };

export class BrowserProxy {
  readonly sessions: ProxySessions;
  private readonly options: BrowserProxyOptions;
  private readonly server: Server;
  private readonly proxy: ProxyServer;
  private readonly upstream: Upstream;
  private readonly contexts = new WeakMap<IncomingMessage, Context>();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly suffix: string;

  constructor(options: BrowserProxyOptions) {
    this.options = options;
    this.suffix = `.${options.domain.toLowerCase()}`;
    this.sessions = new ProxySessions(options.now, options.cookieKey);
    this.upstream = upstreamAgents();
    this.proxy = new ProxyServer({ xfwd: false, secure: false, ws: true, proxyTimeout: 120_000 });
    this.proxy.on('proxyRes', (proxyRes, req) => this.onUpstreamResponse(proxyRes, req));
    this.proxy.on('proxyReqWs', (proxyReq, req) => {
      const context = this.contexts.get(req);
      // the upgraded upstream socket is the session's too: a revoke closes both ends
      if (context !== undefined) proxyReq.on('upgrade', (_res, socket) => this.sessions.track(context.session.id, socket));
    });
    this.server = createServer({ ...options.tls, minVersion: 'TLSv1.2' }, (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket as Socket, head));
    this.server.on('tlsClientError', () => {}); // scanners and aborted handshakes: nothing to log per attempt
  }

  async start(): Promise<AddressInfo> {
    const { host, port } = this.options.listen;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.sweeper = setInterval(() => {
      const closed = this.sessions.sweep();
      if (closed.length > 0) this.options.log.info('proxy sessions expired', { sessions: closed });
    }, this.options.sweepMs ?? 1000);
    this.sweeper.unref();
    const address = this.server.address() as AddressInfo;
    this.options.log.info('browser proxy listening', { address: address.address, port: address.port, domain: this.options.domain });
    return address;
  }

  /** Takes the desired document's `proxy` part: sessions no longer in it are cut at once. */
  apply(part: ProxyDocumentPart): string[] {
    const closed = this.sessions.apply(part);
    if (closed.length > 0) this.options.log.info('proxy sessions closed', { sessions: closed });
    return closed;
  }

  async stop(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    this.sessions.closeAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    destroyAgents(this.upstream);
  }

  /** `https://<label>.<domain>[:port]`. */
  origin(target: ProxyTargetEntry): string {
    const port = this.options.publicPort ?? (this.server.address() as AddressInfo | null)?.port ?? this.options.listen.port;
    return `https://${target.host}${this.suffix}${port === 443 ? '' : `:${port}`}`;
  }

  private targetOf(req: IncomingMessage): ProxyTargetEntry | undefined {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!host.endsWith(this.suffix)) return undefined;
    const label = host.slice(0, -this.suffix.length);
    if (label.length === 0 || label.includes('.')) return undefined;
    return this.sessions.targetByHost(label);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const target = this.targetOf(req);
    if (target === undefined) {
      refuse(res, 'no-access');
      return;
    }
    const path = req.url ?? '/';
    if (path === GRANT_PATH || path.startsWith(`${GRANT_PATH}?`)) {
      void this.redeem(req, res, target);
      return;
    }
    const session = this.sessions.sessionFor(target.id, sessionCookieOf(req.headers.cookie));
    if (session === null) {
      refuse(res, 'no-access');
      return;
    }
    this.sessions.track(session.id, req.socket);
    const context: Context = { target, session, started: Date.now(), bytesOut: 0, bytesIn: 0 };
    this.contexts.set(req, context);
    forwardHeaders(req);
    req.on('data', (chunk: Buffer) => {
      context.bytesOut += chunk.length;
    });
    res.once('close', () => this.finished(req, context, res.statusCode));
    this.proxy.web(
      req,
      res,
      { target: upstreamUrl(target), agent: target.scheme === 'https' ? this.upstream.https : this.upstream.http, headers: { host: deviceHost(target) } },
      (error) => {
        this.options.log.warn('proxy upstream failed', { target: target.id, plant: target.plantId, error: error.message });
        refuse(res, 'bad-gateway');
      },
    );
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    // an upgraded socket is ours alone: a reset by the browser must not become an uncaught error
    socket.on('error', () => socket.destroy());
    const target = this.targetOf(req);
    if (target === undefined) {
      refuseUpgrade(socket, 'no-access');
      return;
    }
    const session = this.sessions.sessionFor(target.id, sessionCookieOf(req.headers.cookie));
    if (session === null) {
      refuseUpgrade(socket, 'no-access');
      return;
    }
    this.sessions.track(session.id, socket);
    const context: Context = { target, session, started: Date.now(), bytesOut: 0, bytesIn: 0 };
    this.contexts.set(req, context);
    forwardHeaders(req);
    const before = { read: socket.bytesRead, written: socket.bytesWritten };
    socket.once('close', () => {
      context.bytesOut = socket.bytesRead - before.read;
      context.bytesIn = socket.bytesWritten - before.written;
      this.finished(req, context, 101);
    });
    this.proxy.ws(
      req,
      socket,
      head,
      {
        target: upstreamUrl(target, true),
        agent: target.scheme === 'https' ? this.upstream.wsHttps : this.upstream.wsHttp,
        headers: { host: deviceHost(target) },
      },
      (error) => {
        this.options.log.warn('proxy websocket upstream failed', { target: target.id, plant: target.plantId, error: error.message });
        socket.destroy();
      },
    );
  }

  private async redeem(req: IncomingMessage, res: ServerResponse, target: ProxyTargetEntry): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://proxy.invalid');
    const token = url.searchParams.get('token') ?? '';
    const result =
      token.length === 0 ? ({ ok: false, reason: 'unknown-grant' } as const) : await this.sessions.redeem(target.id, token, this.options.grantWaitMs ?? 2000);
    if (!result.ok) {
      this.options.log.info('proxy grant refused', { target: target.id, reason: result.reason });
      return refuse(res, 'no-access');
    }
    this.options.log.info('proxy session opened', { session: result.session.id, target: target.id, plant: target.plantId, user: result.session.userEmail });
    res.writeHead(303, {
      location: target.path,
      'set-cookie': `${SESSION_COOKIE}=${result.cookie}; Max-Age=${result.cookieMaxAgeSeconds}; Path=/; Secure; HttpOnly; SameSite=Lax`,
      'cache-control': 'no-store',
      // the token must not travel on in a Referer
      'referrer-policy': 'no-referrer',
      'content-length': 0,
    });
    res.end();
  }

  private onUpstreamResponse(proxyRes: IncomingMessage, req: IncomingMessage): void {
    const context = this.contexts.get(req);
    if (context === undefined) return;
    const origin = this.origin(context.target);
    for (const name of ['location', 'content-location'] as const) {
      const value = proxyRes.headers[name];
      if (typeof value === 'string') proxyRes.headers[name] = rewriteLocation(value, context.target, origin);
    }
    const cookies = proxyRes.headers['set-cookie'];
    if (cookies !== undefined) proxyRes.headers['set-cookie'] = cookies.map(rewriteSetCookie).filter((c): c is string => c !== null);
    proxyRes.on('data', (chunk: Buffer) => {
      context.bytesIn += chunk.length;
    });
  }

  private finished(req: IncomingMessage, context: Context, status: number): void {
    const ended = Date.now();
    this.options.onRequest?.({
      sessionId: context.session.id,
      targetId: context.target.id,
      userEmail: context.session.userEmail,
      mappedAddress: context.target.mappedAddress,
      port: context.target.port,
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      status,
      bytesOut: context.bytesOut,
      bytesIn: context.bytesIn,
      startedAt: this.options.now() - (ended - context.started),
      endedAt: this.options.now(),
    });
  }
}

/** What the device must not see: the proxy's session cookie, and forwarding headers a browser could forge. */
function forwardHeaders(req: IncomingMessage): void {
  const cookie = withoutSessionCookie(req.headers.cookie);
  if (cookie === null) delete req.headers.cookie;
  else req.headers.cookie = cookie;
  for (const name of ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip']) delete req.headers[name];
}
