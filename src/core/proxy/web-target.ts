/**
 * Web target naming and grant URLs (docs/browser-proxy.md). Pure: randomness and time come in.
 */

const LABEL_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const HOST_LABEL_LENGTH = 12;
/** A grant is redeemed at once by the browser the open answered; 30 s covers a slow start. */
export const GRANT_TTL_MS = 30_000;
/** The longest a proxy session lives; it also ends with the platform session it was opened in. */
export const SESSION_MAX_MS = 8 * 3600_000;
/** Where the gateway redeems a grant on a target's origin. */
export const GRANT_PATH = '/.plantgate/grant';

/** `t-` + 12 letters/digits from random bytes (a DNS label; 36^12 ≈ 2^62 values). */
export function hostLabel(random: Uint8Array): string {
  if (random.length < HOST_LABEL_LENGTH) throw new Error(`hostLabel needs ${HOST_LABEL_LENGTH} random bytes`);
  let label = 't-';
  for (let i = 0; i < HOST_LABEL_LENGTH; i++) label += LABEL_ALPHABET[(random[i] as number) % LABEL_ALPHABET.length];
  return label;
}

/** The target's origin as the browser sees it. */
export function targetOrigin(host: string, domain: string, port: number): string {
  return `https://${host}.${domain}${port === 443 ? '' : `:${port}`}`;
}

export function grantUrl(host: string, domain: string, port: number, token: string): string {
  return `${targetOrigin(host, domain, port)}${GRANT_PATH}?token=${encodeURIComponent(token)}`;
}

/** The session's end: SESSION_MAX_MS from now, never after the platform session. */
export function sessionExpiry(nowMs: number, tokenExpiresAt: string | null): number {
  const max = nowMs + SESSION_MAX_MS;
  if (tokenExpiresAt === null) return max;
  return Math.min(max, Date.parse(tokenExpiresAt));
}

/** A DNS name the targets' subdomains go under: labels of letters, digits and hyphens, at least two labels. */
export function proxyDomainProblem(domain: string): string | null {
  if (domain.length > 200) return 'must be at most 200 characters';
  const labels = domain.split('.');
  if (labels.length < 2) return 'must be a DNS name with at least two labels (e.g. proxy.example.net)';
  for (const l of labels) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l)) return `must be a lowercase DNS name (label "${l}" is not valid)`;
  }
  return null;
}
