import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Issue 7 item 2: 500 wrong passwords in 15 s and 300 wrong TOTP codes in 18 s went through unslowed and unrecorded. */
describe('issue 7 item 2: login and TOTP guessing is slowed, locked and recorded', () => {
  let server: Server;
  let op: ReturnType<typeof http>;
  let offset = 0;
  const advance = (ms: number) => (offset += ms);
  const anon = () => http(server.url);
  const loginAs = (email: string, password: string, totp?: string) => anon().post('/api/v1/auth/login', { email, password, ...(totp ? { totp } : {}) });

  before(async () => {
    server = await startTestServer();
    server.ctx.now = () => new Date(Date.now() + offset);
    op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const users = ['victim', 'other', 'totp'].map((n) => ({ email: `${n}@guess.example`, password: `${n}-password` }));
    assert.equal((await op.post('/api/v1/admin/fleet', { document: { users, organizations: [] } })).status, 200);
  });
  after(async () => server?.close());

  it('five wrong passwords, then 429 with Retry-After, even for the right password (no argon2 run)', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await loginAs('victim@guess.example', 'wrong')).status, 401, `failure ${i + 1}`);
    assert.equal((await loginAs('victim@guess.example', 'wrong')).status, 401, 'the sixth is checked, then blocks');
    const blocked = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'victim@guess.example', password: 'victim-password' }),
    });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1, `Retry-After: ${blocked.headers.get('retry-after')}`);
    const body = (await blocked.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'too-many-attempts');
    assert.match(body.error.message, /try again in \d+ s/);
    advance(2000);
    assert.equal((await loginAs('victim@guess.example', 'victim-password')).status, 200, 'after the wait the right password works and clears the count');
    assert.equal((await loginAs('victim@guess.example', 'wrong')).status, 401);
  });

  it('an unknown email is throttled exactly like a known one (nothing tells them apart)', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push((await loginAs('other@guess.example', 'wrong')).status);
      unknown.push((await loginAs('nobody@guess.example', 'wrong')).status);
    }
    assert.deepEqual(known, unknown);
    assert.deepEqual(known, [401, 401, 401, 401, 401, 401, 429]);
  });

  it('twenty failures lock the account for 15 minutes; failures and the lock are events', async () => {
    advance(61 * 60_000);
    let last = 0;
    let retryAfter = '';
    for (let i = 0; i < 40 && last !== 429; i++) {
      const r = await loginAs('other@guess.example', 'wrong');
      last = r.status;
      if (r.status === 429) {
        // Wait out each backoff step so the count reaches the lock.
        const wait = Number(/try again in (\d+) s/.exec(r.body.error.message)?.[1]);
        if (wait < 15 * 60) {
          advance(wait * 1000);
          last = 0;
        } else retryAfter = String(wait);
      }
    }
    assert.equal(last, 429);
    assert.equal(retryAfter, '900');
    const events = (await op.get('/api/v1/admin/events?user=other@guess.example&limit=100')).body as Array<{ kind: string; details: Record<string, unknown> }>;
    assert.ok(events.filter((e) => e.kind === 'auth.login-failed').length >= 20);
    const lock = events.find((e) => e.kind === 'auth.locked');
    assert.ok(lock, 'the lock is recorded');
    assert.equal(lock.details.scope, 'account');
    assert.equal(lock.details.minutes, 15);
    advance(16 * 60_000);
    assert.equal((await loginAs('other@guess.example', 'other-password')).status, 200, 'the lock ends');
  });

  it('a burst of 50 parallel guesses runs six password checks, not fifty', async () => {
    advance(61 * 60_000);
    // Time stands still during the burst: on a loaded machine 50 argon2 checks outlast the first backoff step.
    const frozen = Date.now() + offset;
    server.ctx.now = () => new Date(frozen);
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => loginAs('victim@guess.example', `parallel-${i}`).then((r) => r.status)));
    offset = frozen - Date.now();
    server.ctx.now = () => new Date(Date.now() + offset);
    assert.equal(statuses.filter((s) => s === 401).length, 6, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 44);
  });

  it('one source spraying many accounts is slowed after 20 failures', async () => {
    advance(61 * 60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await loginAs(`spray${i}@guess.example`, 'wrong')).status);
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
    assert.equal(statuses[21], 429, 'the source is blocked, whatever account it tries next');
  });

  it('wrong TOTP codes are throttled like passwords; a recovery code logs in once', async () => {
    advance(61 * 60_000);
    const user = http(server.url, await login(server.url, 'totp@guess.example', 'totp-password'));
    const { secret } = (await user.post('/api/v1/me/totp')).body;
    const confirmed = await user.post('/api/v1/me/totp/confirm', { code: await generate({ secret }) });
    const codes = confirmed.body.recoveryCodes as string[];
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const c of codes) assert.match(c, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    const stored = await server.ctx.store.db.selectFrom('totp_recovery_codes').select('code_hash').execute();
    assert.ok(stored.every((r) => !codes.some((c) => r.code_hash.includes(c.replace(/-/g, '')))), 'stored hashed');

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await loginAs('totp@guess.example', 'totp-password', String(100000 + i))).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401]);
    const blocked = await loginAs('totp@guess.example', 'totp-password', await generate({ secret }));
    assert.equal(blocked.status, 429, 'even a right code waits out the backoff');
    assert.equal(blocked.body.error.field, 'totp');
    advance(2000);

    const viaRecovery = await loginAs('totp@guess.example', 'totp-password', codes[0]?.toUpperCase());
    assert.equal(viaRecovery.status, 200, 'a recovery code (any case) stands in for the code');
    assert.equal((await loginAs('totp@guess.example', 'totp-password', codes[0])).status, 401, 'each recovery code works once');
    const kinds = ((await op.get('/api/v1/admin/events?user=totp@guess.example')).body as Array<{ kind: string }>).map((e) => e.kind);
    for (const kind of ['totp.enabled', 'auth.totp-failed', 'auth.recovery-code-used']) assert.ok(kinds.includes(kind), kind);

    // The authenticator is lost: a recovery code turns the factor off too.
    advance(2000);
    assert.equal((await user.post('/api/v1/me/totp/disable', { code: codes[1] })).status, 204);
    assert.ok(((await op.get('/api/v1/admin/events?user=totp@guess.example&kind=totp.disabled')).body as unknown[]).length === 1);
    assert.equal(await server.ctx.store.db.selectFrom('totp_recovery_codes').select('code_hash').executeTakeFirst(), undefined, 'codes go with the factor');
    assert.equal((await loginAs('totp@guess.example', 'totp-password')).status, 200);
  });
});
