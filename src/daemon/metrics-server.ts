import { createServer, type Server } from 'node:http';

/** Serves GET /metrics (Prometheus text) and GET /healthz on HOST:PORT. */
export async function startMetricsServer(listen: string, render: () => Promise<string>, healthy: () => boolean): Promise<{ url: string; close(): Promise<void> }> {
  const match = /^(.*):(\d{1,5})$/.exec(listen);
  if (!match) throw new Error(`--metrics-listen must be HOST:PORT, got ${listen}`);
  const host = match[1].replace(/^\[(.*)\]$/, '$1');
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/metrics') {
      render().then(
        (text) => {
          response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
          response.end(text);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
        },
      );
    } else if (request.method === 'GET' && request.url === '/healthz') {
      const ok = healthy();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      response.end(ok ? 'ok\n' : 'not applied yet\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(match[2]), host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : Number(match[2]);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
