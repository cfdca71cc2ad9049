import type { AuditRecord } from '../../../../src/core/wire/audit.ts';
import { formatBytes as formatBytesIn } from '../../../../src/core/render/format-bytes.ts';

export type DeviceSummary = {
  deviceIp: string;
  deviceName: string | null;
  subnet: string;
  /** "tcp/502", "icmp": what was used on the device, sorted. */
  services: string[];
  users: number;
  connections: number;
  bytesIn: number;
  bytesOut: number;
  lastSeen: string;
};
export type UserSummary = { user: string | null; devices: number; connections: number; bytesIn: number; bytesOut: number; lastSeen: string };

/** Per device: which services, how many users and connections, how many bytes (over the records given). Most connections first. */
export function summarizeDevices(records: readonly AuditRecord[]): DeviceSummary[] {
  const byDevice = new Map<string, DeviceSummary & { userSet: Set<string | null>; serviceSet: Set<string> }>();
  for (const r of records) {
    const key = `${r.plant}\n${r.subnet}\n${r.deviceIp}`;
    let s = byDevice.get(key);
    if (!s) {
      s = {
        deviceIp: r.deviceIp,
        deviceName: r.deviceName,
        subnet: r.subnet,
        services: [],
        users: 0,
        connections: 0,
        bytesIn: 0,
        bytesOut: 0,
        lastSeen: r.lastSeen,
        userSet: new Set(),
        serviceSet: new Set(),
      };
      byDevice.set(key, s);
    }
    s.userSet.add(r.user);
    s.serviceSet.add(r.port === null ? r.protocol : `${r.protocol}/${r.port}`);
    add(s, r);
    s.deviceName = s.deviceName ?? r.deviceName;
  }
  return [...byDevice.values()]
    .map(({ userSet, serviceSet, ...s }) => ({ ...s, users: userSet.size, services: [...serviceSet].sort() }))
    .sort((a, b) => b.connections - a.connections || a.deviceIp.localeCompare(b.deviceIp));
}

/** Per user (null: a tunnel address no profile held): how many devices, connections and bytes. Most connections first. */
export function summarizeUsers(records: readonly AuditRecord[]): UserSummary[] {
  const byUser = new Map<string | null, UserSummary & { deviceSet: Set<string> }>();
  for (const r of records) {
    let s = byUser.get(r.user);
    if (!s) {
      s = { user: r.user, devices: 0, connections: 0, bytesIn: 0, bytesOut: 0, lastSeen: r.lastSeen, deviceSet: new Set() };
      byUser.set(r.user, s);
    }
    s.deviceSet.add(`${r.subnet}\n${r.deviceIp}`);
    add(s, r);
  }
  return [...byUser.values()]
    .map(({ deviceSet, ...s }) => ({ ...s, devices: deviceSet.size }))
    .sort((a, b) => b.connections - a.connections || (a.user ?? '').localeCompare(b.user ?? ''));
}

function add(s: { connections: number; bytesIn: number; bytesOut: number; lastSeen: string }, r: AuditRecord): void {
  s.connections += r.connections;
  s.bytesIn += r.bytesIn;
  s.bytesOut += r.bytesOut;
  if (Date.parse(r.lastSeen) > Date.parse(s.lastSeen)) s.lastSeen = r.lastSeen;
}

/** Bytes for people: 1 decimal above a KiB ("4.0 KiB"); the exact number stays in the export. */
export function formatBytes(n: number): string {
  return formatBytesIn(n, () => 1);
}

/** An instant as the trail states it, in UTC to the second ("2026-11-30 08:00:05"): unambiguous for an auditor in any zone. */
export function formatUtc(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
}
