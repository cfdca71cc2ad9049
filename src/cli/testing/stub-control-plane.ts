import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Io } from '../context.ts';
import { main } from '../main.ts';

/**
 * A stand-in control plane for the CLI's unit tests: answers canned JSON per
 * `METHOD /path?query` and records every request, so a test checks what a command line
 * sends and what it prints without the server (the real one runs in test/cli/org*.test.ts).
 */
export type StubRequest = { method: string; url: string; body: unknown; authorization: string | undefined };
export type StubAnswer = { status?: number; body?: unknown };

export type StubControlPlane = {
  url: string;
  requests: StubRequest[];
  answer(route: string, answer: StubAnswer | ((request: StubRequest) => StubAnswer)): void;
  /** Runs `plantgate ARGS` in-process against the stub; what it printed and its exit code. */
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }>;
  close(): Promise<void>;
};

export async function stubControlPlane(): Promise<StubControlPlane> {
  const answers = new Map<string, StubAnswer | ((request: StubRequest) => StubAnswer)>();
  const requests: StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: StubRequest = { method: req.method ?? 'GET', url: (req.url ?? '').replace(/^\/api\/v1/, ''), body: text ? JSON.parse(text) : undefined, authorization: req.headers.authorization };
      requests.push(request);
      const found = answers.get(`${request.method} ${request.url}`);
      const answer = typeof found === 'function' ? found(request) : (found ?? { status: 404, body: { error: { code: 'not-found', message: `stub: no answer for ${request.method} ${request.url}` } } });
      const status = answer.status ?? 200;
      res.writeHead(status, answer.body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    answer: (route, answer) => answers.set(route, answer),
    async run(args, env = {}) {
      const out: string[] = [];
      const err: string[] = [];
      const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), env: { PLANTGATE_SERVER: url, PLANTGATE_TOKEN: 'pgt_stub_token', PLANTGATE_CONFIG_DIR: '/nonexistent', ...env } };
      const code = await main(['node', 'plantgate', ...args], io);
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
