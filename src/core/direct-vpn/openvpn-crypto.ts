import { clip } from './ip-prefix.ts';

/**
 * D2: the crypto directives of an OpenVPN profile — data cipher(s), auth digest, compression,
 * minimum TLS version — the settings legacy router firmware has to be matched on.
 */
export type OpenVpnCryptoSettings = {
  cipher: string | null;
  dataCiphers: string[] | null;
  dataCiphersFallback: string | null;
  auth: string | null;
  /** The compression directive as it must be rendered ("comp-lzo", "comp-lzo no", "compress lz4-v2"…). */
  compression: string | null;
  tlsVersionMin: string | null;
};

export type DirectiveContext = {
  problem(message: string): void;
  /** False (and a problem reported) when the argument count is outside min–max. */
  expect(min: number, max: number): boolean;
  /** False (and a problem reported) when `key` was already set. */
  single(key: string): boolean;
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const TLS_VERSIONS = new Set(['1.0', '1.1', '1.2', '1.3']);
const COMPRESS = new Set(['lzo', 'lz4', 'lz4-v2', 'stub', 'stub-v2', 'migrate']);

/** Applies a crypto directive to `settings`; false when `name` is not one. */
export function cryptoDirective(name: string, args: string[], settings: OpenVpnCryptoSettings, context: DirectiveContext): boolean {
  switch (name) {
    case 'cipher':
      if (context.expect(1, 1) && context.single(name)) settings.cipher = cipherName(args[0] as string, context);
      return true;
    case 'data-ciphers':
    case 'ncp-ciphers':
      if (context.expect(1, 1) && context.single('data-ciphers')) {
        const list = (args[0] as string).split(':');
        const names = list.map((item) => cipherName(item, context));
        if (names.every((item) => item !== null)) settings.dataCiphers = names as string[];
      }
      return true;
    case 'data-ciphers-fallback':
      if (context.expect(1, 1) && context.single(name)) settings.dataCiphersFallback = cipherName(args[0] as string, context);
      return true;
    case 'auth':
      if (context.expect(1, 1) && context.single(name)) {
        if (NAME.test(args[0] as string)) settings.auth = args[0] as string;
        else context.problem(`auth ${clip(args[0] as string)} is not a digest name (e.g. SHA256, SHA1)`);
      }
      return true;
    case 'comp-lzo':
      if (context.expect(0, 1) && context.single('compression')) {
        const mode = args[0] ?? 'adaptive';
        if (mode === 'yes' || mode === 'no' || mode === 'adaptive') settings.compression = args[0] ? `comp-lzo ${mode}` : 'comp-lzo';
        else context.problem('comp-lzo takes yes, no or adaptive');
      }
      return true;
    case 'compress':
      if (context.expect(0, 1) && context.single('compression')) {
        if (args[0] === undefined) settings.compression = 'compress';
        else if (COMPRESS.has(args[0])) settings.compression = `compress ${args[0]}`;
        else context.problem(`compress ${clip(args[0])}: use lzo, lz4, lz4-v2, stub or stub-v2`);
      }
      return true;
    case 'tls-version-min':
      if (context.expect(1, 2) && context.single(name)) {
        if (TLS_VERSIONS.has(args[0] as string) && (args[1] === undefined || args[1] === 'or-highest')) settings.tlsVersionMin = args[0] as string;
        else context.problem('tls-version-min takes 1.0, 1.1, 1.2 or 1.3 (optionally "or-highest")');
      }
      return true;
    default:
      return false;
  }
}

function cipherName(text: string, context: DirectiveContext): string | null {
  if (text.toLowerCase() === 'none') {
    context.problem('cipher none turns encryption off; a direct VPN is always encrypted');
    return null;
  }
  if (!NAME.test(text)) {
    context.problem(`"${clip(text)}" is not a cipher name (e.g. AES-256-GCM, AES-128-CBC)`);
    return null;
  }
  return text;
}

/** The advanced settings as stored (review `crypto`): each wins over the upload's own directive. */
export type OpenVpnCryptoChoice = { cipher: string | null; auth: string | null; compression: string | null; tlsMin: string | null };

/**
 * A compression setting as a user types it ("lzo", "comp-lzo", "lz4-v2", "compress lz4", "no")
 * → the directive to render, null for none. Unknown text is passed on as is: the renderer
 * refuses it, and the agent reports that the VPN did not start.
 */
export function compressionDirective(value: string): string | null {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'no' || text === 'none' || text === 'off') return null;
  if (text === 'lzo' || text === 'yes' || text === 'comp-lzo' || text === 'comp-lzo yes') return 'comp-lzo';
  if (COMPRESS.has(text)) return `compress ${text}`;
  return value.trim();
}

/**
 * D2: the model with the advanced settings applied. A chosen cipher the upload did not name
 * becomes the only data cipher offered and the fallback for routers without negotiation
 * (OpenVPN < 2.4); the upload's own cipher keeps its data-ciphers list.
 */
export function withCryptoChoice<T extends OpenVpnCryptoSettings>(model: T, choice: OpenVpnCryptoChoice | null): T {
  if (choice === null) return model;
  const out = { ...model };
  if (choice.cipher !== null) {
    // The review shows the upload's own setting as `cipher`, or its data-ciphers joined with ':'.
    const own = choice.cipher === model.cipher || (model.cipher === null && choice.cipher === model.dataCiphers?.join(':'));
    const list = choice.cipher.split(':');
    if (!own) {
      out.cipher = list.length === 1 ? (list[0] as string) : null;
      out.dataCiphers = list;
    }
    // For routers without cipher negotiation (OpenVPN <= 2.3): the one cipher they use.
    out.dataCiphersFallback = model.dataCiphersFallback !== null && own ? model.dataCiphersFallback : list.length === 1 ? (list[0] as string) : out.dataCiphersFallback;
  }
  if (choice.auth !== null) out.auth = choice.auth;
  if (choice.compression !== null) out.compression = compressionDirective(choice.compression);
  if (choice.tlsMin !== null) out.tlsVersionMin = choice.tlsMin;
  return out;
}
