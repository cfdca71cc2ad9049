/**
 * The user's side of bench/browser-proxy.ts, run inside the user's network namespace
 * (`ip netns exec NS node bench/browser-proxy-client.ts MODE …`). Prints one JSON line.
 *   open SERVER TOKEN TARGET N GATEWAY PORT   → N grants via the API, each redeemed at the proxy: {cookies, origin}
 *   ttfb URL N [HOST] [COOKIE]                → time to first byte (response headers), fresh connection per request, ms
 *   download URL [HOST] [COOKIE]              → {bytes, ms}
 *   load URL HOST COOKIES_FILE SECONDS        → one keep-alive client per session, all at once: {requests, rps, p50, p99}
 *   hold URL HOST COOKIES_FILE SECONDS        → every session holds an open keep-alive connection and a WebSocket, prints {held} then waits
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import WebSocket from 'ws';

const [mode, ...args] = process.argv.slice(2);

type Got = { status: number; headers: Record<string, string | string[] | undefined>; ttfb: number; bytes: number; ms: number };

function get(url: string, options: { host?: string; cookie?: string; agent?: HttpAgent | HttpsAgent | false; method?: string; token?: string } = {}): Promise<Got> {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (options.host) headers.host = options.host;
    if (options.cookie) headers.cookie = options.cookie;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const req = (https ? httpsRequest : httpRequest)(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: options.method ?? 'GET',
        headers,
        agent: options.agent ?? false,
        ...(https ? { rejectUnauthorized: false, servername: options.host?.replace(/:\d+$/, '') } : {}),
      },
      (res) => {
        const ttfb = performance.now() - started;
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes < 1 << 20) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, ttfb, bytes, ms: performance.now() - started, ...({ body: Buffer.concat(chunks).toString() } as object) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

if (mode === 'open') {
  const [server, token, target, n, gateway, port] = args as [string, string, string, string, string, string];
  const cookies: string[] = [];
  let origin = '';
  for (let i = 0; i < Number(n); i++) {
    const opened = (await get(`${server}/api/v1/web-targets/${target}/open`, { method: 'POST', token })) as Got & { body: string };
    if (opened.status !== 200 && opened.status !== 201) throw new Error(`open: ${opened.status} ${opened.body}`);
    const url = new URL((JSON.parse(opened.body) as { url: string }).url);
    origin = url.origin;
    const grant = await get(`https://${gateway}:${port}${url.pathname}${url.search}`, { host: url.host });
    const cookie = String(grant.headers['set-cookie'] ?? '').split(';')[0];
    if (grant.status !== 303 || !cookie) throw new Error(`grant: ${grant.status}`);
    cookies.push(cookie);
  }
  console.log(JSON.stringify({ cookies, origin }));
} else if (mode === 'ttfb') {
  const [url, n, host, cookie] = args as [string, string, string | undefined, string | undefined];
  const samples: number[] = [];
  for (let i = 0; i < Number(n); i++) samples.push((await get(url, { host, cookie })).ttfb);
  console.log(JSON.stringify({ samples }));
} else if (mode === 'download') {
  const [url, host, cookie] = args as [string, string | undefined, string | undefined];
  const got = await get(url, { host, cookie });
  console.log(JSON.stringify({ bytes: got.bytes, ms: got.ms, status: got.status }));
} else if (mode === 'load' || mode === 'hold') {
  const [url, host, file, seconds] = args as [string, string, string, string];
  const cookies = (JSON.parse(readFileSync(file, 'utf8')) as { cookies: string[] }).cookies;
  const https = url.startsWith('https:');
  const agents = cookies.map(() => (https ? new HttpsAgent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false }) : new HttpAgent({ keepAlive: true, maxSockets: 1 })));
  if (mode === 'load') {
    const latencies: number[] = [];
    const end = performance.now() + Number(seconds) * 1000;
    let errors = 0;
    await Promise.all(
      cookies.map(async (cookie, i) => {
        while (performance.now() < end) {
          try {
            const got = await get(url, { host, cookie, agent: agents[i] });
            if (got.status === 200) latencies.push(got.ms);
            else errors++;
          } catch {
            errors++;
          }
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    console.log(JSON.stringify({ requests: latencies.length, errors, rps: latencies.length / Number(seconds), p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) }));
  } else {
    const u = new URL(url);
    const sockets: WebSocket[] = [];
    for (const [i, cookie] of cookies.entries()) {
      await get(url, { host, cookie, agent: agents[i] });
      const ws = new WebSocket(`wss://${u.host}/ws`, { headers: { host, cookie }, rejectUnauthorized: false });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      sockets.push(ws);
    }
    console.log(JSON.stringify({ held: sockets.length }));
    await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
    for (const ws of sockets) ws.terminate();
    for (const agent of agents) agent.destroy();
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
