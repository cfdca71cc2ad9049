import { AgentDesiredState } from '../core/wire/daemon.ts';
import type { AgentControlPlane } from '../daemon/control-plane.ts';
import { loadOrCreateKeyPair, loadOrEnrol } from '../daemon/identity.ts';
import { errorMessage } from '../daemon/log.ts';
import { isConnected, peerStatuses } from '../daemon/peer-status.ts';
import type { DaemonPorts } from '../daemon/ports.ts';
import { statusReport } from '../daemon/status-report.ts';
import { SyncLoop, type SyncLoopOptions } from '../daemon/sync-loop.ts';
import type { RunningDaemon } from '../daemon/running-daemon.ts';
import { type AgentDataPlane, AgentApplier } from './apply.ts';
import { checkAgentState } from './desired-checks.ts';
import { loadContact, saveContact } from '../daemon/contact.ts';
import type { AgentInterfaces } from './nft-ruleset.ts';
import type { OpenVpnDriver } from '../os/openvpn/openvpn-driver.ts';
import { DiscoveryQueue } from './discovery.ts';
import type { ConntrackSource } from '../os/conntrack/conntrack-source.ts';
import type { SpoolFiles } from '../daemon/flow-spool.ts';
import { clientFlowCapture, hostedTunnelNetworks } from './client-flows.ts';

/**
 * The plant agent daemon: enrol once, register its public key at every (re)connect,
 * keep one site tunnel to every gateway of every region and the translation table
 * equal to the desired state (SyncLoop). Ports in, like the gateway daemon.
 */

export type AgentDaemonConfig = {
  token?: string;
  name?: string;
  ifaces: AgentInterfaces;
  table: string;
  keepOnExit: boolean;
  version: string;
  /** The agent's state dir: OpenVPN direct VPNs keep their configs (0600) under `<stateDir>/openvpn`. */
  stateDir?: string;
  loop?: Partial<SyncLoopOptions>;
  /** Flow capture of the hosted direct VPNs' clients for the audit trail (issue 10); off when absent. */
  flows?: { reportMs: number; maxSpoolBatches?: number };
};

/** `conntrack` and `flowSpool`: the client flow capture's source and spool directory (both needed for it to run). */
export type AgentDaemonPorts = DaemonPorts<AgentControlPlane> & { openvpn?: OpenVpnDriver; conntrack?: ConntrackSource; flowSpool?: SpoolFiles };

export async function startAgentDaemon(config: AgentDaemonConfig, ports: AgentDaemonPorts, signal?: AbortSignal): Promise<RunningDaemon> {
  const { store, log, clock, metrics } = ports;
  const identity = await loadOrEnrol({ kind: 'agent', store, enrolment: ports.enrolment, token: config.token, name: config.name, clock, log, signal });
  const key = await loadOrCreateKeyPair(store);
  const api = ports.controlPlane(identity);
  const savedParse = AgentDesiredState.safeParse(await store.read('desired-state'));
  const plane: AgentDataPlane = {
    wireguard: ports.wireguard,
    nft: ports.nft,
    ip: ports.ip,
    ifaces: config.ifaces,
    tableName: config.table,
    key,
    probe: ports.probe,
    now: () => clock.now(),
    ...(ports.openvpn && config.stateDir
      ? {
          openvpn: {
            openvpn: ports.openvpn,
            directory: `${config.stateDir}/openvpn`,
            now: () => clock.now(),
            schedule: (ms: number, run: () => void) => {
              const timer = setTimeout(run, ms);
              return () => clearTimeout(timer);
            },
            log: (message: string, fields?: Record<string, unknown>) => log.warn(message, fields ?? {}),
          },
        }
      : {}),
  };
  const gauges = {
    gateways: metrics.registry.gauge(`${metrics.prefix}_gateways`, 'Gateways in the desired state'),
    connected: metrics.registry.gauge(`${metrics.prefix}_gateways_connected`, 'Gateways with a handshake in the last 3 minutes'),
    handshakeAge: metrics.registry.gauge(`${metrics.prefix}_gateway_handshake_age_seconds`, 'Seconds since the last handshake per gateway (-1: never)'),
    translations: metrics.registry.gauge(`${metrics.prefix}_translations`, 'Mapped prefixes translated to the plant LAN'),
  };
  let forwardingChecked = false;
  let current: AgentDesiredState | null = savedParse.success ? savedParse.data : null;
  const applier = new AgentApplier(plane);
  if (current) applier.adoptDirectVpns(current.directVpns);
  const probe = ports.probe;
  const stopping = new AbortController();
  const discoveries =
    probe && api.discoveryResult
      ? new DiscoveryQueue(
          { probe, now: () => clock.now(), sleep: (ms) => clock.sleep(ms, stopping.signal), signal: stopping.signal },
          (id, result) => (api.discoveryResult as NonNullable<typeof api.discoveryResult>)(id, result),
          (id, error) => log.warn('discovery result not delivered', { id, error: errorMessage(error) }),
        )
      : null;
  const flows =
    config.flows && ports.conntrack && ports.flowSpool
      ? clientFlowCapture(identity.id, config.flows, { conntrack: ports.conntrack, files: ports.flowSpool, store, clock, log, random: ports.random, metrics }, api)
      : null;
  const trackHostedNetworks = () => flows?.accounting.setTunnelRanges(hostedTunnelNetworks(current));
  trackHostedNetworks();
  /** What the last apply left out (bad entries, gateways whose peer failed): reported in the status. */
  let problems: string[] = [];

  const loop = new SyncLoop<AgentDesiredState>(
    {
      clock,
      log,
      metrics,
      random: ports.random,
      onCredentialRejected: ports.onCredentialRejected,
      connect: async () => {
        const { tunnelIp } = await api.register({ publicKey: key.publicKey });
        log.info('registered', { tunnelIp, publicKey: key.publicKey });
      },
      // No older-answer guard here (unlike the gateway): an agent's revision is derived per
      // replica from its own model (agentRevision), not one counter shared by all replicas.
      fetch: (after, waitSeconds, fetchSignal) => api.state({ after, waitSeconds, signal: fetchSignal }),
      apply: async (received, reason, access) => {
        const checked = checkAgentState(received);
        // user access withdrawn (stale past the max age): no translation into the plant LAN; the tunnels stay
        const desired = access === 'withdrawn' ? { ...checked.state, translations: [] } : checked.state;
        const report = await applier.apply(desired, { observe: reason !== 'update' });
        const changes = report.changes;
        const nextProblems = [...checked.problems, ...report.failedPeers];
        if (nextProblems.join('\n') !== problems.join('\n') || (reason !== 'reconcile' && nextProblems.length > 0)) {
          for (const problem of nextProblems) log.warn('desired state entry not applied', { problem });
        }
        problems = nextProblems;
        if (!forwardingChecked) {
          if (await ports.ip.enableForwarding()) changes.push('ip_forward on');
          forwardingChecked = true;
        }
        current = received;
        trackHostedNetworks();
        // D11: each request runs once, in the background (the loop does not wait for probes)
        discoveries?.offer(received.discoveries);
        gauges.gateways.set({}, desired.gateways.length);
        gauges.translations.set({}, desired.translations.length);
        return changes.length === 0 ? null : changes.join('; ');
      },
      persist: (desired) => store.write('desired-state', desired),
      persistContact: (at) => saveContact(store, at),
      report: async (status) => {
        const dump = await ports.wireguard.readDump(config.ifaces.tunnel);
        const now = clock.now();
        const names = new Map((current?.gateways ?? []).map((gateway) => [gateway.publicKey, gateway.name]));
        gauges.handshakeAge.reset();
        for (const peer of dump?.peers ?? []) {
          gauges.handshakeAge.set({ gateway: names.get(peer.publicKey) ?? peer.publicKey }, peer.latestHandshake === 0 ? -1 : Math.max(0, Math.round(now / 1000 - peer.latestHandshake)));
        }
        gauges.connected.set({}, dump?.peers.filter((peer) => isConnected(peer.latestHandshake, now)).length ?? 0);
        const lastError = status.lastError ?? (problems.length > 0 ? problems.join('; ') : null);
        const directVpns = await applier.directVpnStatus(now);
        await api.status({ ...statusReport({ ...status, lastError }, config.version, peerStatuses(dump), now), ...(directVpns.length > 0 ? { directVpns } : {}) });
      },
    },
    config.loop,
  );
  loop.start(current, await loadContact(store));
  if (flows !== null) {
    try {
      await flows.capture.start();
      log.info('client flow capture started', { reportSeconds: (config.flows?.reportMs ?? 0) / 1000 });
    } catch (error) {
      // The tunnels matter more than the trail: the agent runs on, and says why loudly.
      log.error('client flow capture could not start: no flow records of hosted direct VPN clients from this agent', { error: errorMessage(error) });
    }
  }
  log.info('agent started', { id: identity.id, name: identity.name, plantId: identity.plantId, interfaces: config.ifaces, table: config.table });
  return {
    identity,
    loop: loop as SyncLoop<{ revision: number }>,
    stop: async () => {
      stopping.abort();
      // first: its conntrack child goes at once, even if what follows is cut short by a SIGKILL
      await flows?.capture.stop();
      await loop.stop();
      if (config.keepOnExit) {
        // openvpn children keep running too; the next start stops them by pid file (adopt).
        log.info('stopped; data plane left running (--keep-on-exit)');
        return;
      }
      await applier.stopOpenVpns().catch((error) => log.error('could not stop openvpn', { error: errorMessage(error) }));
      for (const iface of [config.ifaces.tunnel, ...applier.directVpnInterfaces()]) {
        await ports.wireguard.deleteInterface(iface).catch((error) => log.error('could not remove interface', { iface, error: errorMessage(error) }));
      }
      await ports.nft.deleteTable(config.table).catch((error) => log.error('could not remove nft table', { error: errorMessage(error) }));
      log.info('stopped; interface and table removed');
    },
  };
}
