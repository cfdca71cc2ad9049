import type { AgentDesiredState, AgentDiscoveryResult, DaemonStatusReport, EnrolResponse, GatewaySecrets, GatewayOpenVpnMaterial } from '../core/wire/daemon.ts';
import type { FlowBatch, FlowBatchAck } from '../core/wire/audit.ts';
import type { GatewayStateMessage } from '../core/wire/gateway-delta.ts';

/**
 * Ports: what a daemon asks of the control plane. HttpControlPlane (http-control-plane.ts)
 * is the real one; unit tests use small fakes. Every call rejects with ControlPlaneError.
 */

export interface EnrolmentApi {
  /** Trades a show-once enrolment token for the daemon's own credential. */
  enrol(token: string, name?: string): Promise<EnrolResponse>;
}

/** A long-poll: answers at once when the revision moved past `after` (or `after` is null), else within `waitSeconds`. */
export type StateRequest = { after: number | null; waitSeconds: number; signal?: AbortSignal };

export interface GatewayControlPlane {
  register(registration: { sitePublicKey: string; siteEndpoint: string }): Promise<{ siteTunnelIp: string }>;
  secrets(): Promise<GatewaySecrets>;
  /** The OpenVPN servers' CA, certificate, key, tls-crypt key and CRL (issue 11); absent on control planes without it. */
  openvpn?(): Promise<GatewayOpenVpnMaterial>;
  /** The full document on (re)connect (`after` null) or when too far behind, else a delta since `after`. */
  state(request: StateRequest): Promise<GatewayStateMessage>;
  status(report: DaemonStatusReport): Promise<void>;
  /** Delivers a batch of flow records (audit trail); a retry of the same batch id answers the same acknowledgement. */
  flows?(batch: FlowBatch): Promise<FlowBatchAck>;
}

export interface AgentControlPlane {
  register(registration: { publicKey: string }): Promise<{ tunnelIp: string }>;
  state(request: StateRequest): Promise<AgentDesiredState>;
  status(report: DaemonStatusReport): Promise<void>;
  /** D11: the answer to a discovery request of the agent's document. */
  discoveryResult?(id: string, result: AgentDiscoveryResult): Promise<void>;
  /** Flow records of the hosted direct VPNs' clients (audit trail), as the gateway's `flows`. */
  flows?(batch: FlowBatch): Promise<FlowBatchAck>;
}

/** status 0: not reached at all (refused, timeout, DNS); else the HTTP status. */
export class ControlPlaneError extends Error {
  readonly status: number;
  readonly code: string | null;

  constructor(status: number, message: string, code: string | null = null) {
    super(message);
    this.name = 'ControlPlaneError';
    this.status = status;
    this.code = code;
  }

  /** Worth retrying: unreachable, overloaded or broken for now. A 4xx will not heal by itself. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export function isTransient(error: unknown): boolean {
  return !(error instanceof ControlPlaneError) || error.transient;
}
