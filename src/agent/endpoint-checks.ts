import type { DirectVpnStatusReport } from '../core/wire/daemon.ts';
import type { NetProbe } from '../os/probe/net-probe.ts';

/**
 * Diagnose checks of an endpoint the agent dials (D7), shared by every tunnel runner:
 * the name resolves from the plant, the address answers ping, and for TCP the port accepts a
 * connection. Each failed check says what to fix. Bounded: one lookup, one ping, one connect.
 */

export type Check = NonNullable<DirectVpnStatusReport['checks']>[number];

export type Endpoint = { host: string; port: number; transport: 'udp' | 'tcp' };

/** The checks, and the first address (null when the name does not resolve). */
export async function endpointChecks(endpoint: Endpoint, probe: NetProbe, timeoutMs: number): Promise<{ checks: Check[]; address: string | null }> {
  const checks: Check[] = [];
  const addresses = await probe.resolve(endpoint.host, timeoutMs);
  if (addresses.length === 0) {
    checks.push({ check: 'endpoint-resolves', ok: false, detail: `${endpoint.host} does not resolve from the plant`, fix: "correct the router's address (the endpoint / remote) or the plant network's DNS" });
    return { checks, address: null };
  }
  checks.push({ check: 'endpoint-resolves', ok: true, detail: `${endpoint.host} is ${addresses.slice(0, 3).join(', ')}`, fix: null });
  const address = addresses[0] as string;
  const ping = await probe.ping(address, timeoutMs);
  checks.push(
    ping.ok
      ? { check: 'endpoint-reachable', ok: true, detail: `${address} answers ping${ping.rttMs !== null ? ` (${ping.rttMs} ms)` : ''}`, fix: null }
      : {
          check: 'endpoint-reachable',
          ok: false,
          detail: `${address} does not answer ping from the plant`,
          fix: `check that the router at ${address} is on and reachable from the agent's network (uplink, firewall); a router that drops ping may still answer its VPN port — see the next checks`,
        },
  );
  if (endpoint.transport === 'tcp') {
    const open = await probe.tcpConnect(address, endpoint.port, timeoutMs);
    checks.push(
      open
        ? { check: 'endpoint-port', ok: true, detail: `${address}:${endpoint.port}/tcp accepts connections`, fix: null }
        : {
            check: 'endpoint-port',
            ok: false,
            detail: `${address}:${endpoint.port}/tcp does not accept a connection`,
            fix: `check that the router's VPN server listens on TCP ${endpoint.port} and that the port is open or forwarded to it`,
          },
    );
  }
  return { checks, address };
}
