import type { z } from 'zod';
import { type ManualEntry as CoreManualEntry, renderManualEntry, splitEndpoint } from '../../../../src/core/direct-vpn/manual-entry.ts';
import type { DirectVpnCreateRequest } from '../../../../src/core/wire/direct-vpn.ts';

/**
 * The add wizard's state (SPEC D3) and the one create request it becomes. Pure, so the
 * request each step sends (a dry run to validate, then the real one) is tested beside it.
 */
export type WizardValues = {
  direction: 'outgoing' | 'hosted';
  name: string;
  description: string;
  protocol: 'wireguard' | 'openvpn';
  transport: 'udp' | 'tcp';
  /** OpenVPN legacy settings; empty: the upload's (or openvpn's default). */
  cipher: string;
  auth: string;
  tlsMin: string;
  compression: string;
  /** Outgoing: a file, or the fields typed by hand. */
  source: 'upload' | 'manual';
  fileName: string;
  config: string;
  manual: ManualEntry;
  /** Hosted. */
  listenHost: string;
  listenPort: string;
  siteClientName: string;
  subnets: string[];
  username: string;
  password: string;
};

export type ManualEntry = {
  /** HOST:PORT of the router's VPN server. */
  endpoint: string;
  /** WireGuard: the router's public key; the agent's private key and tunnel address. */
  peerPublicKey: string;
  privateKey: string;
  address: string;
  presharedKey: string;
  /** OpenVPN: PEM blocks pasted from the router's export. */
  ca: string;
  cert: string;
  key: string;
};

export const EMPTY_WIZARD: WizardValues = {
  direction: 'outgoing',
  name: '',
  description: '',
  protocol: 'wireguard',
  transport: 'udp',
  cipher: '',
  auth: '',
  tlsMin: '',
  compression: '',
  source: 'upload',
  fileName: '',
  config: '',
  manual: { endpoint: '', peerPublicKey: '', privateKey: '', address: '', presharedKey: '', ca: '', cert: '', key: '' },
  listenHost: '',
  listenPort: '',
  siteClientName: '',
  subnets: [''],
  username: '',
  password: '',
};

/** The wizard's steps, in order. */
export const WIZARD_STEPS = ['Direction', 'Basics', 'Connection', 'Subnets', 'Review'] as const;

/** Files the upload accepts, by protocol. */
export const UPLOAD_ACCEPT: Readonly<Record<WizardValues['protocol'], string>> = { wireguard: '.conf', openvpn: '.ovpn,.conf' };

export { splitEndpoint };

/**
 * Manual entry becomes the text of a config, parsed and whitelisted by the server exactly
 * like an upload: the rendering is the server's own (src/core/direct-vpn/manual-entry.ts,
 * which the API's `manual` object and the CLI's --endpoint/--remote flags use too).
 */
export function manualConfig(values: Pick<WizardValues, 'protocol' | 'transport' | 'manual' | 'subnets'>): string {
  const m = values.manual;
  const entry: CoreManualEntry =
    values.protocol === 'wireguard'
      ? { endpoint: m.endpoint, peerPublicKey: m.peerPublicKey, privateKey: m.privateKey, address: m.address, presharedKey: m.presharedKey }
      : { endpoint: m.endpoint, ca: m.ca, cert: m.cert, key: m.key };
  return renderManualEntry({ protocol: values.protocol, transport: values.transport, entry, subnets: values.subnets }).text;
}

export type CreateBody = z.input<typeof DirectVpnCreateRequest>;

/**
 * The API's `manual` object for the fields typed (empty ones left out: an empty WireGuard
 * private key lets the server make the pair; the card then shows its public key).
 */
export function manualRequest(values: Pick<WizardValues, 'protocol' | 'manual'>): NonNullable<CreateBody['manual']> {
  const m = values.manual;
  const keys = values.protocol === 'wireguard' ? (['endpoint', 'peerPublicKey', 'privateKey', 'address', 'presharedKey'] as const) : (['endpoint', 'ca', 'cert', 'key'] as const);
  const out: NonNullable<CreateBody['manual']> = {};
  for (const key of keys) if (m[key].trim()) out[key] = m[key].trim();
  return out;
}

/**
 * The create request for the steps filled so far. `withSubnets`: false while the subnet
 * step has not been reached (the server then takes the upload's own ranges and the review
 * tells which those are).
 */
export function createRequest(values: WizardValues, options: { dryRun: boolean; withSubnets: boolean }): CreateBody {
  const subnets = values.subnets.map((s) => s.trim()).filter(Boolean);
  const advanced = {
    ...(values.cipher.trim() ? { cipher: values.cipher.trim() } : {}),
    ...(values.auth.trim() ? { auth: values.auth.trim() } : {}),
    ...(values.tlsMin.trim() ? { tlsMin: values.tlsMin.trim() } : {}),
    ...(values.compression.trim() ? { compression: values.compression.trim() } : {}),
  };
  const body: CreateBody = {
    name: values.name.trim(),
    description: values.description.trim(),
    direction: values.direction,
    protocol: values.protocol,
    dryRun: options.dryRun,
  };
  if (values.protocol === 'openvpn') {
    body.transport = values.transport;
    if (Object.keys(advanced).length) body.advanced = advanced;
  }
  if (values.direction === 'outgoing') {
    if (values.source === 'upload') body.config = values.config;
    else body.manual = manualRequest(values);
    if (values.username && values.password) body.credentials = { username: values.username, password: values.password };
  } else {
    const port = values.listenPort.trim() ? Number(values.listenPort.trim()) : undefined;
    const host = values.listenHost.trim() || undefined;
    if (host !== undefined || port !== undefined) body.listen = { ...(host ? { host } : {}), ...(port !== undefined ? { port } : {}) };
    if (values.siteClientName.trim()) body.siteClientName = values.siteClientName.trim();
  }
  if (options.withSubnets || values.direction === 'hosted') body.subnets = subnets;
  return body;
}

/** Which step a refusal of the server belongs to, by the field it names (so the user lands where to fix it). */
export function stepOfField(field: string | undefined): number {
  if (!field) return WIZARD_STEPS.length - 1;
  const root = field.split(/[.[]/)[0] as string;
  if (root === 'direction') return 0;
  if (['name', 'description', 'protocol', 'transport', 'advanced'].includes(root)) return 1;
  if (['config', 'manual', 'credentials', 'listen', 'siteClientName'].includes(root)) return root === 'credentials' ? 4 : 2;
  if (root === 'subnets') return 3;
  return WIZARD_STEPS.length - 1;
}
