import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import { type Server, type Socket, createServer as createTcpServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/**
 * Real SIEM receivers for the streaming tests (issue 10 item 5): a syslog listener over TCP
 * or TLS that parses RFC 6587 octet-counted RFC 5424 messages, and an HTTPS webhook that
 * checks the HMAC signature. Both listen on 127.0.0.1, can be killed mid-stream (every
 * connection dropped, the port closed) and started again on the same port.
 */
export type Received = { id: string; type: string; json: Record<string, unknown>; raw: string };

const SYSLOG = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\]) (\{.*\})$/s;

export class SyslogReceiver {
  readonly received: Received[] = [];
  readonly malformed: string[] = [];
  port = 0;
  /** Crash as soon as this many messages were received (mid-stream): what arrived after it is never read. */
  crashAt: number | null = null;
  crashed: Promise<void> | null = null;
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  private readonly tls: { cert: string; key: string } | null;
  constructor(tls: { cert: string; key: string } | null) {
    this.tls = tls;
  }

  async start(): Promise<void> {
    const onSocket = (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          const space = buffer.indexOf(0x20);
          if (space < 0) return;
          const length = Number(buffer.subarray(0, space).toString('ascii'));
          if (!Number.isInteger(length) || length <= 0) {
            this.malformed.push(buffer.toString('utf8'));
            socket.destroy();
            return;
          }
          if (buffer.length < space + 1 + length) return;
          const message = buffer.subarray(space + 1, space + 1 + length).toString('utf8');
          buffer = buffer.subarray(space + 1 + length);
          const m = SYSLOG.exec(message);
          if (!m) {
            this.malformed.push(message);
            continue;
          }
          const json = JSON.parse(m[8] as string) as Record<string, unknown>;
          this.received.push({ id: String(json.id), type: m[6] as string, json, raw: message });
          if (this.crashAt !== null && this.received.length >= this.crashAt) {
            this.crashAt = null;
            this.crashed = this.kill();
            return;
          }
        }
      });
    };
    const server = this.tls ? createTlsServer(this.tls, onSocket) : createTcpServer(onSocket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Kills the receiver: the port closes and every open connection is dropped (what was not read is lost). */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  readonly badSignatures: string[] = [];
  port = 0;
  /** Answer this many requests with 503 before accepting again. */
  failNext = 0;
  requests = 0;
  private server: HttpsServer | null = null;
  private readonly tls: { cert: string; key: string };
  private readonly secret: string;
  constructor(tls: { cert: string; key: string }, secret: string) {
    this.tls = tls;
    this.secret = secret;
  }

  async start(): Promise<void> {
    const server = createHttpsServer(this.tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        const body = Buffer.concat(chunks).toString('utf8');
        const timestamp = String(req.headers['x-plantgate-timestamp'] ?? '');
        const expected = Buffer.from(`sha256=${createHmac('sha256', this.secret).update(`${timestamp}.${body}`).digest('hex')}`);
        const given = Buffer.from(String(req.headers['x-plantgate-signature'] ?? ''));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          this.badSignatures.push(body);
          res.writeHead(401).end();
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          res.writeHead(503).end();
          return;
        }
        for (const line of body.split('\n').filter(Boolean)) {
          const json = JSON.parse(line) as Record<string, unknown>;
          this.received.push({ id: String(json.id), type: String(json.type), json, raw: line });
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

/** Polls until `done` holds (bounded), else fails with `what`. */
export async function until(what: () => string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
