/** A strict reader for the config files the UI hands out: sections, `Key = Value` lines, nothing else. */
export type ParsedConf = { interface: Record<string, string>; peers: Array<Record<string, string>> };

export function parseWireGuardConf(text: string): ParsedConf {
  const out: ParsedConf = { interface: {}, peers: [] };
  let section: Record<string, string> | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line === '[Interface]') {
      section = out.interface;
      return;
    }
    if (line === '[Peer]') {
      section = {};
      out.peers.push(section);
      return;
    }
    const m = /^([A-Za-z]+)\s*=\s*(.+)$/.exec(line);
    if (!m || !section) throw new Error(`line ${i + 1} is not a WireGuard config line: ${JSON.stringify(raw)}`);
    section[m[1] as string] = m[2] as string;
  });
  return out;
}
