import type { GatewayProxySession, GatewayProxyTarget } from '../../core/wire/gateway-state.ts';

/**
 * What the browser proxy takes from the gateway's desired document (`proxy` section,
 * src/core/wire/gateway-state.ts, docs/browser-proxy.md): the web targets served in this
 * region and the open proxy sessions.
 */

/** `deviceIp`: the device's real address, when known, so redirects naming it are rewritten too. */
export type ProxyTargetEntry = GatewayProxyTarget & { deviceIp?: string | null };

export type ProxySessionEntry = GatewayProxySession;

export type ProxyDocumentPart = {
  targets: readonly ProxyTargetEntry[];
  sessions: readonly ProxySessionEntry[];
};
