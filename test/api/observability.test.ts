import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type RunningServer, startServer } from '../../src/server/main.ts';
import { http, OPERATOR } from '../support/server.ts';

/**
 * Issue 7 #18 as an operator meets it: one JSON log line per request without secrets,
 * GET /metrics with request counters, latency, long-poll waiters and process metrics,
 * and HTTPS served directly with --tls-cert/--tls-key (a self-signed certificate made here).
 */

const METRICS_TOKEN = 'metrics-scrape-token-1';

async function start(dataDir: string, extra: { tlsCert?: string; tlsKey?: string } = {}, lines: string[] = []): Promise<RunningServer> {
  return startServer(
    { listen: '127.0.0.1:0', dataDir, adminEmail: OPERATOR.email, adminPassword: OPERATOR.password, logLevel: 'info', metricsToken: METRICS_TOKEN, logWrite: (line) => lines.push(line), ...extra },
    () => undefined,
  );
}

describe('control plane: request log and /metrics (issue 7 #18)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'plantgate-observe-'));
  const lines: string[] = [];
  let server: RunningServer;
  const requestLines = () => lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
  const metrics = async (token: string | null = METRICS_TOKEN) =>
    fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  before(async () => {
    server = await start(dataDir, {}, lines);
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('one line per request: method, route pattern, status, ms, principal id; never a password, token or id in the route', async () => {
    const anon = http(server.url);
    const login = await anon.post('/api/v1/auth/login', { email: OPERATOR.email, password: OPERATOR.password });
    assert.equal(login.status, 200);
    const token = login.body.token as string;
    const op = http(server.url, token);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn-eu.example.test:51820' })).status, 201);
    const enrolment = await op.post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
    const enrolled = await anon.post('/api/v1/enrol', { token: enrolment.body.token });
    assert.equal(enrolled.status, 201);
    const gateway = http(server.url, enrolled.body.credential);
    assert.equal((await gateway.get(`/api/v1/gateways/${enrolled.body.id}/state`)).status, 200);
    assert.equal((await anon.get('/api/v1/no/such/thing?secret=x')).status, 404);

    const logged = requestLines();
    assert.equal(logged.length, 6, JSON.stringify(logged));
    const [loginLine, regionLine, , enrolLine, stateLine, missingLine] = logged;
    assert.deepEqual({ ...loginLine, ms: 0, time: 0 }, { level: 'info', time: 0, msg: 'request', method: 'POST', route: '/api/v1/auth/login', status: 200, ms: 0, principal: null });
    assert.equal(typeof loginLine.ms, 'number');
    assert.match(regionLine.principal, /^user:/);
    assert.equal(enrolLine.route, '/api/v1/enrol');
    assert.equal(stateLine.route, '/api/v1/gateways/:id/state');
    assert.equal(stateLine.principal, `gateway:${enrolled.body.id}`);
    assert.equal(missingLine.route, 'unmatched');
    assert.equal(missingLine.status, 404);
    const all = lines.join('\n');
    for (const secret of [OPERATOR.password, token, enrolment.body.token, enrolled.body.credential, `${enrolled.body.id}/state`, 'secret=x']) {
      assert.ok(!all.includes(secret), `the log must not contain ${secret.slice(0, 12)}…`);
    }
  });

  it('GET /metrics: HTTP requests by route and status, latency histogram, process metrics, state revision, database queries', async () => {
    const response = await metrics();
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(text, /^plantgate_http_requests_total\{method="POST",route="\/api\/v1\/auth\/login",status="200"\} 1$/m);
    assert.match(text, /^plantgate_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    assert.match(text, /^plantgate_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/gateways\/:id\/state"\} 1$/m);
    assert.match(text, /^plantgate_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/api\/v1\/auth\/login"\} \d+$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.match(text, /^plantgate_state_revision \d+$/m);
    assert.match(text, /^plantgate_db_queries_total \d+$/m);
  });

  it('GET /metrics counts the daemons waiting in a long-poll right now', async () => {
    const anon = http(server.url);
    const token = (await anon.post('/api/v1/auth/login', { email: OPERATOR.email, password: OPERATOR.password })).body.token as string;
    const enrolment = await http(server.url, token).post('/api/v1/admin/gateways/enrolments', { region: 'eu-central' });
    const enrolled = await anon.post('/api/v1/enrol', { token: enrolment.body.token });
    const gateway = http(server.url, enrolled.body.credential);
    const first = await gateway.get(`/api/v1/gateways/${enrolled.body.id}/state`);
    const waiting = gateway.get(`/api/v1/gateways/${enrolled.body.id}/state?after=${first.body.revision}&wait=2`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.match(await (await metrics()).text(), /^plantgate_longpoll_waiters\{kind="gateway"\} 1$/m);
    assert.equal((await waiting).status, 200);
    assert.match(await (await metrics()).text(), /^plantgate_longpoll_waiters\{kind="gateway"\} 0$/m);
  });

  it('GET /metrics with a configured metrics token refuses a scrape without it (401, the error shape)', async () => {
    for (const token of [null, 'wrong-token']) {
      const response = await metrics(token);
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
  });
});

describe('control plane over HTTPS with --tls-cert/--tls-key (issue 7 #18)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'plantgate-tls-'));
  let server: RunningServer;
  let cert = '';

  before(async () => {
    const certPath = join(dataDir, 'cert.pem');
    const keyPath = join(dataDir, 'key.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=plantgate-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath,
    ], { timeout: 20_000 });
    cert = readFileSync(certPath, 'utf8');
    server = await start(dataDir, { tlsCert: certPath, tlsKey: keyPath });
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers HTTPS with the configured certificate, and nothing over plain HTTP', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const { status, body, peerCert } = await new Promise<{ status: number; body: string; peerCert: string }>((resolve, reject) => {
      const req = httpsRequest(`${server.url}/healthz`, { ca: cert, timeout: 5000 }, (res) => {
        const subject = String((res.socket as TLSSocket).getPeerCertificate().subject.CN);
        let data = '';
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, peerCert: subject }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    assert.equal(JSON.parse(body).ok, true);
    assert.equal(peerCert, 'plantgate-test');
    await assert.rejects(fetch(`${server.url.replace('https:', 'http:')}/healthz`, { signal: AbortSignal.timeout(5000) }));
  });

  it('a certificate file that cannot be read stops the start with a message naming it', async () => {
    await assert.rejects(start(dataDir, { tlsCert: join(dataDir, 'missing.pem'), tlsKey: join(dataDir, 'key.pem') }), /tls certificate .*missing\.pem: ENOENT/);
  });
});
