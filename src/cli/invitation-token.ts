/**
 * An invitation arrives as a link (`https://cp.example.com/invite#pgi_…`): the token is
 * after `#`, so it never reaches a server log. People paste the link, the token alone,
 * or a file holding either; all of them give the token and, for a link, the control
 * plane it came from.
 */
export type InvitationInput = { ok: true; token: string; server: string | undefined } | { ok: false; message: string };

const TOKEN = /^pgi_[A-Za-z0-9_-]{20,200}$/;

export function parseInvitation(text: string): InvitationInput {
  const value = text.trim();
  if (value === '') return { ok: false, message: 'is empty: give the invitation link (…/invite#pgi_…) or its token' };
  if (TOKEN.test(value)) return { ok: true, token: value, server: undefined };
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { ok: false, message: 'is not a valid link' };
    }
    const fragment = decodeFragment(url.hash.replace(/^#/, ''));
    // `#pgi_…` is the link's form; `#token=pgi_…` is accepted too (a query-style fragment).
    const token = TOKEN.test(fragment) ? fragment : new URLSearchParams(fragment).get('token');
    if (token && TOKEN.test(token)) return { ok: true, token, server: url.origin };
    return { ok: false, message: 'is a link without an invitation token after "#" (copy the whole link: …/invite#pgi_…)' };
  }
  return { ok: false, message: 'is neither an invitation link (…/invite#pgi_…) nor a token (pgi_…)' };
}

function decodeFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}
