import { z } from 'zod';
import { hasControlCharacter } from '../render/unsafe-characters.ts';

/**
 * Names end up in operators' terminals, config comments and logs. A name with a control
 * character (an escape sequence clears a screen), a bidirectional override (shows
 * "gpj.exe" as "exe.jpg") or nothing visible at all is refused where it comes in.
 */
// Bidi embeddings/overrides/isolates and the marks that steer them; lone surrogates.
// (Control characters: isControlCode, shared with the CLI's output escaping.)
const BIDI_OR_BROKEN = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]|\p{Cs}/u;
// Format characters (zero-width space/joiners, BOM, …) and white space show nothing.
const INVISIBLE = /[\p{Cf}\p{White_Space}]/gu;

export const PRINTABLE_MESSAGE = 'must be printable characters only (no control characters, escape sequences or bidirectional overrides)';
export const VISIBLE_MESSAGE = 'must contain a visible character';

export type PrintableProblem = 'control' | 'invisible';

/** null when `text` is a printable name; else what is wrong with it. */
export function printableProblem(text: string): PrintableProblem | null {
  if (hasControlCharacter(text) || BIDI_OR_BROKEN.test(text)) return 'control';
  if (text.replace(INVISIBLE, '').length === 0) return 'invisible';
  return null;
}

/** The shared name rule: trimmed, 1..max characters, printable, something visible. */
export function printableName(max: number, requiredMessage = 'must not be empty'): z.ZodString {
  return z
    .string()
    .trim()
    .min(1, requiredMessage)
    .max(max, `must be at most ${max} characters`)
    .refine((v) => printableProblem(v) !== 'control', PRINTABLE_MESSAGE)
    .refine((v) => v.length === 0 || printableProblem(v) !== 'invisible', VISIBLE_MESSAGE);
}
