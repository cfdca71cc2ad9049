import type { DirectVpnStatusReport } from '../core/wire/daemon.ts';

/**
 * A tunnel's own log (D7 "recent logs") and its state history. wireguard-go says little, so
 * the lines are the agent's own about that tunnel: started, rebuilt, failed, handshake and
 * state changes. Every line is redacted before it is kept: nothing key-shaped leaves the plant.
 */

export type TunnelState = DirectVpnStatusReport['state'];
type Line = { at: string; text: string };

/** Lines kept and reported per tunnel: 64 tunnels × 30 lines stay well inside a status report's 1 MiB. */
export const LOG_LINES = 30;
const LINE_CHARS = 400;

/** WireGuard keys (44 base64 characters), PEM blocks, and `password`/`secret` values are replaced. */
export function redactSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [^-]+-----[\s\S]*?(-----END [^-]+-----|$)/g, '[redacted PEM]')
    .replace(/[A-Za-z0-9+/]{42,43}=/g, '[redacted key]')
    .replace(/\b(password|passwd|secret|private[ _-]?key|preshared[ _-]?key)(\s*[=:]\s*)\S+/gi, '$1$2[redacted]');
}

export class TunnelLog {
  private readonly lines = new Map<string, Line[]>();
  private readonly states = new Map<string, { state: TunnelState; since: string }>();

  add(id: string, at: string, text: string): void {
    const lines = this.lines.get(id) ?? [];
    lines.push({ at, text: redactSecrets(text).replace(/\s+/g, ' ').slice(0, LINE_CHARS) });
    if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
    this.lines.set(id, lines);
  }

  recent(id: string): Line[] {
    return [...(this.lines.get(id) ?? [])];
  }

  /** Records `state` now; when it moved, the change is logged and `since` starts again. Returns since. */
  track(id: string, state: TunnelState, at: string, why = ''): string {
    const known = this.states.get(id);
    if (known?.state === state) return known.since;
    this.states.set(id, { state, since: at });
    this.add(id, at, `${known ? `${known.state} → ${state}` : state}${why ? `: ${why}` : ''}`);
    return at;
  }

  /** Forgets a tunnel that left the document. */
  forget(keep: ReadonlySet<string>): void {
    for (const id of [...this.lines.keys(), ...this.states.keys()]) {
      if (!keep.has(id)) {
        this.lines.delete(id);
        this.states.delete(id);
      }
    }
  }
}
