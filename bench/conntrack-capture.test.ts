import assert from 'node:assert/strict';
import { it } from 'node:test';
import { captureRound, eventLines } from './conntrack-capture.ts';

it('conntrack capture bench (smoke, small size): every generated line is an event and the window aggregates them', () => {
  const round = captureRound(eventLines(2000));
  assert.equal(round.events, 4000);
  // 1,000 tunnel addresses × 200 devices × 2 ports, but the generator pairs them: fewer records than connections.
  assert.ok(round.records > 0 && round.records <= 2000, `records ${round.records}`);
  assert.ok(round.eventsPerSecond > 0);
});
