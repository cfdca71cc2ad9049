import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '../../src/server/main.ts';

export const OPERATOR = { email: 'operator@example.test', password: 'operator-password-1' };

/** A real control plane on a loopback port with its own data directory (and database). */
export async function startTestServer(
  options: {
    database?: string;
    mappedSpace?: string;
    /** Another replica's data dir: share its master key (same database). */ replicaOf?: string;
    /** Issue 11: the service name and where its DNS responder listens (e.g. 127.0.0.1:0). */
    serviceName?: string;
    dnsListen?: string;
    /** The browser proxy's domain and port (docs/browser-proxy.md); unset: the proxy is off. */
    proxyDomain?: string;
    proxyPort?: number;
  } = {},
): Promise<RunningServer & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plantgate-test-'));
  if (options.replicaOf) copyFileSync(join(options.replicaOf, 'master.key'), join(dataDir, 'master.key'));
  const server = await startServer(
    {
      listen: '127.0.0.1:0',
      dataDir,
      database: options.database,
      adminEmail: OPERATOR.email,
      adminPassword: OPERATOR.password,
      mappedSpace: options.mappedSpace,
      serviceName: options.serviceName,
      dnsListen: options.dnsListen,
      proxyDomain: options.proxyDomain,
      proxyPort: options.proxyPort,
      quiet: true,
    },
    () => undefined,
  );
  return {
    ...server,
    dataDir,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Minimal JSON client that returns status and body, for asserting on errors too. */
export function http(base: string, token?: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined } as { status: number; body: any };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown = {}) => call('POST', path, body),
    put: (path: string, body: unknown = {}) => call('PUT', path, body),
    delete: (path: string, body?: unknown) => call('DELETE', path, body),
  };
}

export async function login(base: string, email: string, password: string): Promise<string> {
  const r = await http(base).post('/api/v1/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login ${email} failed: ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}
