import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { ManualEntryRequest } from '../../core/wire/direct-vpn.ts';
import { CliError } from '../context.ts';

/**
 * `site-vpn create` with the connection details by hand (issue 9 item 1) instead of --config:
 * the API's `manual` object. Keys and PEM blocks come from files only — never the command
 * line, where every user of the host could read them in the process list.
 */
export type ManualOptions = {
  endpoint?: string;
  peerPublicKey?: string;
  privateKeyFile?: string;
  address?: string;
  presharedKeyFile?: string;
  keepalive?: string;
  remote?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  tlsAuthFile?: string;
  tlsCryptFile?: string;
};

const WIREGUARD_FLAGS = ['endpoint', 'peerPublicKey', 'privateKeyFile', 'address', 'presharedKeyFile', 'keepalive'] as const;
const OPENVPN_FLAGS = ['remote', 'caFile', 'certFile', 'keyFile', 'tlsAuthFile', 'tlsCryptFile'] as const;

/** How each `manual` field is named on the command line, for messages about input. */
export const MANUAL_LABELS: Record<string, string> = {
  'manual.peerPublicKey': '--peer-public-key',
  'manual.privateKey': '--private-key-file',
  'manual.address': '--address',
  'manual.presharedKey': '--preshared-key-file',
  'manual.persistentKeepalive': '--keepalive',
  'manual.ca': '--ca-file',
  'manual.cert': '--cert-file',
  'manual.key': '--key-file',
  'manual.tlsAuth': '--tls-auth-file',
  'manual.tlsCrypt': '--tls-crypt-file',
};

export function addManualOptions(command: Command): Command {
  return command
    .option('--endpoint <host:port>', 'WireGuard by hand (instead of --config): the router\u2019s endpoint')
    .option('--peer-public-key <key>', 'WireGuard by hand: the router\u2019s public key')
    .option(
      '--private-key-file <file>',
      'WireGuard by hand: the agent\u2019s private key (default: create makes a pair and prints its public key; edit keeps the key)',
    )
    .option('--address <cidr>', 'WireGuard by hand: the agent\u2019s tunnel address')
    .option('--preshared-key-file <file>', 'WireGuard by hand: the pre-shared key')
    .option('--keepalive <seconds>', 'WireGuard by hand: persistent keepalive (default 25)')
    .option('--remote <host:port>', 'OpenVPN by hand (instead of --config): the router\u2019s server')
    .option('--ca-file <file>', 'OpenVPN by hand: the CA certificate (PEM)')
    .option('--cert-file <file>', 'OpenVPN by hand: the agent\u2019s client certificate (PEM)')
    .option('--key-file <file>', 'OpenVPN by hand: the agent\u2019s client key (PEM)')
    .option('--tls-auth-file <file>', 'OpenVPN by hand: the tls-auth static key')
    .option('--tls-crypt-file <file>', 'OpenVPN by hand: the tls-crypt static key');
}

/** The `manual` object of the create request, or undefined when no manual flag is given. Usage errors name the flag. */
export function manualFromOptions(opts: ManualOptions & { config?: string; protocol?: string }): z.input<typeof ManualEntryRequest> | undefined {
  const given = (flags: readonly (keyof ManualOptions)[]) => flags.filter((f) => opts[f] !== undefined);
  const wireGuard = given(WIREGUARD_FLAGS);
  const openVpn = given(OPENVPN_FLAGS);
  if (wireGuard.length === 0 && openVpn.length === 0) return undefined;
  // `edit` has no --protocol: the flags tell (the server checks them against the direct VPN's protocol).
  const protocol = opts.protocol ?? (openVpn.length > 0 && wireGuard.length === 0 ? 'openvpn' : 'wireguard');
  const first = flagName((wireGuard[0] ?? openVpn[0]) as keyof ManualOptions);
  if (opts.config !== undefined)
    throw new CliError(`${first}: give either --config (the router\u2019s file) or the connection details by hand, not both`, 'usage');
  if (protocol === 'wireguard' && openVpn.length > 0) {
    throw new CliError(
      `${flagName(openVpn[0] as keyof ManualOptions)}: is for --protocol openvpn; WireGuard takes --endpoint, --peer-public-key, --private-key-file, --address, --preshared-key-file, --keepalive`,
      'usage',
    );
  }
  if (protocol === 'openvpn' && wireGuard.length > 0) {
    throw new CliError(
      `${flagName(wireGuard[0] as keyof ManualOptions)}: is for --protocol wireguard; OpenVPN takes --remote, --ca-file, --cert-file, --key-file, --tls-auth-file, --tls-crypt-file`,
      'usage',
    );
  }
  if (protocol === 'wireguard') {
    const keepalive = opts.keepalive === undefined ? undefined : Number(opts.keepalive);
    if (keepalive !== undefined && !(Number.isInteger(keepalive) && keepalive >= 0 && keepalive <= 65535))
      throw new CliError('--keepalive: must be seconds 0–65535', 'usage');
    return {
      endpoint: opts.endpoint,
      peerPublicKey: opts.peerPublicKey,
      privateKey: readKey('--private-key-file', opts.privateKeyFile),
      address: opts.address,
      presharedKey: readKey('--preshared-key-file', opts.presharedKeyFile),
      persistentKeepalive: keepalive,
    };
  }
  return {
    endpoint: opts.remote,
    ca: readPem('--ca-file', opts.caFile),
    cert: readPem('--cert-file', opts.certFile),
    key: readPem('--key-file', opts.keyFile),
    tlsAuth: readPem('--tls-auth-file', opts.tlsAuthFile),
    tlsCrypt: readPem('--tls-crypt-file', opts.tlsCryptFile),
  };
}

/** `manual.endpoint` is --endpoint for WireGuard and --remote for OpenVPN. */
export function manualLabels(protocol: string | undefined): Record<string, string> {
  return {
    ...MANUAL_LABELS,
    'manual.endpoint': protocol === 'openvpn' ? '--remote' : '--endpoint',
    manual: protocol === 'openvpn' ? '--remote' : '--endpoint',
  };
}

function flagName(option: keyof ManualOptions): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function readKey(flag: string, file: string | undefined): string | undefined {
  const text = readPem(flag, file);
  return text === undefined ? undefined : text.trim();
}

function readPem(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'usage');
  }
}
