import { formatCidr, maskOf, parseIpv4 } from '../core/net/ipv4.ts';
import type { AgentDesiredState } from '../core/wire/daemon.ts';
import type { Clock } from '../daemon/clock.ts';
import type { AgentControlPlane } from '../daemon/control-plane.ts';
import { FlowAccounting } from '../daemon/flow-accounting.ts';
import { FlowCapture } from '../daemon/flow-capture.ts';
import { FlowSpool, type SpoolFiles } from '../daemon/flow-spool.ts';
import type { Logger } from '../daemon/log.ts';
import type { MetricsRegistry } from '../daemon/metrics.ts';
import type { StateStore } from '../daemon/state-store.ts';
import type { ConntrackSource } from '../os/conntrack/conntrack-source.ts';

/**
 * Issue 10 item 2: a hosted direct VPN's clients reach the plant through the agent only (no
 * gateway sees them), so the agent captures their flows the way the gateway captures its
 * users': conntrack events whose source is a hosted server's tunnel network, byte accounting,
 * a report every window (long flows too), spooled on disk while the control plane is away,
 * lost events as gaps. The control plane attributes each record to the client owning the
 * tunnel address and to this agent's plant only.
 */

/** The tunnel networks of the hosted servers in the desired state (WireGuard: the server address's network; OpenVPN: `network`). */
export function hostedTunnelNetworks(state: AgentDesiredState | null): string[] {
  const networks = new Set<string>();
  for (const vpn of state?.directVpns ?? []) {
    if (vpn.direction !== 'hosted') continue;
    const texts = vpn.protocol === 'wireguard' ? vpn.addresses : 'network' in vpn ? [vpn.network] : [];
    for (const text of texts) {
      const [address, length] = text.split('/');
      const ip = parseIpv4(address ?? '');
      const bits = Number(length ?? 32);
      if (ip === null || !Number.isInteger(bits) || bits < 8 || bits > 32) continue;
      networks.add(formatCidr({ start: maskOf(ip, bits), length: bits }));
    }
  }
  return [...networks].sort();
}

export type ClientFlowPorts = {
  conntrack: ConntrackSource;
  files: SpoolFiles;
  store: StateStore;
  clock: Clock;
  log: Logger;
  random?: () => number;
  metrics: { registry: MetricsRegistry; prefix: string };
};

export function clientFlowCapture(agentId: string, options: { reportMs: number; maxSpoolBatches?: number }, ports: ClientFlowPorts, api: AgentControlPlane) {
  if (api.flows === undefined) return null;
  const accounting = new FlowAccounting({ daemonId: agentId });
  const spool = new FlowSpool({
    daemonId: agentId,
    kind: 'agent',
    files: ports.files,
    upload: api.flows.bind(api),
    now: () => ports.clock.now(),
    random: ports.random ?? Math.random,
    log: ports.log,
    maxBatches: options.maxSpoolBatches,
  });
  const capture = new FlowCapture({
    daemonId: agentId,
    kind: 'agent',
    source: ports.conntrack,
    accounting,
    spool,
    clock: ports.clock,
    log: ports.log,
    intervalMs: options.reportMs,
    openFlows: { load: () => ports.store.read('flow-open'), save: (snapshot) => ports.store.write('flow-open', snapshot) },
    metrics: ports.metrics.registry,
    metricsPrefix: `${ports.metrics.prefix}_client_flow`,
  });
  return { accounting, capture };
}
