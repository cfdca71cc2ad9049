import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { generateFleet, toFleetFile } from '../../bench/fleet-generator.ts';
import { allRoutes } from '../../src/server/http/app.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
const MiB = 1024 * 1024;

/**
 * Streams up to `total` bytes of a JSON-looking body to `path` and stops at the answer.
 * Returns the status, the error body, how much was sent before the answer and how long it took.
 */
function streamBody(base: string, path: string, total: number, declareLength: boolean) {
  return new Promise<{ status: number; body: any; sent: number; ms: number }>((resolve, reject) => {
    const url = new URL(path, base);
    const started = Date.now();
    const chunk = Buffer.alloc(256 * 1024, 'a');
    let sent = 0;
    let answered = false;
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(total) } : {}) } },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, sent, ms: Date.now() - started });
        });
      },
    );
    // The server may close the socket under our feet once it answered: that is the point.
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const pump = () => {
      while (!answered && sent < total) {
        const piece = sent === 0 ? Buffer.concat([Buffer.from('{"email":"a@b.c","password":"'), chunk]).subarray(0, chunk.length) : chunk;
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('issue 7 item 1: request bodies are bounded, also where no login is needed', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('a 256 MiB login body with Content-Length is refused with 413 before it is sent', async () => {
    const r = await streamBody(server.url, '/api/v1/auth/login', 256 * MiB, true);
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'too-large');
    assert.equal(r.body.error.field, '(body)');
    assert.ok(r.sent < 128 * MiB, `answered after ${r.sent / MiB} MiB of 256`);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  it('a streamed (chunked) 256 MiB "password" is cut off at the limit without being buffered; /healthz stays fast', async () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const attack = Promise.all([1, 2, 3, 4].map(() => streamBody(server.url, '/api/v1/auth/login', 256 * MiB, false)));
    const healthStarted = Date.now();
    assert.equal((await http(server.url).get('/healthz')).status, 200);
    const healthMs = Date.now() - healthStarted;
    const results = await attack;
    const grown = (process.memoryUsage().rss - rssBefore) / MiB;
    for (const r of results) {
      assert.equal(r.status, 413, JSON.stringify(r.body));
      assert.ok(r.sent < 128 * MiB, `answered after ${r.sent / MiB} MiB of 256`);
    }
    assert.ok(grown < 150, `RSS grew by ${grown.toFixed(0)} MiB for four 256 MiB bodies`);
    // Before the limit it took 28 s; the bound leaves room for a busy CI machine.
    assert.ok(healthMs < 5000, `/healthz took ${healthMs} ms during the attack`);
  });

  it('a password over 1,024 characters is refused by name (400), without an argon2 run', async () => {
    const r = await http(server.url).post('/api/v1/auth/login', { email: OPERATOR.email, password: 'x'.repeat(1025) });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'password');
    assert.match(r.body.error.message, /at most 1024/);
  });

  it('over-long fields are refused by name: email, route selector, enrolment token', async () => {
    const anon = http(server.url);
    const email = await anon.post('/api/v1/auth/login', { email: `${'a'.repeat(320)}@x.example`, password: 'x' });
    assert.deepEqual([email.status, email.body.error.field], [400, 'email']);
    const enrol = await anon.post('/api/v1/enrol', { token: `pge_${'x'.repeat(300)}` });
    assert.deepEqual([enrol.status, enrol.body.error.field], [400, 'token']);
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const selector = await op.put('/api/v1/vpn/routes/priority', { plant: 'p'.repeat(500), subnet: '10.0.0.0/24' });
    assert.deepEqual([selector.status, selector.body.error.field], [400, 'plant']);
  });

  it('the fleet apply still takes a large file (a 2,000-user dry run, far over 64 KiB)', async () => {
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const users = Array.from({ length: 2000 }, (_, i) => ({ email: `user${i}@fleet.example`, name: `User number ${i} of the big fleet` }));
    const document = { users, organizations: [{ name: 'Big', members: users.map((u) => ({ email: u.email, role: 'member' })) }] };
    assert.ok(JSON.stringify(document).length > 200 * 1024);
    const r = await op.post('/api/v1/admin/fleet', { document, dryRun: true });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
    const tooBig = await op.post('/api/v1/tokens', { name: 'x'.repeat(70 * 1024) });
    assert.equal(tooBig.status, 413, 'other endpoints keep the small limit');
  });

  it('the 10,000-user benchmark fleet file fits the fleet apply\u2019s limit with room to spare', () => {
    const limit = allRoutes.find((r) => r.method === 'post' && r.path === '/admin/fleet')?.maxBody ?? 0;
    const bytes = Buffer.byteLength(JSON.stringify({ document: toFleetFile(generateFleet({ seed: 1, scale: 1 })) }));
    assert.ok(bytes * 4 < limit, `${(bytes / MiB).toFixed(1)} MiB against a ${limit / MiB} MiB limit`);
  });
});
