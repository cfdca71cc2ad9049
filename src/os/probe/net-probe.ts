/**
 * Port: what the agent asks of the network when it diagnoses a tunnel or discovers a
 * plant's devices (issue 9 D7, D11): resolve a name, ping an address once, try one TCP
 * connect. Every call is bounded by its timeout and never throws for an unreachable
 * target (that is the answer, not an error). Implementations: SystemNetProbe (`ping`,
 * the resolver, a socket connect) and FakeNetProbe; both pass net-probe.contract.ts.
 */

export type PingResult = { ok: boolean; rttMs: number | null };

export interface NetProbe {
  /** IPv4 addresses of `host` (a literal address answers itself); [] when it does not resolve. */
  resolve(host: string, timeoutMs: number): Promise<string[]>;
  /** One ICMP echo to an IPv4 address. */
  ping(address: string, timeoutMs: number): Promise<PingResult>;
  /** Whether a TCP connection to address:port is accepted within the timeout (closed at once). */
  tcpConnect(address: string, port: number, timeoutMs: number): Promise<boolean>;
}

/** `time=0.045 ms` of ping's reply line, or null. */
export function pingRtt(output: string): number | null {
  const match = /time[=<]([0-9.]+) ?ms/.exec(output);
  return match ? Number(match[1]) : null;
}
