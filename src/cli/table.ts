import { escapeUnsafe } from '../core/render/unsafe-characters.ts';

/**
 * Plain aligned columns for listings; `--json` prints the data instead. Cells come
 * from the control plane (names, daemons' last errors): control characters, newlines
 * and bidi overrides are shown as escapes so they cannot move the cursor, clear the
 * screen or fake rows (issue 7 item 10).
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const safe = rows.map((r) => r.map((c) => escapeUnsafe(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...safe.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(headers), ...safe.map(line)].join('\n');
}
