import type { z } from 'zod';
import type { DirectVpnDiagnosis, DirectVpnLogs, DirectVpnView, DiscoveryViewWire } from '../core/wire/direct-vpn.ts';
import { formatBytes as formatBytesIn } from '../core/render/format-bytes.ts';
import { formatTable } from './table.ts';

/** How the CLI shows a direct VPN's live state (D7) and a discovery (D11). */

type Live = NonNullable<z.infer<typeof DirectVpnView>['live']>;

/** One decimal in every unit ("1.5 KiB"): the list's TRAFFIC column holds four figures. */
export function formatBytes(bytes: number): string {
  return formatBytesIn(bytes, () => 1);
}

/** "connected since 2026-11-30T15:00:00Z" / "unknown". */
export function stateText(live: Live | undefined): string {
  if (!live) return 'unknown';
  return live.since ? `${live.state} since ${live.since.replace(/\.\d+Z$/, 'Z')}` : live.state;
}

/** "↓ 1.2 KiB ↑ 300 B (↓ 12 B/s ↑ 3 B/s)". */
export function trafficText(live: Live | undefined): string {
  if (!live) return '-';
  return `in ${formatBytes(live.bytesIn)} out ${formatBytes(live.bytesOut)} (${formatBytes(live.rateIn)}/s, ${formatBytes(live.rateOut)}/s)`;
}

export function renderLogs(logs: z.infer<typeof DirectVpnLogs>): string {
  if (logs.lines.length === 0) return logs.reportedAt ? 'no log lines' : 'no log lines: the plant\u2019s agent has not reported this tunnel yet';
  return logs.lines.map((line) => `${line.at}  ${line.text}`).join('\n');
}

export function renderDiagnosis(name: string, diagnosis: z.infer<typeof DirectVpnDiagnosis>): string {
  const lines = [`${name}: ${diagnosis.state}${diagnosis.reportedAt ? ` (reported ${diagnosis.reportedAt})` : ''}`];
  if (diagnosis.state === 'connected') lines.push('the tunnel is connected: nothing to diagnose');
  else if (diagnosis.checks.length === 0) lines.push('no checks yet: the agent runs them while the tunnel is not connected (every 30 s); try again shortly');
  for (const check of diagnosis.checks) {
    lines.push(`${check.ok ? 'ok  ' : 'FAIL'} ${check.check}: ${check.detail}`);
    if (!check.ok && check.fix) lines.push(`     fix: ${check.fix}`);
  }
  return lines.join('\n');
}

export function renderDiscovery(view: DiscoveryViewWire): string {
  const head = `discovery ${view.id}: ${view.status}${view.truncated ? ' (truncated)' : ''} — ${view.subnets.join(', ')} ports ${view.ports.join(',')}`;
  const lines = [head];
  if (view.error) lines.push(view.error);
  if (view.hosts.length === 0) lines.push(view.status === 'done' ? 'no host answered' : '');
  else {
    lines.push(
      formatTable(
        ['IP', 'VPN IP', 'ICMP', 'OPEN PORTS', 'DEVICE'],
        view.hosts.map((h) => [h.ip, h.vpnIp ?? '-', h.icmp ? `yes${h.rttMs !== null ? ` ${h.rttMs} ms` : ''}` : 'no', h.openPorts.join(',') || '-', h.knownDevice ?? '-']),
      ),
    );
  }
  return lines.filter((l) => l !== '').join('\n');
}
