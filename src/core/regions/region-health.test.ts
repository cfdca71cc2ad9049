import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Place, type RegionCandidate, regionHealth, serviceAnswer } from './region-health.ts';

const NOW = 1_800_000_000_000;
const DE: Place = { country: 'DE', continent: 'EU' };
const GB = { country: 'GB', continent: 'EU' };
const US = { country: 'US', continent: 'NA' };
const NOWHERE: Place = { country: null, continent: null };

const region = (name: string, place: Place, gateways: Array<[string | null, number | null]>, drained = false): RegionCandidate => ({
  name,
  drained,
  place,
  gateways: gateways.map(([address, agoSeconds]) => ({ address, lastSeenMs: agoSeconds === null ? null : NOW - agoSeconds * 1000 })),
});

const eu = (ago: number | null, drained = false) => region('eu-central', DE, [['194.25.0.1', ago]], drained);
const us = (ago: number | null, drained = false) => region('us-east', US, [['12.0.0.1', ago]], drained);

describe('serviceAnswer: which regions the service name answers with (SPEC P8, issue 11 item 1)', () => {
  const rows: Array<{ name: string; regions: RegionCandidate[]; client: Place; addresses: string[]; failOpen?: boolean }> = [
    { name: 'P8: both healthy, a client in Germany gets the German region first', regions: [us(5), eu(5)], client: DE, addresses: ['194.25.0.1', '12.0.0.1'] },
    { name: 'P8: both healthy, a client in the US gets the US region first', regions: [eu(5), us(5)], client: US, addresses: ['12.0.0.1', '194.25.0.1'] },
    { name: 'P8: same continent beats elsewhere (GB client → DE region first)', regions: [us(5), eu(5)], client: GB, addresses: ['194.25.0.1', '12.0.0.1'] },
    { name: 'unknown client place: regions by name', regions: [us(5), eu(5)], client: NOWHERE, addresses: ['194.25.0.1', '12.0.0.1'] },
    { name: 'P8: a region whose gateways went silent (> 20 s) is not answered', regions: [eu(21), us(5)], client: DE, addresses: ['12.0.0.1'] },
    { name: 'a report exactly 20 s old still counts', regions: [eu(20), us(5)], client: DE, addresses: ['194.25.0.1', '12.0.0.1'] },
    { name: 'a drained region is left out while another healthy one exists', regions: [eu(5, true), us(5)], client: DE, addresses: ['12.0.0.1'] },
    { name: 'a drained region is answered when it is the only healthy one', regions: [eu(5, true), us(60)], client: US, addresses: ['194.25.0.1'] },
    { name: 'nothing healthy: fail open with every registered gateway, drained last', regions: [eu(60, true), us(null)], client: DE, addresses: ['12.0.0.1', '194.25.0.1'], failOpen: true },
    {
      name: 'within a healthy region only its live gateways; a gateway never registered has no address',
      regions: [region('eu-central', DE, [['194.25.0.1', 5], ['194.25.0.2', 90], [null, 1]])],
      client: DE,
      addresses: ['194.25.0.1'],
    },
    { name: 'no regions: no addresses', regions: [], client: DE, addresses: [], failOpen: true },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const answer = serviceAnswer(row.regions, row.client, NOW);
      assert.deepEqual(answer.addresses, row.addresses);
      assert.equal(answer.failOpen, row.failOpen ?? false);
    });
  }
});

describe('regionHealth', () => {
  it('counts the gateways that reported within the window', () => {
    assert.deepEqual(regionHealth(region('r', DE, [['a', 1], ['b', 30], ['c', null]]), NOW), { name: 'r', healthy: true, drained: false, liveGateways: 1 });
    assert.equal(regionHealth(region('r', DE, []), NOW).healthy, false);
  });
});
