import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OwnClientState, renderOwnClientStatus, statusOf } from './status.ts';

const state: OwnClientState = {
  pid: 42,
  interface: 'pgc0',
  config: '/home/a/plantgate.conf',
  phase: 'up',
  error: null,
  allowedIps: ['100.80.0.0/12'],
  failovers: 1,
  updatedAt: '2026-11-30T19:00:10.000Z',
  region: 'eu',
  gateway: 'gw-eu-1',
  endpoint: '10.0.1.2:51820',
  lastHandshake: '2026-11-30T19:00:00.000Z',
  bytesIn: 2048,
  bytesOut: 1024,
  routes: [{ plant: 'Plant A', subnet: '192.168.1.0/24', mapped: '100.80.0.0/24', native: true }],
};

describe('own client status (issue 11 contract: vpn status --json)', () => {
  it('the JSON has exactly the contract keys, no pid, key or config path', () => {
    assert.deepEqual(Object.keys(statusOf(state)), ['region', 'gateway', 'endpoint', 'lastHandshake', 'bytesIn', 'bytesOut', 'routes']);
  });
  it('the text names region, gateway, endpoint, handshake age, bytes and each route', () => {
    const text = renderOwnClientStatus(state, new Date('2026-11-30T19:00:05.000Z'));
    for (const part of ['eu, gateway gw-eu-1', '10.0.1.2:51820 (1 failover)', 'handshake   5 s ago', 'Plant A', '192.168.1.0/24', 'native']) assert.ok(text.includes(part), part);
  });
  it('no handshake and no routes say so', () => {
    const text = renderOwnClientStatus({ ...state, lastHandshake: null, routes: [] }, new Date());
    assert.match(text, /handshake {3}none yet/);
    assert.match(text, /no plant subnet/);
  });
});
