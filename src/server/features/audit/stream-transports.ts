import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type Socket, isIP, connect as tcpConnect } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { type SiemSinkConfig, syslogLine } from '../../../core/audit/siem-sink.ts';
import { octetFrame } from '../../../core/audit/syslog-5424.ts';

/**
 * How a batch of SIEM lines reaches a sink (issue 10 item 5). `send` resolves only once
 * the sink acknowledged the whole batch: the webhook's 2xx, or the syslog socket's write
 * flushed to the kernel. TCP has no application acknowledgement, so a syslog transport also
 * reports when its connection broke: the streamer then resends what it wrote shortly before.
 */
export type SiemLine = { id: string; at: string; type: 'flow' | 'event'; json: string };
export type SiemTransport = {
  send(lines: readonly SiemLine[]): Promise<void>;
  /** When the current (or last) connection broke, ms since epoch; null while it is fine. Reading it clears it. */
  takeBreak(): number | null;
  close(): void;
};

const TIMEOUT_MS = 30_000;

export function transportOf(sink: SiemSinkConfig, now: () => number): SiemTransport {
  try {
    if (sink.webhook) return webhookTransport(sink.webhook, now);
    if (sink.syslog) return syslogTransport(sink.syslog, now);
  } catch (error) {
    throw new Error(`audit.sinks ${sink.name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (${sink.webhook?.ca ?? sink.syslog?.ca ?? ''})`);
  }
  throw new Error(`audit.sinks ${sink.name}: neither syslog nor webhook`);
}

/** The header a receiver checks: `sha256=` HMAC-SHA256 of `<timestamp>.<body>` with the shared secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function webhookTransport(w: NonNullable<SiemSinkConfig['webhook']>, now: () => number): SiemTransport {
  const url = new URL(w.url);
  const ca = w.ca ? readFileSync(w.ca, 'utf8') : undefined;
  return {
    takeBreak: () => null,
    close: () => undefined,
    send: (lines) =>
      new Promise<void>((resolve, reject) => {
        const body = `${lines.map((l) => l.json).join('\n')}\n`;
        const timestamp = String(Math.floor(now() / 1000));
        const options = {
          method: 'POST',
          timeout: TIMEOUT_MS,
          headers: {
            'content-type': 'application/x-ndjson',
            'content-length': Buffer.byteLength(body),
            'x-plantgate-timestamp': timestamp,
            'x-plantgate-signature': webhookSignature(w.secret, timestamp, body),
          },
          ...(ca ? { ca } : {}),
        };
        const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`the webhook answered HTTP ${status}`));
          });
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`the webhook did not answer within ${TIMEOUT_MS / 1000} s`)));
        req.on('error', reject);
        req.end(body);
      }),
  };
}

function syslogTransport(s: NonNullable<SiemSinkConfig['syslog']>, now: () => number): SiemTransport {
  const ca = s.ca ? readFileSync(s.ca, 'utf8') : undefined;
  // RFC 5424 HOSTNAME: printable ASCII, at most 255.
  const host = osHostname().replace(/[^\x21-\x7e]/g, '').slice(0, 255) || null;
  let socket: Socket | null = null;
  let brokeAt: number | null = null;
  const broken = (which: Socket) => {
    if (socket !== which) return;
    socket = null;
    brokeAt = now();
    which.destroy();
  };
  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const ready = s.transport === 'tls' ? 'secureConnect' : 'connect';
      const sock: Socket =
        s.transport === 'tls' ? tlsConnect({ host: s.host, port: s.port, ...(ca ? { ca } : {}), ...(isIP(s.host) ? {} : { servername: s.host }) }) : tcpConnect({ host: s.host, port: s.port });
      sock.setTimeout(TIMEOUT_MS);
      sock.once('timeout', () => sock.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
      sock.once('error', reject);
      sock.once(ready, () => {
        sock.off('error', reject);
        sock.setTimeout(0);
        // The receiver never sends (RFC 6587); anything but data ends the connection.
        sock.on('data', () => undefined);
        sock.on('error', () => broken(sock));
        sock.on('close', () => broken(sock));
        sock.on('end', () => broken(sock));
        resolve(sock);
      });
    });
  return {
    takeBreak: () => {
      const at = brokeAt;
      brokeAt = null;
      return at;
    },
    close: () => {
      socket?.destroy();
      socket = null;
    },
    send: async (lines) => {
      if (socket === null) socket = await open();
      const sock = socket;
      const data = Buffer.concat(lines.map((l) => octetFrame(syslogLine(l, s.facility, host))));
      await new Promise<void>((resolve, reject) => {
        sock.write(data, (error) => {
          if (error) {
            broken(sock);
            reject(error);
          } else if (socket !== sock) reject(new Error('the syslog connection closed while sending'));
          else resolve();
        });
      });
    },
  };
}
