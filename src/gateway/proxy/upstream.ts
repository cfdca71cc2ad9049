import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import type { ProxyTargetEntry } from './proxy-document.ts';

/**
 * How the proxy reaches devices (issue 12 item 3). Devices are old and unmanaged: their
 * certificates are self-signed or expired (never verified — the site tunnel and the mapped
 * address are what authenticate the device), and many speak only TLS 1.0/1.1 with ciphers
 * OpenSSL 3 refuses at its default security level. `@SECLEVEL=0` lets OpenSSL offer them
 * again; it is set only on these agents, never on the proxy's own listener.
 */
export const LEGACY_TLS: AgentOptions = {
  rejectUnauthorized: false,
  minVersion: 'TLSv1',
  ciphers: 'DEFAULT:@SECLEVEL=0',
};

export type Upstream = { http: HttpAgent; https: HttpsAgent; wsHttp: HttpAgent; wsHttps: HttpsAgent };

/** Pooled agents for requests; unpooled ones for WebSocket upgrades (an upgraded socket leaves the pool anyway). */
export function upstreamAgents(maxSocketsPerDevice = 16): Upstream {
  const pooled = { keepAlive: true, maxSockets: maxSocketsPerDevice, maxFreeSockets: 4, timeout: 60_000 };
  return {
    http: new HttpAgent(pooled),
    https: new HttpsAgent({ ...pooled, ...LEGACY_TLS }),
    wsHttp: new HttpAgent({ keepAlive: false }),
    wsHttps: new HttpsAgent({ keepAlive: false, ...LEGACY_TLS }),
  };
}

export function destroyAgents(upstream: Upstream): void {
  for (const agent of Object.values(upstream)) agent.destroy();
}

/** The device's base URL through its mapped address (unique per plant, so overlapping plant subnets never mix). */
export function upstreamUrl(target: ProxyTargetEntry, websocket = false): string {
  const scheme = websocket ? (target.scheme === 'https' ? 'wss' : 'ws') : target.scheme;
  return `${scheme}://${target.mappedAddress}:${target.port}`;
}
