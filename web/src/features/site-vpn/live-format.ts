import type { DirectVpnViewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { formatBytes as formatBytesIn } from '../../../../src/core/render/format-bytes.ts';

export type LiveState = NonNullable<DirectVpnViewWire['live']>['state'];

/** Words of the connection bar; its colours (app.css .vpn-state-bar) are never the only carrier. */
export const STATE_LABEL: Readonly<Record<LiveState, string>> = {
  connected: 'Connected',
  connecting: 'Connecting',
  down: 'Down',
  disabled: 'Disabled',
  unknown: 'Unknown',
};

/**
 * The state the card shows: the agent's report when there is one; a disabled VPN is
 * disabled whatever was last reported; a server that has not reported yet is unknown.
 */
export function liveState(vpn: Pick<DirectVpnViewWire, 'enabled' | 'live'>): LiveState {
  if (!vpn.enabled) return 'disabled';
  return vpn.live?.state ?? 'unknown';
}

/** 1536 → "1.5 KiB"; whole bytes below 1 KiB (a rate may be fractional). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  return formatBytesIn(bytes < 1024 ? Math.round(bytes) : bytes, (value) => (value < 10 ? 1 : 0));
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "for 3 min" from `since` to `now` (both ISO / epoch ms); null when unknown. */
export function formatSince(since: string | null | undefined, now: number): string | null {
  if (!since) return null;
  const at = Date.parse(since);
  if (Number.isNaN(at)) return null;
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}
