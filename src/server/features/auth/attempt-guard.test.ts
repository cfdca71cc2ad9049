import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttemptGuard, DEFAULT_GUARD_LIMITS, type GuardKey, type GuardLimits, guardLimitsFromEnv } from './attempt-guard.ts';

function setup(limits: GuardLimits = DEFAULT_GUARD_LIMITS) {
  let now = 1_000_000;
  const guard = new AttemptGuard(limits, () => now);
  return { guard, advance: (ms: number) => (now += ms) };
}
const alice: GuardKey = { scope: 'account', key: 'alice@example.test' };
const src: GuardKey = { scope: 'source', key: '192.0.2.1' };

describe('AttemptGuard (issue 7 item 2: unlimited guessing)', () => {
  it('five free failures, then 1 s, 2 s, 4 s … of backoff', () => {
    const { guard } = setup();
    for (let i = 0; i < 5; i++) assert.equal(guard.fail([alice]).retryAfterMs, 0, `failure ${i + 1}`);
    assert.equal(guard.fail([alice]).retryAfterMs, 1000);
    assert.equal(guard.retryAfterMs([alice]), 1000);
    assert.equal(guard.fail([alice]).retryAfterMs, 2000);
    assert.equal(guard.fail([alice]).retryAfterMs, 4000);
  });

  it('the 20th failure locks the account for 15 minutes, and says so once', () => {
    const { guard } = setup();
    for (let i = 0; i < 19; i++) assert.deepEqual(guard.fail([alice]).locked, []);
    const outcome = guard.fail([alice]);
    assert.deepEqual(outcome.locked, [alice]);
    assert.equal(outcome.retryAfterMs, 15 * 60_000);
    assert.deepEqual(guard.fail([alice]).locked, [], 'a lock is reported when it starts');
  });

  it('the backoff is capped below the lock', () => {
    const { guard } = setup();
    let last = 0;
    for (let i = 0; i < 19; i++) last = guard.fail([alice]).retryAfterMs;
    assert.equal(last, 5 * 60_000);
  });

  it('a success clears the account but gives the source only that attempt back', () => {
    const { guard } = setup();
    for (let i = 0; i < 25; i++) guard.fail([alice, src]);
    guard.succeeded([alice, src]);
    assert.equal(guard.retryAfterMs([alice]), 0);
    assert.ok(guard.retryAfterMs([src]) > 0);
  });

  it('a burst of parallel attempts: each counts when it is let through, so only the free ones run', () => {
    const { guard } = setup();
    const letThrough = Array.from({ length: 50 }, () => guard.begin([alice, src])).filter((wait) => wait === 0).length;
    assert.equal(letThrough, 6, 'five free, the sixth starts the backoff, the rest wait');
  });

  it('begin then succeeded leaves no trace on the account and gives the source its attempt back', () => {
    const { guard } = setup();
    for (let i = 0; i < 100; i++) {
      assert.equal(guard.begin([alice, src]), 0, `login ${i + 1}`);
      guard.succeeded([alice, src]);
    }
  });

  it('a refunded attempt (server error) does not count', () => {
    const { guard } = setup();
    for (let i = 0; i < 30; i++) {
      assert.equal(guard.begin([alice]), 0);
      guard.refund([alice]);
    }
  });

  it('failed() reports a lock once, for the attempt that reached it', () => {
    const { guard, advance } = setup();
    const locks: number[] = [];
    for (let i = 1; i <= 22; i++) {
      const wait = guard.retryAfterMs([alice]);
      if (wait > 0) advance(wait);
      assert.equal(guard.begin([alice]), 0);
      if (guard.failed([alice]).locked.length) locks.push(i);
    }
    assert.deepEqual(locks, [20]);
  });

  it('one source guessing many accounts is slowed after 20 failures', () => {
    const { guard } = setup();
    for (let i = 0; i < 20; i++) guard.fail([{ scope: 'account', key: `user${i}@example.test` }, src]);
    assert.equal(guard.retryAfterMs([{ scope: 'account', key: 'fresh@example.test' }, src]), 0, 'twenty failures are free for a source');
    assert.equal(guard.fail([{ scope: 'account', key: 'another@example.test' }, src]).retryAfterMs, 1000);
  });

  it('keys are forgotten an hour after the last failure, and the map stays bounded', () => {
    const { guard, advance } = setup({ ...DEFAULT_GUARD_LIMITS, maxEntries: 100 });
    for (let i = 0; i < 7; i++) guard.fail([alice]);
    advance(61 * 60_000);
    assert.equal(guard.retryAfterMs([alice]), 0);
    assert.equal(guard.fail([alice]).retryAfterMs, 0, 'counting starts over');
    for (let i = 0; i < 1000; i++) guard.fail([{ scope: 'account', key: `spray${i}` }]);
    assert.ok(guard.size() <= 100, `${guard.size()} keys held`);
  });

  it('limits come from the environment, and nonsense is refused by name', () => {
    const limits = guardLimitsFromEnv({ PLANTGATE_AUTH_FREE_FAILURES: '3', PLANTGATE_AUTH_LOCK_AFTER: '10', PLANTGATE_AUTH_LOCK_MINUTES: '30' });
    assert.deepEqual([limits.account.freeFailures, limits.account.lockAfter, limits.account.lockMs], [3, 10, 30 * 60_000]);
    assert.deepEqual(guardLimitsFromEnv({}), DEFAULT_GUARD_LIMITS);
    assert.throws(() => guardLimitsFromEnv({ PLANTGATE_AUTH_LOCK_AFTER: 'many' }), /PLANTGATE_AUTH_LOCK_AFTER/);
  });
});
