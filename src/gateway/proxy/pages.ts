import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The proxy's own answers. They say what the user can do and nothing about what exists:
 * an unknown host, another target's cookie and a closed session read the same to anyone
 * who does not hold a valid session for this exact origin.
 */

export type Refusal = 'no-access' | 'bad-gateway';

const TEXT: Record<Refusal, { status: number; title: string; body: string }> = {
  // one answer for an unknown host, a grant that is not (or no longer) good, another target's
  // cookie and a closed session: none of them may tell a target or a session exists
  'no-access': {
    status: 404,
    title: 'Not available',
    body: 'Nothing is served here for you. If you opened a device from plantgate, its session has ended: open it again from plantgate.',
  },
  'bad-gateway': { status: 502, title: 'Device not reachable', body: 'The device did not answer through the plant connection.' },
};

export function refuse(res: ServerResponse, refusal: Refusal): void {
  const { status, title, body } = TEXT[refusal];
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${body}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

/** The same refusal on a WebSocket upgrade (no HTTP response object there). */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const { status, title } = TEXT[refusal];
  socket.end(`HTTP/1.1 ${status} ${title}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
