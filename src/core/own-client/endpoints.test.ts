import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dialCandidates, nextEndpoint, regionOf, splitEndpoint } from './endpoints.ts';

const regions = [
  { name: 'eu', endpoint: '10.0.1.2:51820' },
  { name: 'us', endpoint: '10.0.2.2:51820' },
];

describe('own client endpoints (issue 11 item 3: move to the next region when a gateway dies)', () => {
  const rows: Array<{ name: string; resolved: string[]; failed: string[]; next: string | null }> = [
    { name: 'first connect dials the service name\u2019s first answer', resolved: ['10.0.1.2:51820', '10.0.2.2:51820'], failed: [], next: '10.0.1.2:51820' },
    { name: 'DNS still answers the dead region first: the next region is dialed', resolved: ['10.0.1.2:51820', '10.0.2.2:51820'], failed: ['10.0.1.2:51820'], next: '10.0.2.2:51820' },
    { name: 'DNS already dropped the dead region', resolved: ['10.0.2.2:51820'], failed: ['10.0.1.2:51820'], next: '10.0.2.2:51820' },
    { name: 'the name does not resolve: region endpoints from the profile', resolved: [], failed: [], next: '10.0.1.2:51820' },
    { name: 'every candidate failed: the oldest failure is retried', resolved: [], failed: ['10.0.2.2:51820', '10.0.1.2:51820'], next: '10.0.2.2:51820' },
  ];
  for (const row of rows) {
    it(row.name, () => assert.equal(nextEndpoint(dialCandidates(row.resolved, regions), row.failed), row.next));
  }
  it('no candidates at all: null', () => assert.equal(nextEndpoint([], ['x:1']), null));
  it('region of an endpoint', () => {
    assert.equal(regionOf('10.0.2.2:51820', regions), 'us');
    assert.equal(regionOf('10.9.9.9:51820', regions), null);
  });
  it('splits host:port and refuses a bad port', () => {
    assert.deepEqual(splitEndpoint('vpn.example.com:51820'), { host: 'vpn.example.com', port: 51820 });
    assert.equal(splitEndpoint('vpn.example.com:0'), null);
    assert.equal(splitEndpoint('vpn.example.com'), null);
  });
});
