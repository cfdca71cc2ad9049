import { isHostPort } from '../net/host-port.ts';
import { parseIpv4 } from '../net/ipv4.ts';
import { clip, formatPrefix, isDefaultRoute, parsePrefix } from './ip-prefix.ts';
import { netmaskLength, type OpenVpnTransport, portOf, transportOf } from './openvpn-values.ts';

/** `remote` and `route`/`route-ipv6` of an OpenVPN profile, one line at a time. */

export type RemoteOutcome = { ok: true; host: string; port: number | null; transport: OpenVpnTransport | null } | { ok: false; message: string };

export function remoteDirective(args: string[]): RemoteOutcome {
  if (args.length < 1 || args.length > 3) return { ok: false, message: 'remote takes a host, an optional port and an optional proto' };
  const host = args[0] as string;
  const port = args[1] === undefined ? null : portOf(args[1]);
  if (args[1] !== undefined && port === null) return { ok: false, message: `remote port "${clip(args[1])}" is not a port number 1–65535` };
  const transport = args[2] === undefined ? null : transportOf(args[2]);
  if (args[2] !== undefined && transport === null) return { ok: false, message: `remote proto "${clip(args[2])}": use udp or tcp` };
  const hostForCheck = host.includes(':') ? `[${host}]` : host;
  if (!isHostPort(`${hostForCheck}:1`)) return { ok: false, message: `remote host "${clip(host)}" is not a DNS name or an IP address` };
  return { ok: true, host, port, transport };
}

export type RouteOutcome =
  | { kind: 'route'; cidr: string }
  /** D5: a default route, taken out and reported. */
  | { kind: 'stripped'; what: string }
  | { kind: 'ignored'; directive: string }
  | { kind: 'problem'; message: string };

export function routeDirective(name: 'route' | 'route-ipv6', args: string[]): RouteOutcome {
  if (name === 'route-ipv6') {
    if (args.length < 1 || args.length > 3) return { kind: 'problem', message: 'route-ipv6 takes a prefix, an optional gateway and metric' };
    return prefixOutcome(args[0] as string);
  }
  if (args.length < 1 || args.length > 4) return { kind: 'problem', message: 'route takes a network, a netmask, an optional gateway and metric' };
  // A route around the tunnel through the host's own gateway: the host's business.
  if (args[2] === 'net_gateway') return { kind: 'ignored', directive: 'route … net_gateway' };
  const network = parseIpv4(args[0] as string);
  const length = args[1] === undefined || args[1] === 'default' ? 32 : netmaskLength(args[1]);
  if (network === null) {
    return {
      kind: 'problem',
      message: `route network "${clip(args[0] as string)}" is not an IPv4 address (a direct VPN routes explicit ranges, not host names)`,
    };
  }
  if (length === null) return { kind: 'problem', message: `route netmask "${clip(args[1] as string)}" is not a netmask like 255.255.255.0` };
  return prefixOutcome(`${args[0]}/${length}`);
}

function prefixOutcome(text: string): RouteOutcome {
  const parsed = parsePrefix(text);
  if (!parsed.ok) return { kind: 'problem', message: parsed.message };
  return isDefaultRoute(parsed.prefix) ? { kind: 'stripped', what: formatPrefix(parsed.prefix) } : { kind: 'route', cidr: formatPrefix(parsed.prefix) };
}
