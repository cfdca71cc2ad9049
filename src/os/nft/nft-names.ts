/**
 * What gateway and agent tables share: the table name, checked interface and table names
 * (they end up inside an nft script), and the input chain both daemons install.
 */

export const DEFAULT_TABLE_NAME = 'plantgate';

// Names end up inside an nft script: accept only what Linux and nft accept as such, so
// nothing from outside can inject syntax.
const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export function quotedInterface(name: string): string {
  if (!INTERFACE_NAME.test(name)) throw new Error(`invalid interface name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export function checkedTableName(name: string): string {
  if (!TABLE_NAME.test(name)) throw new Error(`invalid nft table name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * The input chain: what arrives on plantgate's interfaces for the host itself is dropped
 * (a user or a site with no route must not reach the gateway's or agent's own services,
 * on the tunnel address or any other local address), except replies to what the host
 * started and — where `echo` — a ping of the interface's own address, for diagnosing a
 * tunnel. WireGuard's own UDP arrives on the underlay interface and is not affected;
 * traffic on other interfaces is left to the host's own firewall (policy accept).
 * `fib daddr . iif type local` holds only for an address configured on the arriving
 * interface, so the echo rule opens nothing else.
 */
export function inputChain(quotedInterfaces: string[], echo: boolean): string[] {
  return [
    '\tchain input {',
    '\t\ttype filter hook input priority filter; policy accept;',
    '\t\tct state established,related accept',
    ...(echo ? ['\t\tfib daddr . iif type local icmp type echo-request accept'] : []),
    ...quotedInterfaces.map((iface) => `\t\tiifname ${iface} drop`),
    '\t}',
    '',
  ];
}
