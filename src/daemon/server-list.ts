/**
 * The control-plane URLs a daemon may use (`--server URL[,URL…]`): replicas on one
 * database, or one load balancer. Every request goes to the current one; when it cannot be
 * reached (refused, reset, timeout) or answers that it is unavailable (502/503/504), the
 * daemon moves to the next and carries on there (the loop reconnects with its backoff).
 * One list is shared by every client of a daemon, so enrolment, registration and the
 * long-poll move together.
 */
export class ServerList {
  readonly urls: readonly string[];
  private index = 0;
  private readonly onSwitch: (from: string, to: string, reason: string) => void;

  constructor(urls: readonly string[], onSwitch: (from: string, to: string, reason: string) => void = () => {}) {
    if (urls.length === 0) throw new Error('at least one control-plane URL is needed');
    this.urls = urls.map((url) => url.replace(/\/+$/, ''));
    this.onSwitch = onSwitch;
  }

  get current(): string {
    return this.urls[this.index];
  }

  /** `url` failed: the next URL becomes current (unless another request moved on already). */
  failed(url: string, reason: string): void {
    if (this.urls.length < 2 || url !== this.current) return;
    this.index = (this.index + 1) % this.urls.length;
    this.onSwitch(url, this.current, reason);
  }
}

/**
 * `--server` values (repeated, each possibly comma-separated) → distinct URLs, in order.
 * Throws with the offending value when one is not an http(s) URL.
 */
export function parseServerUrls(values: string | readonly string[] | undefined): string[] {
  const list = (typeof values === 'string' ? [values] : [...(values ?? [])]).flatMap((value) => value.split(','));
  const urls: string[] = [];
  for (const raw of list) {
    const value = raw.trim();
    if (value === '') continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error(`--server: ${JSON.stringify(value)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--server: ${value} must be http:// or https://`);
    const normal = value.replace(/\/+$/, '');
    if (!urls.includes(normal)) urls.push(normal);
  }
  if (urls.length === 0) throw new Error('--server: a control-plane URL is required');
  return urls;
}
