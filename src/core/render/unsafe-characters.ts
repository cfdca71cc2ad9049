/**
 * Characters that change what a terminal or a line-based file shows or does, rather
 * than showing themselves (issue 7 items 4 and 10): C0/C1 controls (ESC starts ANSI
 * sequences, CR rewrites a line), DEL, line separators, bidirectional overrides and
 * isolates (text that reads differently than it is), and zero-width characters (names
 * that look empty or identical to another).
 */

export function isControlCode(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

export function isInvisibleFormatCode(code: number): boolean {
  return (
    (code >= 0x200b && code <= 0x200f) || // zero-width space/joiners, LRM, RLM
    (code >= 0x202a && code <= 0x202e) || // bidi embeddings and overrides
    (code >= 0x2060 && code <= 0x2069) || // word joiner, invisible operators, bidi isolates
    code === 0x061c || // Arabic letter mark
    code === 0xfeff // zero-width no-break space
  );
}

/** True when a one-line value holds a control character (CR, LF, ESC, …). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControlCode(text.charCodeAt(i))) return true;
  return false;
}

/**
 * Shows unsafe characters as `\u001b`-style escapes so they are seen, not obeyed. The
 * form is a valid JSON escape too, so a JSON line passes through unchanged in meaning.
 * `keep` lists characters that pass unchanged (a message's own newlines).
 */
export function escapeUnsafe(text: string, keep = ''): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!(isControlCode(code) || isInvisibleFormatCode(code)) || keep.includes(text[i] as string)) continue;
    out += `${text.slice(start, i)}\\u${code.toString(16).padStart(4, '0')}`;
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}
