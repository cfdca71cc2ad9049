/**
 * What parsing an uploaded direct VPN config yields (D5), shared by the WireGuard and the
 * OpenVPN parser and by the `create --dry-run` review. Line numbers are 1-based lines of the
 * upload as the user sees it (a CRLF file has the same numbers as its LF twin).
 */

/** A default route taken out of the upload (`what` is the route as written, canonical). */
export type StrippedRoute = { what: string; line: number };
/** A directive that would only shape the agent host's own settings; left out. */
export type IgnoredDirective = { directive: string; line: number };
/** Why an upload was refused: one entry per offending line (line 0: the file as a whole). */
export type UploadProblem = { line: number; directive: string; message: string };

export type OpenVpnCrypto = { cipher: string | null; auth: string | null; compression: string | null; tlsMin: string | null };

export type UploadParse<Config> =
  | {
      ok: true;
      config: Config;
      stripped: StrippedRoute[];
      ignored: IgnoredDirective[];
      /** The non-default ranges the upload names (canonical CIDRs, sorted, unique). */
      subnetsFromConfig: string[];
      needsCredentials: boolean;
      crypto: OpenVpnCrypto | null;
    }
  | { ok: false; problems: UploadProblem[] };

/** Uploads are small text files; anything larger is not a VPN config (and stays cheap to refuse). */
export const MAX_UPLOAD_BYTES = 64 * 1024;
/** At most this many problems are listed: enough to fix a file, bounded for a hostile one. */
export const MAX_PROBLEMS = 20;

/** Splits an upload into lines: a UTF-8 BOM is dropped, CRLF and LF both end a line. */
export function uploadLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** Characters a config line may hold: printable text and tabs (no NUL, no escape sequences, no lone CR). */
export function hasControlCharacter(line: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(line);
}
