import type { AgentDesiredState } from '../core/wire/daemon.ts';
import type { IpConfigDriver } from '../os/ip/ip-config-driver.ts';
import type { NftDriver } from '../os/nft/nft-driver.ts';
import type { WireGuardDriver } from '../os/wireguard/wireguard-driver.ts';
import { canonicalAddress } from '../core/net/ipv4.ts';
import { DEFAULT_TABLE_NAME } from '../os/nft/nft-names.ts';
import type { WireGuardKeyPair } from '../crypto/wireguard-keys.ts';
import { type AgentInterfaces, renderAgentRuleset } from './nft-ruleset.ts';
import { samePeerConfig, type WireGuardPeerConfig } from '../os/wireguard/wireguard-peer.ts';
import type { PeerPlan } from '../os/wireguard/peer-plan.ts';
import type { DirectVpnStatusReport } from '../core/wire/daemon.ts';
import type { NetProbe } from '../os/probe/net-probe.ts';
import { DirectVpnRunner, directVpnInterfaceNames, hostedInterfaces } from './direct-vpns.ts';
import { applyRunners, type DirectVpnTunnelRunner, statusOfRunners } from './tunnel-runner.ts';
import { isOpenVpn, OpenVpnRunner, type OpenVpnRunnerDeps } from './openvpn-vpns.ts';
import { endpointChecks } from './endpoint-checks.ts';

/** One lookup, one ping, one TCP connect per remote, each bounded by this. */
const ENDPOINT_CHECK_TIMEOUT_MS = 2000;
import { type AgentApplyPlan, type AgentObserved, canonicalTranslationKey, desiredGatewayPeers, isLiteralEndpoint, planAgentApply } from './plan.ts';

/**
 * The agent's thin imperative shell (AgentApplier): plan, run the plan (nft before peers,
 * as on the gateway), then the tunnel's address and the routes to every gateway's site
 * address. Like the gateway, it plans an update against what it last applied and reads the
 * data plane back (wg show dump, nft -j, ip) only on the first apply, when asked
 * (reconnect, reconcile, restore: drift is repaired), and after a failed run.
 *
 * Peers are applied so that one bad gateway cannot stop the others (issue 7 item 5): the
 * agent's peers normally go in one `wg set`/`wg syncconf`, which fails as a whole when one
 * endpoint name does not resolve; then the peers with literal addresses are applied
 * together and every named one on its own, and those that fail are left out and reported.
 */

export type AgentDataPlane = {
  wireguard: WireGuardDriver;
  nft: NftDriver;
  ip: IpConfigDriver;
  ifaces: AgentInterfaces;
  tableName?: string;
  /** The agent's own key pair (the tunnel interface's). */
  key: WireGuardKeyPair;
  /** Diagnose checks and discovery (D7, D11); without it no checks run. */
  probe?: NetProbe;
  now?: () => number;
  /** Issue 9: runs OpenVPN direct VPNs; absent, they are reported as not started. */
  openvpn?: Omit<OpenVpnRunnerDeps, 'ip'>;
};

export async function observeAgent(plane: AgentDataPlane): Promise<AgentObserved> {
  const [tunnel, nft] = await Promise.all([plane.wireguard.readDump(plane.ifaces.tunnel), plane.nft.readTable(plane.tableName ?? DEFAULT_TABLE_NAME)]);
  return { tunnel, nft };
}

export type AgentApplyReport = {
  plan: AgentApplyPlan;
  observed: boolean;
  /** What changed, for the log (empty: nothing). */
  changes: string[];
  /** Gateways whose peer could not be applied (left out this time, tried again on the next apply); direct VPNs that did not start. */
  failedPeers: string[];
};

type AgentView = {
  peers: Map<string, WireGuardPeerConfig>;
  /** Peers that failed, as they were asked for: not tried again until they change or the next read-back (reconcile). */
  failed: Map<string, { config: WireGuardPeerConfig; error: string }>;
  translations: string;
  ip: string;
};

export class AgentApplier {
  private readonly plane: AgentDataPlane;
  private view: AgentView | null = null;
  /** One runner per kind of direct VPN tunnel: a new kind is one more entry here. */
  private readonly runners: DirectVpnTunnelRunner[];
  private readonly openVpns: OpenVpnRunner | null;

  constructor(plane: AgentDataPlane) {
    this.plane = plane;
    const probe = plane.probe;
    this.openVpns = plane.openvpn
      ? new OpenVpnRunner({
          ...plane.openvpn,
          ip: plane.ip,
          // D7: while down, the remotes are checked like a WireGuard endpoint (resolves, ping, TCP port)
          ...(probe ? { checkEndpoint: async (endpoint) => (await endpointChecks(endpoint, probe, ENDPOINT_CHECK_TIMEOUT_MS)).checks } : {}),
        })
      : null;
    this.runners = [new DirectVpnRunner(plane.wireguard, plane.ip, { probe: plane.probe, now: plane.now }), ...(this.openVpns ? [this.openVpns] : [])];
  }

  /** Stops every openvpn this agent started (the daemon's stop; their files removed). */
  async stopOpenVpns(): Promise<void> {
    await this.openVpns?.stopAll();
  }

  /** Direct VPNs of the saved document of an earlier run (removed on the first apply if no longer wanted). */
  adoptDirectVpns(vpns: AgentDesiredState['directVpns']): void {
    for (const runner of this.runners) runner.adopt(vpns);
  }

  /** The direct VPN interfaces running now (removed with the agent's own on stop). */
  directVpnInterfaces(): string[] {
    return this.runners.flatMap((runner) => runner.interfaces()).sort();
  }

  /** D7: every direct VPN's live state, for the status report. */
  directVpnStatus(nowMs: number): Promise<DirectVpnStatusReport[]> {
    return statusOfRunners(this.runners, nowMs);
  }

  invalidate(): void {
    this.view = null;
  }

  /** `desired` must be checked already (checkAgentState). `observe`: read the data plane back first. */
  async apply(desired: AgentDesiredState, { observe = false }: { observe?: boolean } = {}): Promise<AgentApplyReport> {
    try {
      return await this.run(desired, observe || this.view === null);
    } catch (error) {
      this.view = null;
      throw error;
    }
  }

  private async run(desired: AgentDesiredState, observe: boolean): Promise<AgentApplyReport> {
    const { wireguard, ifaces } = this.plane;
    const table = this.plane.tableName ?? DEFAULT_TABLE_NAME;
    const changes: string[] = [];
    let plan: AgentApplyPlan;
    const peers = desiredGatewayPeers(desired);
    if (observe) {
      const observed = await observeAgent(this.plane);
      if (observed.tunnel && observed.tunnel.interface.publicKey !== this.plane.key.publicKey) {
        // an interface of that name left by an earlier run with another key: made ours
        await wireguard.setPrivateKey(ifaces.tunnel, this.plane.key.privateKey, null);
        changes.push('tunnel key set');
      }
      plan = planAgentApply(desired, ifaces, observed);
    } else {
      const view = this.view as AgentView;
      plan = {
        createTunnel: false,
        peers: planAgainst(
          view.peers,
          // a name that did not resolve costs wg seconds of retries: an update does not try it again
          peers.filter((peer) => {
            const failed = view.failed.get(peer.publicKey);
            return failed === undefined || !samePeerConfig(failed.config, peer);
          }),
          view.failed,
        ),
        nft: nftKey(desired) === view.translations ? { kind: 'unchanged' } : { kind: 'reload', reasons: ['translations or direct VPNs changed'] },
      };
    }
    if (plan.createTunnel) {
      await wireguard.createInterface({ name: ifaces.tunnel, privateKey: this.plane.key.privateKey, listenPort: null, addresses: [], routes: [] });
      changes.push(`created ${ifaces.tunnel}`);
    }
    if (plan.nft.kind === 'reload') {
      await this.plane.nft.applyScript(renderAgentRuleset(desired.translations, ifaces, table, directVpnInterfaceNames(desired.directVpns), hostedInterfaces(desired.directVpns)));
      changes.push(`nft reloaded (${plan.nft.reasons.slice(0, 3).join('; ')})`);
    }
    const failedNow = await runPeerPlanTolerant(wireguard, ifaces.tunnel, plan.peers);
    // still failing from before (not tried by this update), or failed now
    const failed = new Map<string, string>();
    if (!observe) {
      for (const [key, entry] of this.view?.failed ?? []) {
        if (peers.some((peer) => peer.publicKey === key && samePeerConfig(peer, entry.config))) failed.set(key, entry.error);
      }
    }
    for (const [key, error] of failedNow) failed.set(key, error);
    if (plan.peers.kind === 'set') changes.push(`gateway peers -${plan.peers.remove.length} ~${plan.peers.upsert.length - failedNow.size}`);
    else if (plan.peers.kind === 'sync') changes.push(`gateway peers synced (${plan.peers.peers.length - failedNow.size})`);

    const ip = { address: `${canonicalAddress(desired.agent.tunnelIp)}/32`, routes: desired.gateways.map((gateway) => `${gateway.siteTunnelIp}/32`) };
    const ipKey = JSON.stringify(ip);
    if (observe || this.view?.ip !== ipKey) {
      const ipChanges = [...(await this.plane.ip.syncAddresses(ifaces.tunnel, [ip.address])), ...(await this.plane.ip.syncRoutes(ifaces.tunnel, ip.routes))];
      if (ipChanges.length > 0) changes.push(`ip ${ipChanges.join(' ')}`);
    }
    // The view: what is now applied; a failed peer is not, so the next apply tries it again.
    const applied = new Map<string, WireGuardPeerConfig>();
    const failedConfigs = new Map<string, { config: WireGuardPeerConfig; error: string }>();
    for (const peer of peers) {
      const error = failed.get(peer.publicKey);
      if (error === undefined) applied.set(peer.publicKey, peer);
      else failedConfigs.set(peer.publicKey, { config: peer, error });
    }
    const direct = await applyRunners(this.runners, desired.directVpns, observe);
    changes.push(...direct.changes);
    if (this.openVpns === null) {
      for (const vpn of desired.directVpns.filter(isOpenVpn)) direct.failed.push(`direct VPN ${vpn.name} not started: OpenVPN is not available on this agent`);
    }
    this.view = { peers: applied, failed: failedConfigs, translations: nftKey(desired), ip: ipKey };
    const names = new Map(desired.gateways.map((gateway) => [gateway.publicKey, gateway]));
    const failedPeers = [...failed].map(([key, error]) => {
      const gateway = names.get(key);
      return `gateway ${gateway?.name ?? key} (${gateway?.endpoint ?? '?'}) not applied: ${error}`;
    });
    return { plan, observed: observe, changes, failedPeers: [...failedPeers, ...direct.failed] };
  }
}

/** What the agent's table is rendered from: the translations and the direct VPN interfaces. */
function nftKey(desired: AgentDesiredState): string {
  return `${canonicalTranslationKey(desired.translations)}|${directVpnInterfaceNames(desired.directVpns).join(',')}|${JSON.stringify(hostedInterfaces(desired.directVpns))}`;
}

function planAgainst(applied: Map<string, WireGuardPeerConfig>, desired: WireGuardPeerConfig[], failed: Map<string, unknown>): PeerPlan {
  const keys = new Set(desired.map((peer) => peer.publicKey));
  const remove = [...applied.keys()].filter((key) => !keys.has(key) && !failed.has(key)).sort();
  const upsert = desired.filter((peer) => {
    const current = applied.get(peer.publicKey);
    return current === undefined || !samePeerConfig(current, peer);
  });
  return remove.length === 0 && upsert.length === 0 ? { kind: 'unchanged' } : { kind: 'set', remove, upsert };
}

/**
 * Runs a peer plan; when the one `wg` call fails, applies the peers with literal endpoints
 * together and each named one alone. Returns the peers that could not be applied (key →
 * error). Rejects only when even the literal part fails (then nothing here is peer-specific).
 */
export async function runPeerPlanTolerant(wireguard: WireGuardDriver, iface: string, plan: PeerPlan): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  if (plan.kind === 'unchanged') return failed;
  try {
    if (plan.kind === 'set') await wireguard.changePeers(iface, { remove: plan.remove, upsert: plan.upsert });
    else await wireguard.syncPeers(iface, plan.peers);
    return failed;
  } catch (error) {
    const peers = plan.kind === 'set' ? plan.upsert : plan.peers;
    const named = peers.filter((peer) => peer.endpoint && !isLiteralEndpoint(peer.endpoint));
    if (named.length === 0) throw error;
    const literal = peers.filter((peer) => !named.includes(peer));
    if (plan.kind === 'set') await wireguard.changePeers(iface, { remove: plan.remove, upsert: literal });
    else await wireguard.syncPeers(iface, literal);
    for (const peer of named) {
      try {
        await wireguard.changePeers(iface, { remove: [], upsert: [peer] });
      } catch (peerError) {
        failed.set(peer.publicKey, shortError(peerError));
      }
    }
    return failed;
  }
}

function shortError(error: unknown): string {
  const text = error instanceof Error ? ((error as Error & { stderr?: string }).stderr?.trim() || error.message) : String(error);
  return text.split('\n').slice(-1)[0].slice(0, 300);
}
