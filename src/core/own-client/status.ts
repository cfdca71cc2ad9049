import { formatBytes } from '../render/format-bytes.ts';

/**
 * What `plantgate vpn status --json` prints while the own client runs (issue 11 contract):
 * written by the supervising process into its state file, read by `vpn status`.
 */
export type OwnClientRoute = { plant: string; subnet: string; mapped: string; native: boolean };

export type OwnClientStatus = {
  region: string | null;
  gateway: string | null;
  endpoint: string | null;
  /** ISO time of the last handshake; null: none yet. */
  lastHandshake: string | null;
  bytesIn: number;
  bytesOut: number;
  routes: OwnClientRoute[];
};

/** The state file: the status plus what `vpn down` needs (never a key). */
export type OwnClientState = OwnClientStatus & {
  pid: number;
  interface: string;
  config: string;
  phase: 'starting' | 'up' | 'failed';
  /** Why the start failed (phase 'failed'). */
  error: string | null;
  /** The AllowedIPs in effect on the interface now (the file's at start, the control plane's after). */
  allowedIps: string[];
  failovers: number;
  updatedAt: string;
};

export function statusOf(state: OwnClientState): OwnClientStatus {
  const { region, gateway, endpoint, lastHandshake, bytesIn, bytesOut, routes } = state;
  return { region, gateway, endpoint, lastHandshake, bytesIn, bytesOut, routes };
}

/** Human form: one block about the tunnel, then one line per route (like `tailscale status`). */
export function renderOwnClientStatus(state: OwnClientState, now: Date): string {
  const handshake = state.lastHandshake ? `${Math.max(0, Math.round((now.getTime() - Date.parse(state.lastHandshake)) / 1000))} s ago` : 'none yet';
  const head = [
    `interface   ${state.interface} (pid ${state.pid}, config ${state.config})`,
    `region      ${state.region ?? 'unknown'}${state.gateway ? `, gateway ${state.gateway}` : ''}`,
    `endpoint    ${state.endpoint ?? 'none'}${state.failovers ? ` (${state.failovers} failover${state.failovers === 1 ? '' : 's'})` : ''}`,
    `handshake   ${handshake}`,
    `bytes       in ${formatBytes(state.bytesIn)}, out ${formatBytes(state.bytesOut)}`,
  ];
  const routes =
    state.routes.length === 0
      ? ['routes      none: your permissions open no plant subnet']
      : ['routes', ...state.routes.map((r) => `  ${r.plant.padEnd(20)} ${r.subnet.padEnd(18)} mapped ${r.mapped.padEnd(18)} ${r.native ? 'native' : 'mapped only'}`)];
  return [...head, ...routes].join('\n');
}
