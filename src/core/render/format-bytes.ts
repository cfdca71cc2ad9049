/**
 * 1536 → "1.50 KiB": binary units, as `wg show` prints transfer (CLI `vpn status` and the web UI).
 * `fractionDigits` gives the decimals for a value of that size in its unit: the tables that show
 * many figures side by side (direct VPN traffic, the audit trail) use shorter forms.
 */
export function formatBytes(bytes: number, fractionDigits: (value: number) => number = (value) => (value < 10 ? 2 : 1)): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(fractionDigits(value))} ${units[unit]}`;
}
