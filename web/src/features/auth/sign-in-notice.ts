/** A one-shot message for the sign-in page (page memory only, never storage). */
let notice: string | null = null;

export function setSignInNotice(message: string): void {
  notice = message;
}

export function takeSignInNotice(): string | null {
  const message = notice;
  notice = null;
  return message;
}
