import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FleetModel } from '../fleet-model.ts';
import { cidr } from '../net/ipv4.ts';
import type { ReportedFlow } from './attribute.ts';
import { attributeClientFlow, clientAttributionView } from './attribute-client.ts';

// Only what the view reads of the model: plants and subnets (Park C the agent's, Park A another's).
const model = {
  plants: new Map([
    ['p-c', { id: 'p-c', orgId: 'o-1', name: 'Park C' }],
    ['p-a', { id: 'p-a', orgId: 'o-1', name: 'Park A' }],
  ]),
  subnets: new Map([
    ['s-c', { id: 's-c', plantId: 'p-c', prefix: cidr('10.40.0.0/24'), mapped: cidr('100.80.7.0/24') }],
    ['s-a', { id: 's-a', plantId: 'p-a', prefix: cidr('192.168.1.0/24'), mapped: cidr('100.80.0.0/24') }],
  ]),
} as unknown as FleetModel;
const view = clientAttributionView(
  model,
  'p-c',
  [
    { tunnelIp: '100.96.0.3', name: 'ulla', kind: 'user', vpnName: 'Hosted C' },
    { tunnelIp: '100.96.0.2', name: 'plant-router', kind: 'site', vpnName: 'Hosted C' },
  ],
  new Map([['10.40.0.10', 'router-lan']]),
);
const reported = (tunnelIp: string, destinationIp: string): ReportedFlow => ({
  id: 'ag:1:0',
  tunnelIp,
  destinationIp,
  protocol: 'tcp',
  port: 502,
  connections: 1,
  bytesIn: 10,
  bytesOut: 20,
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:01.000Z',
  session: 'forged-session',
});

describe('attributeClientFlow (issue 10 item 2: hosted direct VPN clients, through the agent)', () => {
  const rows: Array<[string, ReportedFlow, { plant: string; subnet: string; device: string; name: string | null; user: string | null } | string]> = [
    ['a user client\u2019s flow to a LAN device: the agent\u2019s plant, the real device with its name, the client as user', reported('100.96.0.3', '10.40.0.10'), { plant: 'Park C', subnet: '10.40.0.0/24', device: '10.40.0.10', name: 'router-lan', user: 'client ulla of Hosted C' }],
    ['a device the plant does not list: no name', reported('100.96.0.3', '10.40.0.11'), { plant: 'Park C', subnet: '10.40.0.0/24', device: '10.40.0.11', name: null, user: 'client ulla of Hosted C' }],
    ['A5: a removed client\u2019s address keeps the flow, without a user', reported('100.96.0.9', '10.40.0.10'), { plant: 'Park C', subnet: '10.40.0.0/24', device: '10.40.0.10', name: 'router-lan', user: null }],
    ['another plant\u2019s subnet is never attributed from this agent', reported('100.96.0.3', '192.168.1.17'), 'no-plant-subnet'],
    ['a mapped address is not a LAN address of the plant', reported('100.96.0.3', '100.80.7.10'), 'no-plant-subnet'],
    ['a malformed address is refused', reported('100.96.0', '10.40.0.10'), 'bad-address'],
  ];
  for (const [name, input, expected] of rows) {
    it(name, () => {
      const result = attributeClientFlow(view, input);
      if (typeof expected === 'string') {
        assert.deepEqual(result, { ok: false, reason: expected });
        return;
      }
      assert.equal(result.ok, true);
      if (!result.ok) return;
      const f = result.flow;
      assert.deepEqual({ plant: f.plantName, subnet: f.subnetCidr, device: f.deviceIp, name: f.deviceName, user: f.userEmail }, expected);
      assert.equal(f.userId, null, 'a client is no platform user: no session to link');
      assert.equal(f.session, null, 'an agent names no personal-VPN session');
    });
  }
});
