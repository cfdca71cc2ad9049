import { clip } from './ip-prefix.ts';
import { ACCEPTED_NOT_CARRIED, CONNECTION_DIRECTIVES, HOST_SHAPING, INLINE_LABELS, refusalReason } from './openvpn-directives.ts';
import { cryptoDirective } from './openvpn-crypto.ts';
import { remoteDirective, routeDirective } from './openvpn-routes.ts';
import { openVpnTokens } from './openvpn-tokens.ts';
import { pemBlocks, portOf, transportOf } from './openvpn-values.ts';
import {
  hasControlCharacter,
  type IgnoredDirective,
  MAX_PROBLEMS,
  MAX_UPLOAD_BYTES,
  type StrippedRoute,
  type UploadParse,
  type UploadProblem,
  uploadLines,
} from './upload-result.ts';
import { unique } from './wireguard-config.ts';

/**
 * D5: an uploaded OpenVPN client profile (`.ovpn`) read against a whitelist into a model
 * from which plantgate renders the agent's own config (openvpn-render.ts). Key material must
 * be inline; nothing of the upload is passed on as text.
 */

import type { OpenVpnTransport } from './openvpn-values.ts';

export type { OpenVpnTransport };
export type OpenVpnRemote = { host: string; port: number; transport: OpenVpnTransport; line: number };

export type OpenVpnUpload = {
  remotes: OpenVpnRemote[];
  /** PEM text; `key`, `tlsAuth`, `tlsCrypt` and `tlsCryptV2` are secrets. */
  ca: string;
  extraCerts: string | null;
  cert: string | null;
  key: string | null;
  tlsAuth: string | null;
  tlsCrypt: string | null;
  tlsCryptV2: string | null;
  keyDirection: 0 | 1 | null;
  cipher: string | null;
  dataCiphers: string[] | null;
  dataCiphersFallback: string | null;
  auth: string | null;
  /** The compression directive as it must be rendered ("comp-lzo", "comp-lzo no", "compress lz4-v2"…). */
  compression: string | null;
  tlsVersionMin: string | null;
  remoteCertTls: 'server' | null;
  verifyX509Name: { name: string; type: string } | null;
  tunMtu: number | null;
  mssfix: number | null;
  fragment: number | null;
  authUserPass: boolean;
  /** The routes the upload names (canonical CIDRs, default routes stripped). */
  routes: string[];
};

type Inline = { text: string; line: number };
type Pending = { host: string; port: number | null; transport: OpenVpnTransport | null; line: number };
type Connection = { remotes: Pending[]; port: number | null; transport: OpenVpnTransport | null; line: number };

const _NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const _TLS_VERSIONS = new Set(['1.0', '1.1', '1.2', '1.3']);
const _COMPRESS = new Set(['lzo', 'lz4', 'lz4-v2', 'stub', 'stub-v2', 'migrate']);

export function parseOpenVpnConfig(text: string): UploadParse<OpenVpnUpload> {
  if (text.length > MAX_UPLOAD_BYTES) {
    return {
      ok: false,
      problems: [
        { line: 0, directive: '', message: `the file is larger than ${MAX_UPLOAD_BYTES / 1024} KiB; an OpenVPN profile with inline keys is a few KiB` },
      ],
    };
  }
  const parser = new OpenVpnParser(uploadLines(text));
  return parser.parse();
}

class OpenVpnParser {
  private readonly lines: string[];
  private readonly problems: UploadProblem[] = [];
  private readonly stripped: StrippedRoute[] = [];
  private readonly ignored: IgnoredDirective[] = [];
  private readonly inline = new Map<string, Inline>();
  private readonly global: Connection = { remotes: [], port: null, transport: null, line: 0 };
  private readonly connections: Connection[] = [];
  private connection: Connection | null = null;
  private readonly routes: string[] = [];
  private readonly once = new Map<string, number>();
  private readonly model: Omit<OpenVpnUpload, 'remotes' | 'ca' | 'extraCerts' | 'cert' | 'key' | 'tlsAuth' | 'tlsCrypt' | 'tlsCryptV2' | 'routes'> = {
    keyDirection: null,
    cipher: null,
    dataCiphers: null,
    dataCiphersFallback: null,
    auth: null,
    compression: null,
    tlsVersionMin: null,
    remoteCertTls: null,
    verifyX509Name: null,
    tunMtu: null,
    mssfix: null,
    fragment: null,
    authUserPass: false,
  };

  constructor(lines: string[]) {
    this.lines = lines;
  }

  private problem(line: number, directive: string, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, directive: clip(directive), message });
  }

  parse(): UploadParse<OpenVpnUpload> {
    for (let index = 0; index < this.lines.length && this.problems.length < MAX_PROBLEMS; index++) {
      const number = index + 1;
      const raw = this.lines[index] as string;
      if (hasControlCharacter(raw)) {
        this.problem(number, '', 'the line holds a control character; an OpenVPN profile is plain text');
        continue;
      }
      const trimmed = raw.trim();
      const open = /^<([A-Za-z0-9-]+)>$/.exec(trimmed);
      const close = /^<\/([A-Za-z0-9-]+)>$/.exec(trimmed);
      if (close) {
        if (close[1] === 'connection' && this.connection) this.endConnection();
        else this.problem(number, trimmed, `</${clip(close[1] as string)}> closes a block that is not open`);
        continue;
      }
      if (open) {
        const tag = (open[1] as string).toLowerCase();
        if (tag === 'connection') {
          if (this.connection) this.problem(number, '<connection>', 'a <connection> block inside another one');
          else this.connection = { remotes: [], port: null, transport: null, line: number };
          continue;
        }
        index = this.inlineBlock(tag, number) - 1;
        continue;
      }
      if (trimmed.startsWith('<')) {
        this.problem(number, trimmed, 'not a block tag (<name> or </name> alone on its line)');
        continue;
      }
      const tokens = openVpnTokens(raw);
      if (tokens === null) {
        this.problem(number, trimmed.split(/\s/)[0] ?? '', 'a quote is not closed');
        continue;
      }
      if (tokens.length === 0) continue;
      this.directive((tokens[0] as string).toLowerCase(), tokens.slice(1), number);
    }
    if (this.connection && this.problems.length === 0) this.problem(this.connection.line, '<connection>', 'the <connection> block is not closed');
    return this.finish();
  }

  /** Reads an inline block from its opening line; returns the index of the line after the closing tag. */
  private inlineBlock(tag: string, number: number): number {
    const labels = INLINE_LABELS[tag];
    let end = number;
    while (end < this.lines.length && (this.lines[end] as string).trim().toLowerCase() !== `</${tag}>`) end++;
    if (end >= this.lines.length) {
      this.problem(number, `<${tag}>`, `the <${tag}> block is not closed (no </${tag}> line)`);
      return this.lines.length;
    }
    const body = this.lines.slice(number, end);
    if (labels === undefined) {
      const why =
        tag === 'auth-user-pass'
          ? 'credentials inside the profile are not accepted; remove the block and enter the username and password separately'
          : tag === 'pkcs12' || tag === 'secret' || tag === 'dh' || tag === 'http-proxy-user-pass'
            ? `<${tag}> is not supported for a direct VPN client; export the profile with inline PEM <ca>, <cert> and <key>`
            : `unknown block <${clip(tag)}>; allowed: connection, ${Object.keys(INLINE_LABELS).join(', ')}`;
      this.problem(number, `<${tag}>`, why);
      return end + 1;
    }
    if (this.connection) {
      this.problem(number, `<${tag}>`, `<${tag}> inside a <connection> block; key material belongs at the top level`);
      return end + 1;
    }
    if (this.inline.has(tag)) {
      this.problem(number, `<${tag}>`, `a second <${tag}> block`);
      return end + 1;
    }
    const pem = pemBlocks(body, labels);
    if (typeof pem === 'string') this.problem(number, `<${tag}>`, `<${tag}>: ${pem}`);
    else this.inline.set(tag, { text: pem.text, line: number });
    return end + 1;
  }

  private endConnection(): void {
    const connection = this.connection as Connection;
    if (connection.remotes.length !== 1) this.problem(connection.line, '<connection>', 'a <connection> block needs exactly one remote');
    this.connections.push(connection);
    this.connection = null;
  }

  private directive(name: string, args: string[], line: number): void {
    const refusal = refusalReason(name, args);
    if (refusal !== null) {
      this.problem(line, name, refusal);
      return;
    }
    if (this.connection && !CONNECTION_DIRECTIVES.has(name)) {
      this.problem(line, name, `${name} is not allowed inside a <connection> block`);
      return;
    }
    if (HOST_SHAPING.has(name)) {
      this.ignored.push({ directive: name, line });
      return;
    }
    const expect = (min: number, max: number): boolean => {
      if (args.length < min || args.length > max) {
        this.problem(line, name, `${name} takes ${min === max ? min : `${min}–${max}`} argument(s), not ${args.length}`);
        return false;
      }
      return true;
    };
    const counts = ACCEPTED_NOT_CARRIED.get(name);
    if (counts !== undefined) {
      if (expect(counts[0], counts[1]) && args.some((arg) => !/^[A-Za-z0-9_.:+/=-]{1,64}$/.test(arg))) {
        this.problem(line, name, `${name} has an argument with characters OpenVPN does not use here`);
      }
      return;
    }
    const context = { problem: (message: string) => this.problem(line, name, message), expect, single: (key: string) => this.single(key, line) };
    if (cryptoDirective(name, args, this.model, context)) return;
    const target = this.connection ?? this.global;
    switch (name) {
      case 'dev':
        if (expect(1, 1) && !/^tun\d{0,3}$/.test(args[0] as string)) {
          this.problem(line, name, `dev ${clip(args[0] as string)}: a direct VPN is routed (dev tun); bridged tap and null devices are not supported`);
        }
        return;
      case 'dev-type':
        if (expect(1, 1) && args[0] !== 'tun') this.problem(line, name, 'dev-type must be tun');
        return;
      case 'proto': {
        if (!expect(1, 1)) return;
        const transport = transportOf(args[0] as string);
        if (transport === null) this.problem(line, name, `proto ${clip(args[0] as string)}: use udp or tcp (tcp-client)`);
        else target.transport = transport;
        return;
      }
      case 'port':
      case 'rport': {
        if (!expect(1, 1)) return;
        const port = portOf(args[0] as string);
        if (port === null) this.problem(line, name, `${name} must be a port number 1–65535`);
        else target.port = port;
        return;
      }
      case 'remote': {
        const remote = remoteDirective(args);
        if (remote.ok) target.remotes.push({ host: remote.host, port: remote.port, transport: remote.transport, line });
        else this.problem(line, name, remote.message);
        return;
      }
      case 'route':
      case 'route-ipv6': {
        const outcome = routeDirective(name, args);
        if (outcome.kind === 'route') this.routes.push(outcome.cidr);
        else if (outcome.kind === 'stripped') this.stripped.push({ what: outcome.what, line });
        else if (outcome.kind === 'ignored') this.ignored.push({ directive: outcome.directive, line });
        else this.problem(line, name, outcome.message);
        return;
      }
      case 'redirect-gateway':
        this.stripped.push({ what: ['redirect-gateway', ...args].join(' ').slice(0, 60), line });
        return;
      case 'auth-user-pass':
        this.model.authUserPass = true;
        return;
      case 'key-direction':
        if (expect(1, 1) && this.single(name, line)) {
          if (args[0] === '0' || args[0] === '1') this.model.keyDirection = Number(args[0]) as 0 | 1;
          else this.problem(line, name, 'key-direction must be 0 or 1');
        }
        return;
      case 'tls-auth':
        // The bare `tls-auth [inline] 1` form of an inline key: the direction is the key's.
        if (expect(1, 2) && args[1] !== undefined) {
          if (args[1] === '0' || args[1] === '1') this.model.keyDirection = Number(args[1]) as 0 | 1;
          else this.problem(line, name, 'the tls-auth direction must be 0 or 1');
        }
        return;
      case 'ca':
      case 'cert':
      case 'key':
      case 'extra-certs':
      case 'tls-crypt':
      case 'tls-crypt-v2':
        expect(1, 1);
        return;
      case 'remote-cert-tls':
        if (expect(1, 1)) {
          if (args[0] === 'server') this.model.remoteCertTls = 'server';
          else this.problem(line, name, 'remote-cert-tls must be server: the agent is the client');
        }
        return;
      case 'verify-x509-name':
        if (expect(1, 2)) {
          const type = args[1] ?? 'subject';
          // Quotes and backslashes are refused: the renderer writes the name back inside quotes.
          if (!/^[ !#-[\]-~]{1,200}$/.test(args[0] as string) || !['subject', 'name', 'name-prefix'].includes(type)) {
            this.problem(line, name, 'verify-x509-name takes a printable name (no quotes or backslashes) and subject, name or name-prefix');
          } else this.model.verifyX509Name = { name: args[0] as string, type };
        }
        return;
      case 'tun-mtu':
      case 'mssfix':
      case 'fragment': {
        if (!expect(name === 'mssfix' ? 0 : 1, name === 'mssfix' ? 2 : 1)) return;
        if (args[0] === undefined) return;
        const value = /^\d{1,5}$/.test(args[0]) ? Number(args[0]) : Number.NaN;
        if (!(value >= 576 && value <= 9000) && !(name === 'mssfix' && value === 0)) this.problem(line, name, `${name} must be a number 576–9000`);
        else if (name === 'tun-mtu') this.model.tunMtu = value;
        else if (name === 'mssfix') this.model.mssfix = value;
        else this.model.fragment = value;
        return;
      }
      default:
        this.problem(
          line,
          name,
          `unknown or unsupported directive "${clip(name)}"; only client settings on plantgate's list are accepted (docs/decisions/direct-vpn-parsers.md)`,
        );
    }
  }

  private single(name: string, line: number): boolean {
    const first = this.once.get(name);
    if (first !== undefined) {
      this.problem(line, name, `${name} is set twice (first on line ${first})`);
      return false;
    }
    this.once.set(name, line);
    return true;
  }

  private finish(): UploadParse<OpenVpnUpload> {
    const remotes: OpenVpnRemote[] = [];
    const resolve = (pending: Pending, scope: Connection): OpenVpnRemote => ({
      host: pending.host,
      port: pending.port ?? scope.port ?? this.global.port ?? 1194,
      transport: pending.transport ?? scope.transport ?? this.global.transport ?? 'udp',
      line: pending.line,
    });
    for (const connection of this.connections) for (const pending of connection.remotes) remotes.push(resolve(pending, connection));
    for (const pending of this.global.remotes) remotes.push(resolve(pending, this.global));
    const get = (tag: string) => this.inline.get(tag)?.text ?? null;
    if (this.problems.length === 0) {
      if (remotes.length === 0) this.problem(0, 'remote', "no remote: the agent needs the router's address to dial");
      if (!this.inline.has('ca')) this.problem(0, '<ca>', 'no inline <ca> block: without the CA certificate the agent cannot verify the router');
      const cert = this.inline.get('cert');
      const key = this.inline.get('key');
      if ((cert === undefined) !== (key === undefined)) {
        this.problem(
          (cert ?? key)?.line ?? 0,
          cert ? '<cert>' : '<key>',
          'a client certificate needs its key and a key its certificate (<cert> and <key> together)',
        );
      }
      if (cert === undefined && !this.model.authUserPass)
        this.problem(0, '<cert>', 'no client certificate and no auth-user-pass: the router would not know who dials');
      const tlsKeys = ['tls-auth', 'tls-crypt', 'tls-crypt-v2'].filter((tag) => this.inline.has(tag));
      if (tlsKeys.length > 1)
        this.problem(this.inline.get(tlsKeys[1] as string)?.line ?? 0, `<${tlsKeys[1]}>`, `only one of <tls-auth>, <tls-crypt>, <tls-crypt-v2>`);
      if (this.inline.has('tls-auth') && this.model.keyDirection === null) {
        this.problem(
          this.inline.get('tls-auth')?.line ?? 0,
          'key-direction',
          '<tls-auth> needs "key-direction 1" (the client side) so both ends use the key the same way',
        );
      }
    }
    if (this.problems.length > 0) return { ok: false, problems: this.problems };
    const routes = unique(this.routes);
    const config: OpenVpnUpload = {
      ...this.model,
      remotes,
      ca: get('ca') as string,
      extraCerts: get('extra-certs'),
      cert: get('cert'),
      key: get('key'),
      tlsAuth: get('tls-auth'),
      tlsCrypt: get('tls-crypt'),
      tlsCryptV2: get('tls-crypt-v2'),
      routes,
    };
    return {
      ok: true,
      config,
      stripped: this.stripped,
      ignored: this.ignored,
      subnetsFromConfig: routes,
      needsCredentials: config.authUserPass,
      crypto: {
        cipher: config.cipher ?? config.dataCiphers?.join(':') ?? null,
        auth: config.auth,
        compression: config.compression,
        tlsMin: config.tlsVersionMin,
      },
    };
  }
}
