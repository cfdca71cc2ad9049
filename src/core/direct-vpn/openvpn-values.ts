import { parseIpv4 } from '../net/ipv4.ts';
import { clip } from './ip-prefix.ts';

/** Values inside an OpenVPN profile: transports, ports, netmasks, inline PEM blocks. */

export type OpenVpnTransport = 'udp' | 'tcp';

export function transportOf(text: string): OpenVpnTransport | null {
  if (/^udp[46]?$/.test(text)) return 'udp';
  if (/^tcp[46]?(-client)?$/.test(text)) return 'tcp';
  return null;
}

export function portOf(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

export function netmaskLength(text: string): number | null {
  const mask = parseIpv4(text);
  if (mask === null) return null;
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return null; // not contiguous ones then zeros
  return 32 - Math.log2(inverted + 1);
}

/**
 * The PEM blocks of an inline key block, each with one of `labels`, base64 inside; text
 * around the blocks (an `openssl x509 -text` dump) is dropped as OpenVPN drops it.
 * Returns the blocks' text or why the block is refused.
 */
export function pemBlocks(body: string[], labels: readonly string[]): { text: string } | string {
  const out: string[] = [];
  let label: string | null = null;
  let count = 0;
  for (const raw of body) {
    const line = raw.trim();
    const begin = /^-----BEGIN ([A-Za-z0-9 -]{1,40})-----$/.exec(line);
    const end = /^-----END ([A-Za-z0-9 -]{1,40})-----$/.exec(line);
    if (label === null) {
      if (begin) {
        label = begin[1] as string;
        if (label.includes('ENCRYPTED')) return 'the private key is encrypted with a passphrase; export it without one (the agent starts unattended)';
        if (!labels.includes(label)) return `a "${clip(label)}" block where ${labels.map((l) => `"${l}"`).join(' or ')} is expected`;
        out.push(line);
      }
      continue;
    }
    if (end) {
      if (end[1] !== label) return `"-----END ${clip(end[1] as string)}-----" does not close "-----BEGIN ${label}-----"`;
      out.push(line);
      label = null;
      count++;
      continue;
    }
    if (/^Proc-Type:.*ENCRYPTED/i.test(line)) return 'the private key is encrypted with a passphrase; export it without one (the agent starts unattended)';
    if (line === '') continue;
    if (label.startsWith('OpenVPN') ? !/^[0-9a-fA-F]{32}$/.test(line) && !/^[A-Za-z0-9+/=]{1,76}$/.test(line) : !/^[A-Za-z0-9+/=]{1,76}$/.test(line)) {
      return 'a line inside the key block is not base64';
    }
    out.push(line);
  }
  if (label !== null) return `"-----BEGIN ${label}-----" has no END line`;
  if (count === 0) return `no "-----BEGIN ${labels[0]}-----" block inside`;
  return { text: `${out.join('\n')}\n` };
}
