import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { session } from '../../../test/support/browser-proxy-kit.ts';
import type { ProxyDocumentPart, ProxyTargetEntry } from './proxy-document.ts';
import { ProxySessions } from './proxy-sessions.ts';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const a: ProxyTargetEntry = { id: 'ta', host: 't-a', plantId: 'p1', scheme: 'http', mappedAddress: '100.80.0.10', port: 80, path: '/' };
const b: ProxyTargetEntry = { id: 'tb', host: 't-b', plantId: 'p2', scheme: 'http', mappedAddress: '100.80.1.10', port: 80, path: '/' };

class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

function part(...sessions: ProxyDocumentPart['sessions']): ProxyDocumentPart {
  return { targets: [a, b], sessions };
}

async function opened(table: ProxySessions, target: ProxyTargetEntry, token: string): Promise<string> {
  const result = await table.redeem(target.id, token, 0);
  assert.ok(result.ok, `redeem ${token}: ${JSON.stringify(result)}`);
  return result.cookie;
}

test('O2 grants: redeemed once, only on their own target, only before they expire; the session’s expiry ends the cookie', async () => {
  let now = NOW;
  const table = new ProxySessions(() => now);
  table.apply(part(session('s1', a, 'tok-1', NOW), session('s2', a, 'tok-2', NOW, { grantExpiresAt: new Date(NOW - 1).toISOString() }), session('s3', a, 'tok-3', NOW, { expiresAt: new Date(NOW - 1).toISOString() })));
  const rows: Array<[string, string, string, string]> = [
    ['another target', b.id, 'tok-1', 'unknown-grant'],
    ['unknown token', a.id, 'tok-x', 'unknown-grant'],
    ['grant expired', a.id, 'tok-2', 'grant-expired'],
    ['session already over', a.id, 'tok-3', 'session-expired'],
  ];
  for (const [name, target, token, reason] of rows) assert.deepEqual(await table.redeem(target, token, 0), { ok: false, reason }, name);
  const cookie = await opened(table, a, 'tok-1');
  assert.deepEqual(await table.redeem(a.id, 'tok-1', 0), { ok: false, reason: 'grant-used' });
  assert.equal(table.sessionFor(a.id, cookie)?.id, 's1');
  assert.equal(table.sessionFor(b.id, cookie), null, 'not on another target');
  assert.equal(table.sessionFor(a.id, 'forged'), null);
  now = NOW + 3_600_001;
  assert.equal(table.sessionFor(a.id, cookie), null, 'expired');
});

test('P3 for the proxy: a session that leaves the document, moves to another target or user, or whose target goes, closes its sockets at once', async () => {
  const table = new ProxySessions(() => NOW);
  const sessions = [session('keep', a, 'k', NOW), session('gone', a, 'g', NOW), session('moved', a, 'm', NOW), session('user', a, 'u', NOW), session('target', b, 't', NOW)];
  table.apply(part(...sessions));
  const sockets = new Map<string, FakeSocket>();
  for (const [s, token] of [['keep', 'k'], ['gone', 'g'], ['moved', 'm'], ['user', 'u']] as const) {
    await opened(table, a, token);
    const socket = new FakeSocket();
    table.track(s, socket);
    sockets.set(s, socket);
  }
  await opened(table, b, 't');
  const onB = new FakeSocket();
  table.track('target', onB);
  const closed = table.apply({
    targets: [a],
    sessions: [sessions[0] as (typeof sessions)[0], { ...(sessions[2] as (typeof sessions)[0]), targetId: b.id }, { ...(sessions[3] as (typeof sessions)[0]), userId: 'someone-else' }],
  });
  assert.deepEqual(closed.sort(), ['gone', 'moved', 'target', 'user']);
  assert.equal(sockets.get('keep')?.destroyed, false);
  for (const id of ['gone', 'moved', 'user']) assert.equal(sockets.get(id)?.destroyed, true, id);
  assert.equal(onB.destroyed, true);
  assert.equal(table.counts.sockets, 1);
});

test('O2 grants: a grant arriving before its document waits for the next one, and gives up after the wait', async () => {
  const table = new ProxySessions(() => NOW);
  table.apply(part());
  const waiting = table.redeem(a.id, 'late', 1000);
  setTimeout(() => table.apply(part(session('late', a, 'late', NOW))), 50);
  assert.equal((await waiting).ok, true);
  const started = performance.now();
  assert.deepEqual(await table.redeem(a.id, 'never', 100), { ok: false, reason: 'unknown-grant' });
  assert.ok(performance.now() - started >= 95);
});
