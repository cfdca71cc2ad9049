import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProxySessionEntry, ProxyTargetEntry } from '../../src/gateway/proxy/proxy-document.ts';
import { SESSION_COOKIE } from '../../src/gateway/proxy/rewrite.ts';
import { selfSignedCertificate } from '../../src/gateway/proxy/self-signed.ts';

/** Helpers for the proxy's tests and its benchmark (no test framework inside). */

export type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

/** One HTTPS request to the proxy at `address:port` for origin host `host` (self-signed: not verified). */
export function proxyGet(address: string, port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, servername: host, rejectUnauthorized: false, headers: { host, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The session cookie a grant redirect set (name=value), or null. */
export function sessionCookieFrom(reply: Reply): string | null {
  const cookies = reply.headers['set-cookie'] ?? [];
  const found = (Array.isArray(cookies) ? cookies : [cookies]).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return found === undefined ? null : (found.split(';')[0] ?? null);
}

export function grantHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function session(id: string, target: ProxyTargetEntry, token: string, now: number, over: Partial<ProxySessionEntry> = {}): ProxySessionEntry {
  return {
    id,
    targetId: target.id,
    userId: `u-${id}`,
    userEmail: `${id}@example.test`,
    grantHash: grantHash(token),
    grantExpiresAt: new Date(now + 30_000).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(),
    ...over,
  };
}

/**
 * A device that speaks only TLS 1.0 with an RSA certificate of its own: the real
 * `openssl s_server -tls1 -WWW` serving `index.html` with `body`. `ns`: run it in a
 * network namespace (`ip netns exec`).
 */
export async function startLegacyTlsDevice(address: string, port: number, body: string, ns?: string): Promise<{ process: ChildProcess; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-tls1-'));
  const { cert, key } = await selfSignedCertificate([address], new Date(), { rsa: true });
  writeFileSync(join(dir, 'cert.pem'), cert);
  writeFileSync(join(dir, 'key.pem'), key);
  writeFileSync(join(dir, 'index.html'), body);
  const args = ['s_server', '-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0', '-WWW', '-accept', `${address}:${port}`, '-cert', 'cert.pem', '-key', 'key.pem'];
  const command = ns === undefined ? ['openssl', ...args] : ['ip', 'netns', 'exec', ns, 'openssl', ...args];
  const child = spawn(command[0] as string, command.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('openssl s_server did not start')), 5000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ACCEPT')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`openssl s_server ended (${code})`)));
  });
  return {
    process: child,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether `openssl` is installed (the legacy TLS device needs it). */
export function opensslVersion(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('openssl', ['version'], { timeout: 5000 }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
  );
}
