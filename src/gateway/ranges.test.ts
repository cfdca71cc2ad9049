import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStateStore } from '../daemon/state-store.ts';
import { checkAndPinRanges, rangeProblems } from './ranges.ts';

const good = { tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' };

describe('gateway ranges from the control plane (issue 7 #4)', () => {
  const rows: Array<[string, { tunnelRange: string; mappedSpace: string }, RegExp | null]> = [
    ['the defaults pass', good, null],
    ['0.0.0.0/0 became `ip route replace 0.0.0.0/0 dev pgs0`: refused', { ...good, mappedSpace: '0.0.0.0/0' }, /mappedSpace: 0\.0\.0\.0\/0 must be between \/8 and \/28/],
    ['shorter than /8: refused', { ...good, tunnelRange: '64.0.0.0/2' }, /tunnelRange: 64\.0\.0\.0\/2 must be between/],
    ['a single address (/32): refused', { ...good, tunnelRange: '100.64.0.1/32' }, /must be between \/8 and \/28/],
    ['host bits set: refused, not guessed', { ...good, tunnelRange: '100.64.0.1/12' }, /tunnelRange: "100\.64\.0\.1\/12" is not an IPv4 network/],
    ['a newline: refused', { ...good, tunnelRange: '100.64.0.0/12\nPostUp = x' }, /is not an IPv4 network/],
    ['overlapping ranges: refused', { tunnelRange: '100.64.0.0/10', mappedSpace: '100.80.0.0/12' }, /overlap/],
  ];
  for (const [name, ranges, problem] of rows) {
    it(name, () => {
      const problems = rangeProblems(ranges);
      if (problem === null) assert.deepEqual(problems, []);
      else assert.match(problems.join('; '), problem);
    });
  }

  it('pinned on the first document; a later one with other ranges is refused until the pin is removed', async () => {
    const store = new MemoryStateStore();
    await checkAndPinRanges(store, good);
    await checkAndPinRanges(store, good);
    await assert.rejects(checkAndPinRanges(store, { ...good, mappedSpace: '10.0.0.0/8' }), /mappedSpace 10\.0\.0\.0\/8 differs from the pinned 100\.80\.0\.0\/12 \(remove pinned-ranges\.json/);
    await store.remove('pinned-ranges');
    await checkAndPinRanges(store, { ...good, mappedSpace: '10.0.0.0/8' });
  });
});
