import type { AgentDirectVpn, DirectVpnStatusReport } from '../core/wire/daemon.ts';

/**
 * Issue 9: one runner per kind of tunnel (WireGuard here; OpenVPN client and server by the
 * OpenVPN runner). Each takes the direct VPNs of its protocol out of the whole list and
 * leaves the others alone. The agent applies and reports through the list of runners, so a
 * new kind of tunnel is one more entry in that list (AgentApplier), nothing else.
 */
export type DirectVpnApplyResult = { changes: string[]; failed: string[] };

export interface DirectVpnTunnelRunner {
  /** Direct VPNs an earlier run applied (its saved document): rebuilt if still wanted, removed if not. */
  adopt(vpns: AgentDirectVpn[]): void;
  /** `observe`: check each running tunnel still exists (reconcile, restart) and rebuild it if not. */
  apply(vpns: AgentDirectVpn[], observe: boolean): Promise<DirectVpnApplyResult>;
  /** The interfaces it made (removed with the agent's own on stop). */
  interfaces(): string[];
  /** D7: one report per direct VPN of the last applied document that it runs (or failed to start). */
  status(nowMs: number): Promise<DirectVpnStatusReport[]>;
}

/** At most this many reports per agent (the wire schema's bound). */
const MAX_REPORTS = 64;

export async function applyRunners(runners: readonly DirectVpnTunnelRunner[], vpns: AgentDirectVpn[], observe: boolean): Promise<DirectVpnApplyResult> {
  const changes: string[] = [];
  const failed: string[] = [];
  for (const runner of runners) {
    const result = await runner.apply(vpns, observe);
    changes.push(...result.changes);
    failed.push(...result.failed);
  }
  return { changes, failed };
}

/** Every runner's reports; one runner that cannot report costs only its own. */
export async function statusOfRunners(runners: readonly DirectVpnTunnelRunner[], nowMs: number): Promise<DirectVpnStatusReport[]> {
  const all = await Promise.all(runners.map((runner) => runner.status(nowMs).catch(() => [] as DirectVpnStatusReport[])));
  return all.flat().slice(0, MAX_REPORTS);
}
