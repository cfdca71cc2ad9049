import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { baseFleet } from './fleet-fixture.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
const BIN = join(import.meta.dirname, '../../bin/plantgate.js');

function plantgate(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Issue 7 item 15: an operator could not list, disable, reset or delete users, nor share the operator role. */
describe('issue 7 item 15: operators administer users', () => {
  let server: Server;
  let op: ReturnType<typeof http>;
  const as = async (email: string, password: string) => http(server.url, await login(server.url, email, password));
  const kindsFor = async (email: string) => ((await op.get(`/api/v1/admin/events?user=${email}&limit=500`)).body as Array<{ kind: string }>).map((e) => e.kind);
  const peers = async () => ((await op.get('/api/v1/admin/regions/eu-central/state')).body.peers as Array<{ publicKey: string }>).map((p) => p.publicKey);

  before(async () => {
    server = await startTestServer();
    op = await as(OPERATOR.email, OPERATOR.password);
    assert.equal((await op.post('/api/v1/admin/fleet', { document: baseFleet() })).status, 200);
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-central', endpoint: 'vpn.example.test:51820' })).status, 201);
  });
  after(async () => server?.close());

  it('lists users with operator role, state, second factor and profile', async () => {
    const users = (await op.get('/api/v1/admin/users')).body as Array<{ email: string; platformOperator: boolean; disabledAt: string | null }>;
    assert.deepEqual(users.map((u) => u.email), ['alice@solarco.example', 'bob@solarco.example', 'carol@windserv.example', 'gus@solarco.example', OPERATOR.email]);
    assert.deepEqual(users.filter((u) => u.platformOperator).map((u) => u.email), [OPERATOR.email]);
    assert.equal((await (await as('bob@solarco.example', 'bob-password')).get('/api/v1/admin/users')).status, 403);
  });

  it('disable revokes tokens and profile at once (peer gone from the gateway state); enable lets the user back in', async () => {
    const alice = await as('alice@solarco.example', 'alice-password');
    const personal = (await alice.post('/api/v1/tokens', { name: 'automation' })).body.token as string;
    const key = generateWireGuardKeyPair().publicKey;
    assert.equal((await alice.post('/api/v1/vpn/profile', { publicKey: key })).status, 201);
    assert.deepEqual(await peers(), [key]);
    assert.equal((await op.post('/api/v1/admin/users/alice@solarco.example/disable')).status, 204);
    assert.deepEqual(await peers(), [], 'the peer left the gateway state');
    for (const token of [personal]) assert.equal((await http(server.url, token).get('/api/v1/me')).status, 401);
    assert.equal((await alice.get('/api/v1/me')).status, 401, 'the login session is revoked');
    const refused = await http(server.url).post('/api/v1/auth/login', { email: 'alice@solarco.example', password: 'alice-password' });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'account-disabled');
    const listed = ((await op.get('/api/v1/admin/users')).body as Array<{ email: string; disabledAt: string | null; profileTunnelIp: string | null }>).find((u) => u.email === 'alice@solarco.example');
    assert.ok(listed?.disabledAt);
    assert.equal(listed?.profileTunnelIp, null);
    assert.equal((await op.post('/api/v1/admin/users/alice@solarco.example/disable')).status, 409, 'already disabled');
    assert.equal((await op.post('/api/v1/admin/users/alice@solarco.example/enable')).status, 204);
    assert.equal((await http(server.url).post('/api/v1/auth/login', { email: 'alice@solarco.example', password: 'alice-password' })).status, 200);
    const kinds = await kindsFor('alice@solarco.example');
    for (const kind of ['user.disabled', 'profile.revoked', 'user.enabled']) assert.ok(kinds.includes(kind), kind);
  });

  it('an operator revokes another user\u2019s profile', async () => {
    const carol = await as('carol@windserv.example', 'carol-password');
    const key = generateWireGuardKeyPair().publicKey;
    assert.equal((await carol.post('/api/v1/vpn/profile', { publicKey: key })).status, 201);
    const revoked = await op.post('/api/v1/admin/users/carol@windserv.example/profile/revoke');
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.status, 'revoked');
    assert.ok(!(await peers()).includes(key));
    assert.equal((await op.post('/api/v1/admin/users/carol@windserv.example/profile/revoke')).status, 404, 'nothing left to revoke');
    const event = ((await op.get('/api/v1/admin/events?user=carol@windserv.example&kind=profile.revoked')).body as Array<{ actor: string }>)[0];
    assert.equal(event?.actor, OPERATOR.email, 'the event names the operator as actor');
  });

  it('reset password: a one-time password (shown once) must be replaced before any login; old password and tokens die', async () => {
    const bob = await as('bob@solarco.example', 'bob-password');
    const reset = await op.post('/api/v1/admin/users/bob@solarco.example/password', {});
    assert.equal(reset.status, 200);
    assert.equal(reset.body.oneTime, true);
    const oneTime = reset.body.password as string;
    assert.ok(oneTime.length >= 12);
    assert.equal((await bob.get('/api/v1/me')).status, 401, 'tokens revoked');
    assert.equal((await http(server.url).post('/api/v1/auth/login', { email: 'bob@solarco.example', password: 'bob-password' })).status, 401);
    const mustChange = await http(server.url).post('/api/v1/auth/login', { email: 'bob@solarco.example', password: oneTime });
    assert.equal(mustChange.status, 403);
    assert.equal(mustChange.body.error.code, 'password-change-required');
    const same = await http(server.url).post('/api/v1/auth/password', { email: 'bob@solarco.example', password: oneTime, newPassword: oneTime });
    assert.equal(same.body.error.field, 'newPassword');
    assert.equal((await http(server.url).post('/api/v1/auth/password', { email: 'bob@solarco.example', password: oneTime, newPassword: 'bobs-own-password' })).status, 204);
    assert.equal((await http(server.url).post('/api/v1/auth/login', { email: 'bob@solarco.example', password: oneTime })).status, 401, 'the one-time password works once');
    assert.equal((await http(server.url).post('/api/v1/auth/login', { email: 'bob@solarco.example', password: 'bobs-own-password' })).status, 200);
    const given = await op.post('/api/v1/admin/users/bob@solarco.example/password', { password: 'chosen-by-operator' });
    assert.equal(given.body.password, null, 'an operator-chosen password is not echoed');
    assert.equal((await http(server.url).post('/api/v1/auth/password', { email: 'bob@solarco.example', password: 'chosen-by-operator', newPassword: 'bob-password' })).status, 204);
    const kinds = await kindsFor('bob@solarco.example');
    assert.equal(kinds.filter((k) => k === 'user.password-reset').length, 2);
    assert.equal(kinds.filter((k) => k === 'user.password-changed').length, 2);
  });

  it('a user changes their own password only with the current one; it ends their login sessions', async () => {
    const gus = await as('gus@solarco.example', 'gus-password');
    const wrong = await http(server.url).post('/api/v1/auth/password', { email: 'gus@solarco.example', password: 'not-it', newPassword: 'gus-new-password' });
    assert.equal(wrong.status, 401);
    assert.equal((await http(server.url).post('/api/v1/auth/password', { email: 'gus@solarco.example', password: 'gus-password', newPassword: 'gus-new-password' })).status, 204);
    assert.equal((await gus.get('/api/v1/me')).status, 401);
    const back = await plantgate(['password', 'change', '--server', server.url, '--email', 'gus@solarco.example'], {}, 'gus-new-password\ngus-password\n');
    assert.equal(back.code, 0, back.stderr);
    assert.equal((await http(server.url).post('/api/v1/auth/login', { email: 'gus@solarco.example', password: 'gus-password' })).status, 200);
  });

  it('reset TOTP turns a lost second factor off', async () => {
    const gus = await as('gus@solarco.example', 'gus-password');
    const { secret } = (await gus.post('/api/v1/me/totp')).body;
    assert.equal((await gus.post('/api/v1/me/totp/confirm', { code: await generate({ secret }) })).status, 200);
    assert.equal((await http(server.url).post('/api/v1/auth/login', { email: 'gus@solarco.example', password: 'gus-password' })).body.error.code, 'totp-required');
    assert.equal((await op.post('/api/v1/admin/users/gus@solarco.example/totp/reset')).status, 204);
    assert.equal((await http(server.url).post('/api/v1/auth/login', { email: 'gus@solarco.example', password: 'gus-password' })).status, 200);
    assert.equal((await op.post('/api/v1/admin/users/gus@solarco.example/totp/reset')).status, 409, 'nothing to reset');
    assert.ok((await kindsFor('gus@solarco.example')).includes('user.totp-reset'));
  });

  it('more than one platform operator; the last one can be neither demoted, disabled nor deleted', async () => {
    const lastRevoke = await op.delete(`/api/v1/admin/users/${OPERATOR.email}/operator`);
    assert.equal(lastRevoke.status, 409);
    assert.equal(lastRevoke.body.error.code, 'last-operator');
    assert.equal((await op.put('/api/v1/admin/users/carol@windserv.example/operator')).status, 204);
    const carol = await as('carol@windserv.example', 'carol-password');
    assert.equal((await carol.get('/api/v1/admin/users')).status, 200, 'the second operator administers');
    assert.equal((await carol.post(`/api/v1/admin/users/${OPERATOR.email}/disable`)).status, 204, 'with two operators one may be disabled');
    assert.equal((await carol.delete('/api/v1/admin/users/carol@windserv.example/operator')).body.error.code, 'last-operator', 'carol is the last enabled one now');
    assert.equal((await carol.post('/api/v1/admin/users/carol@windserv.example/disable')).status, 409, 'nobody disables themselves');
    assert.equal((await carol.post(`/api/v1/admin/users/${OPERATOR.email}/enable`)).status, 204);
    op = await as(OPERATOR.email, OPERATOR.password);
    assert.equal((await op.delete('/api/v1/admin/users/carol@windserv.example/operator')).status, 204);
    assert.equal((await carol.get('/api/v1/admin/users')).status, 403);
    const kinds = await kindsFor('carol@windserv.example');
    for (const kind of ['user.operator-granted', 'user.operator-revoked']) assert.ok(kinds.includes(kind), kind);
  });

  it('delete removes the user with memberships and job roles; events stay; unknown users are 404 by name', async () => {
    const gus = await as('gus@solarco.example', 'gus-password');
    assert.equal((await gus.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey })).status, 201);
    assert.equal((await op.delete('/api/v1/admin/users/gus@solarco.example')).status, 204);
    assert.equal((await gus.get('/api/v1/me')).status, 401);
    assert.equal((await op.get('/api/v1/admin/routes?user=gus@solarco.example')).status, 404);
    assert.deepEqual(await peers(), []);
    const deleted = ((await op.get('/api/v1/admin/events?kind=user.deleted')).body as Array<{ details: { email: string } }>)[0];
    assert.equal(deleted?.details.email, 'gus@solarco.example');
    const missing = await op.delete('/api/v1/admin/users/nobody@example.test');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.field, 'user');
    const again = await op.post('/api/v1/admin/fleet', { document: baseFleet(), dryRun: true });
    assert.ok(again.body.changes.includes('+ user gus@solarco.example'), 'the fleet file would bring gus back');
  });

  it('a lost admin password is reset from the server host, against the database, without the server', async () => {
    const run = await plantgate(['admin', 'reset-password', '--email', OPERATOR.email, '--data-dir', server.dataDir]);
    assert.equal(run.code, 0, run.stderr);
    const password = /one-time password for \S+: (\S+)/.exec(run.stdout)?.[1];
    assert.ok(password, run.stdout);
    assert.equal((await op.get('/api/v1/me')).status, 401, 'the operator\u2019s tokens are revoked');
    assert.equal((await http(server.url).post('/api/v1/auth/login', { email: OPERATOR.email, password })).body.error.code, 'password-change-required');
    assert.equal((await http(server.url).post('/api/v1/auth/password', { email: OPERATOR.email, password, newPassword: OPERATOR.password })).status, 204);
    op = await as(OPERATOR.email, OPERATOR.password);
    const event = ((await op.get('/api/v1/admin/events?kind=user.password-reset&limit=1')).body as Array<{ actor: string | null; details: { fromServerHost: boolean } }>)[0];
    assert.deepEqual([event?.actor, event?.details.fromServerHost], [null, true]);
    const wrongDir = await plantgate(['admin', 'reset-password', '--email', OPERATOR.email, '--data-dir', join(server.dataDir, 'nope')]);
    assert.equal(wrongDir.code, 1);
    assert.match(wrongDir.stderr, /no database at/);
    const unknown = await plantgate(['admin', 'reset-password', '--email', 'nobody@example.test', '--data-dir', server.dataDir]);
    assert.match(unknown.stderr, /no user nobody@example.test/);
  });
});
