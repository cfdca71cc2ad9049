import { deltaCompatible, diffGatewayStates } from '../../core/state/gateway-delta.ts';
import type { DaemonStatusReport, EnrolResponse, GatewaySecrets } from '../../core/wire/daemon.ts';
import type { GatewayStateMessage } from '../../core/wire/gateway-delta.ts';
import type { GatewayDesiredState } from '../../core/wire/gateway-state.ts';
import type { Clock } from '../clock.ts';
import { ControlPlaneError, type EnrolmentApi, type StateRequest } from '../control-plane.ts';

/**
 * A control plane for daemon unit tests: enrolment, registration, secrets, a desired
 * state with a real long-poll (on the test's clock), status reports; can be taken
 * down (`up = false`) to test fail static.
 */
export class FakeControlPlane<S extends { revision: number }> implements EnrolmentApi {
  up = true;
  readonly registrations: unknown[] = [];
  readonly reports: DaemonStatusReport[] = [];
  readonly stateRequests: Array<{ after: number | null; waitSeconds: number }> = [];
  enrolments = 0;
  secretsValue: GatewaySecrets | null = null;
  registerAnswer: Record<string, string> = {};
  private stateValue: S;
  /** Every revision published, for answering with deltas. */
  readonly history = new Map<number, S>();
  private readonly clock: Clock;
  private readonly enrolAnswer: EnrolResponse;
  private readonly validTokens: Set<string>;
  private waiters: Array<() => void> = [];

  constructor(clock: Clock, initial: S, enrolAnswer: EnrolResponse, token: string) {
    this.clock = clock;
    this.stateValue = initial;
    this.history.set(initial.revision, initial);
    this.enrolAnswer = enrolAnswer;
    this.validTokens = new Set([token]);
  }

  get state(): S {
    return this.stateValue;
  }

  /** A new desired state; the revision moves by one. */
  publish(change: (current: S) => Omit<S, 'revision'>): void {
    this.stateValue = { ...change(this.stateValue), revision: this.stateValue.revision + 1 } as S;
    this.history.set(this.stateValue.revision, this.stateValue);
    for (const wake of this.waiters.splice(0)) wake();
  }

  async enrol(token: string): Promise<EnrolResponse> {
    this.reachable();
    if (!this.validTokens.delete(token)) throw new ControlPlaneError(401, 'enrolment token unknown, used or expired', 'unauthorized');
    this.enrolments++;
    return this.enrolAnswer;
  }

  async register(registration: unknown): Promise<never> {
    this.reachable();
    this.registrations.push(registration);
    return this.registerAnswer as never;
  }

  async secrets(): Promise<GatewaySecrets> {
    this.reachable();
    if (!this.secretsValue) throw new ControlPlaneError(404, 'no secrets');
    return this.secretsValue;
  }

  async fetchState(request: StateRequest): Promise<S> {
    this.reachable();
    this.stateRequests.push({ after: request.after, waitSeconds: request.waitSeconds });
    if (request.after !== null && request.after === this.stateValue.revision) {
      const stop = new AbortController();
      const relay = () => stop.abort();
      request.signal?.addEventListener('abort', relay, { once: true });
      await Promise.race([this.clock.sleep(request.waitSeconds * 1000, stop.signal), new Promise<void>((resolve) => this.waiters.push(resolve))]);
      stop.abort();
      if (request.signal?.aborted) throw new ControlPlaneError(0, 'aborted');
      this.reachable();
    }
    return structuredClone(this.stateValue);
  }

  async status(report: DaemonStatusReport): Promise<void> {
    this.reachable();
    this.reports.push(report);
  }

  private reachable(): void {
    if (!this.up) throw new ControlPlaneError(0, 'connect ECONNREFUSED 127.0.0.1:8080');
  }
}

/**
 * The gateway's state endpoint over a FakeControlPlane, as the real one answers: the full
 * document without `after` (or when `after` is unknown, or a field a delta never carries
 * moved), else the delta since `after`.
 * `options.full()`: answer with full documents only (an older control plane).
 */
export function gatewayStateAnswers(cp: FakeControlPlane<GatewayDesiredState>, options: { full?: () => boolean } = {}) {
  return async (request: StateRequest): Promise<GatewayStateMessage> => {
    const state = await cp.fetchState(request);
    const from = request.after === null ? undefined : cp.history.get(request.after);
    if (from === undefined || !deltaCompatible(from, state) || options.full?.()) return { kind: 'full', state };
    return diffGatewayStates(from, state);
  };
}
