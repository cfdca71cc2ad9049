import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createPinoLogger } from '../daemon/log.ts';
import { formatCidr, formatIpv4 } from '../core/net/ipv4.ts';
import { AttemptGuard, type GuardLimits, guardLimitsFromEnv } from './features/auth/attempt-guard.ts';
import { ensurePlatformOperator, ensureProxyCookieKey, loadAddressing, loadServiceKey } from './bootstrap.ts';
import type { AppContext } from './context.ts';
import { openStore } from './db/connect.ts';
import { openAuditStore } from './db/audit-connect.ts';
import { resolveRetention } from '../core/audit/retention.ts';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from './features/audit/audit-context.ts';
import { startAuditMaintenance } from './features/audit/maintenance.ts';
import { type StreamingOptions, startSiemStreaming } from './features/audit/streamer.ts';
import type { SiemSinkConfig } from '../core/audit/siem-sink.ts';
import { loadAuditKey } from './features/audit/signing-key.ts';
import { privateDirectory, tightenFile } from './db/file-modes.ts';
import { FleetState } from './fleet/fleet-state.ts';
import { DaemonStatusBuffer } from './features/daemons/status-buffer.ts';
import { SessionRecorder } from './features/sessions/recorder.ts';
import { allRoutes, createApp } from './http/app.ts';
import { observeRequests } from './observability/observe-requests.ts';
import { routeMatcher } from './observability/route-pattern.ts';
import { ServerMetrics } from './observability/server-metrics.ts';
import { loadMasterKey, secretBox } from './secrets/secret-box.ts';
import { RouteViewCache } from './features/vpn/routes-view.ts';
import { zoneName } from './features/regions/dns-answer.ts';
import { type RunningDns, startDnsResponder } from './features/regions/dns-server.ts';
import { proxySectionSource } from './features/proxy/section.ts';

export type ServerOptions = {
  listen: string;
  database?: string;
  dataDir: string;
  adminEmail?: string;
  adminPassword?: string;
  tunnelRange?: string;
  mappedSpace?: string;
  /** Called with the fleet file of the demo fleet once the server is up. */
  demo?: boolean;
  quiet?: boolean;
  /** PEM files: with both, the server speaks HTTPS itself. */
  tlsCert?: string;
  tlsKey?: string;
  /** pino level (default info; `quiet`: warn). */
  logLevel?: string;
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Where log lines go (default stdout). */
  logWrite?: (line: string) => void;
  /** Login/TOTP guessing limits; default from PLANTGATE_AUTH_* or DEFAULT_GUARD_LIMITS. */
  authLimits?: GuardLimits;
  /** The audit store (issue 10); docs/audit.md. */
  audit?: AuditOptions;
  /** Issue 11 (docs/regions.md): the name every profile dials; with `dnsListen`, this process answers its zone. */
  serviceName?: string;
  dnsListen?: string;
  /** Comma-separated NS host names of the zone. */
  dnsNameservers?: string;
  /** The browser proxy's domain (docs/browser-proxy.md); unset: the proxy is off. */
  proxyDomain?: string | undefined;
  /** The HTTPS port the gateways' proxy listens on and the URLs name (default 443). */
  proxyPort?: string | number | undefined;
};


export type AuditOptions = {
  /** Default 730; below 730 only with `allowRetentionBelow730Days`. */
  retentionDays?: number;
  allowRetentionBelow730Days?: boolean;
  /** SPEC A2: platform operators read plants' trails only when this is true (default false). */
  operatorsMayRead?: boolean;
  checkpointIntervalMs?: number;
  /** How often the server purges expired segments and signs quiet chain heads (default 10 minutes; 0: never, tests call it). */
  maintenanceIntervalMs?: number;
  /** SIEM sinks the trail is streamed to (docs/audit.md); `streaming` tunes their timing (tests). */
  sinks?: SiemSinkConfig[];
  streaming?: StreamingOptions;
};

export type RunningServer = { url: string; ctx: AppContext; dns: RunningDns | null; close(): Promise<void> };

export async function startServer(options: ServerOptions, print: (line: string) => void = console.log): Promise<RunningServer> {
  const logger = createPinoLogger(options.logWrite ?? ((line) => process.stdout.write(`${line}\n`)), {
    level: options.logLevel ?? (options.quiet ? 'warn' : 'info'),
  });
  // Read before anything else starts: a bad path fails the start with a clear message.
  const tls = options.tlsCert && options.tlsKey ? { cert: readPem(options.tlsCert, 'tls certificate'), key: readPem(options.tlsKey, 'tls key') } : null;
  privateDirectory(options.dataDir);
  const store = await openStore(options.database ?? `sqlite:${join(options.dataDir, 'plantgate.db')}`);
  const box = secretBox(loadMasterKey(join(options.dataDir, 'master.key')));
  tightenFile(join(options.dataDir, 'master.key'));
  const retention = resolveRetention({ days: options.audit?.retentionDays, allowBelowMinimum: options.audit?.allowRetentionBelow730Days });
  if (!retention.ok) throw new Error(retention.problem);
  const auditStore = await openAuditStore(store.url);
  const addressing = await loadAddressing(store.db, options);
  const serviceKey = await loadServiceKey(store.db, box);
  if (options.proxyDomain) await ensureProxyCookieKey(store.db, box);
  await ensurePlatformOperator(store.db, { email: options.adminEmail, password: options.adminPassword }, print);
  const fleet = new FleetState(
    store,
    () => ({
      servicePublicKey: serviceKey.publicKey,
      serviceTunnelIp: formatIpv4(addressing.serviceTunnelIp),
      tunnelRange: formatCidr(addressing.tunnelRange),
      mappedSpace: formatCidr(addressing.mappedSpace),
    }),
    { onError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'fleet state sync') },
  );
  await fleet.load();
  const daemonStatus = new DaemonStatusBuffer(
    store.db,
    15_000,
    (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'daemon status flush'),
    new SessionRecorder(store.db),
  );
  const ctx: AppContext = {
    store,
    fleet,
    box,
    addressing,
    servicePublicKey: serviceKey.publicKey,
    now: () => new Date(),
    routeViewCache: new RouteViewCache(),
    // The clock reads ctx.now, so tests that move ctx.now move the backoff with it.
    guard: new AttemptGuard(options.authLimits ?? guardLimitsFromEnv(process.env), () => ctx.now().getTime()),
    daemonStatus,
    serviceName: options.serviceName ? zoneName(options.serviceName) : null,
    proxy: options.proxyDomain ? { domain: options.proxyDomain, port: options.proxyPort === undefined ? 443 : Number(options.proxyPort) } : null,
    audit: {
      store: auditStore,
      key: await loadAuditKey(auditStore.db, box, new Date()),
      retentionDays: retention.days,
      operatorsMayRead: options.audit?.operatorsMayRead === true,
      checkpointIntervalMs: options.audit?.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    },
  };
  if (ctx.proxy) fleet.setProxySource(proxySectionSource(ctx));
  const maintenance = startAuditMaintenance(ctx, options.audit?.maintenanceIntervalMs ?? 600_000, (err) =>
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'audit maintenance'),
  );
  const streaming = startSiemStreaming(ctx, options.audit?.sinks ?? [], options.audit?.streaming ?? {}, (msg, fields) => logger.warn(fields, msg));
  const app = createApp(ctx, logger);
  const metrics = new ServerMetrics({
    processMetrics: true,
    sources: { revision: () => fleet.currentRevision(), waiting: () => fleet.waitingCounts(), dbQueries: () => store.queryCount() },
  });
  const routes = [
    ...allRoutes.map((def) => ({ method: def.method, pattern: `/api/v1${def.path}` })),
    { method: 'GET', pattern: '/healthz' },
    { method: 'GET', pattern: '/api/openapi.json' },
  ];
  const fetch = observeRequests(app.fetch, { logger, metrics, routeOf: routeMatcher(routes), metricsToken: options.metricsToken });
  const { hostname, port } = parseListen(options.listen);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = tls
      ? serve({ fetch, hostname, port, createServer: createHttpsServer, serverOptions: tls }, () => resolve(s))
      : serve({ fetch, hostname, port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, engine: store.engine, revision: fleet.currentRevision() }, 'plantgate control plane listening');
  const dns = options.serviceName && options.dnsListen ? await startDns(ctx, options, logger, server) : null;
  return {
    url,
    ctx,
    dns,
    close: async () => {
      await dns?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      maintenance.stop();
      await streaming.stop();
      await daemonStatus.close().catch(() => undefined);
      await fleet.close();
      await store.close();
      await auditStore.close();
    },
  };
}

async function startDns(ctx: AppContext, options: ServerOptions, logger: ReturnType<typeof createPinoLogger>, http: ReturnType<typeof serve>): Promise<RunningDns> {
  const nameservers = (options.dnsNameservers ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  try {
    const dns = await startDnsResponder(ctx, { serviceName: options.serviceName as string, listen: options.dnsListen as string, nameservers }, (err) =>
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'dns responder'),
    );
    logger.info({ serviceName: ctx.serviceName, udp: dns.udpPort, tcp: dns.tcpPort }, 'dns responder listening');
    return dns;
  } catch (error) {
    http.close();
    throw new Error(`--dns-listen ${options.dnsListen}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function parseListen(listen: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  if (!m) throw new Error(`--listen: "${listen}" is not HOST:PORT`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`--listen: port ${port} is out of range`);
  return { hostname: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}
