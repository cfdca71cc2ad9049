import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { formatCidr, formatIpv4 } from '../core/net/ipv4.ts';
import { ensurePlatformOperator, loadAddressing, loadServiceKey } from './bootstrap.ts';
import type { AppContext } from './context.ts';
import { openStore } from './db/connect.ts';
import { FleetState } from './fleet/fleet-state.ts';
import { DaemonStatusBuffer } from './daemons/status-buffer.ts';
import { createApp } from './http/app.ts';
import { loadMasterKey, secretBox } from './secrets/secret-box.ts';
import { RouteViewCache } from './vpn/routes-view.ts';

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
};

export type RunningServer = { url: string; ctx: AppContext; close(): Promise<void> };

export async function startServer(options: ServerOptions, print: (line: string) => void = console.log): Promise<RunningServer> {
  const logger = pino({ level: options.quiet ? 'warn' : 'info', redact: ['*.password', '*.token', '*.privateKey', 'req.headers.authorization'] });
  const store = await openStore(options.database ?? `sqlite:${join(options.dataDir, 'plantgate.db')}`);
  const box = secretBox(loadMasterKey(join(options.dataDir, 'master.key')));
  const addressing = await loadAddressing(store.db, options);
  const serviceKey = await loadServiceKey(store.db, box);
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
  const daemonStatus = new DaemonStatusBuffer(store.db, 15_000, (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'daemon status flush'));
  const ctx: AppContext = {
    store,
    fleet,
    box,
    addressing,
    servicePublicKey: serviceKey.publicKey,
    now: () => new Date(),
    routeViewCache: new RouteViewCache(),
    daemonStatus,
  };
  const app = createApp(ctx, logger);
  const { hostname, port } = parseListen(options.listen);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname, port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, engine: store.engine, revision: fleet.currentRevision() }, 'plantgate control plane listening');
  return {
    url,
    ctx,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await daemonStatus.close().catch(() => undefined);
      await fleet.close();
      await store.close();
    },
  };
}

export function parseListen(listen: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  if (!m) throw new Error(`--listen: "${listen}" is not HOST:PORT`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`--listen: port ${port} is out of range`);
  return { hostname: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}
