import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainTipsOf, forgetTips, landedWithin, takeOff } from './chain-tips.ts';

describe('chain tips (the PostgreSQL ingest’s predicted heads)', () => {
  it('a batch sees the batches in flight before it as ahead, and not those after it', () => {
    const tips = chainTipsOf({});
    const first = takeOff(tips);
    const second = takeOff(tips);
    assert.equal(first.ahead.length, 0);
    assert.equal(second.ahead.length, 1);
    assert.equal(tips.flights.size, 2);
    first.land();
    first.land(); // landing twice (the failure path and its finally) is harmless
    assert.equal(tips.flights.size, 1);
    second.land();
    assert.equal(tips.flights.size, 0);
  });

  it('landedWithin returns once the batches ahead have landed', async () => {
    const tips = chainTipsOf({});
    const ahead = takeOff(tips);
    const mine = takeOff(tips);
    setTimeout(() => ahead.land(), 20);
    const started = performance.now();
    await landedWithin(mine.ahead, 5_000);
    assert.ok(performance.now() - started < 2_000);
    assert.equal(tips.flights.has(mine.ahead[0] as Promise<void>), false);
  });

  it('landedWithin gives up after its bound (a batch ahead that waits for this one in the database)', async () => {
    const tips = chainTipsOf({});
    takeOff(tips);
    const mine = takeOff(tips);
    const started = performance.now();
    await landedWithin(mine.ahead, 50);
    const waited = performance.now() - started;
    assert.ok(waited >= 45 && waited < 2_000, `waited ${waited} ms`);
  });

  it('each store has its own tips, and forgetting drops only the named plants', () => {
    const store = {};
    const tips = chainTipsOf(store);
    assert.equal(chainTipsOf(store), tips);
    assert.notEqual(chainTipsOf({}), tips);
    const head = { seq: 1, hash: 'a'.repeat(64), segment: 1, checkpointSeq: 0, checkpointAt: '' };
    tips.heads.set('p1', head);
    tips.heads.set('p2', head);
    forgetTips(tips, ['p1']);
    assert.deepEqual([...tips.heads.keys()], ['p2']);
  });
});
