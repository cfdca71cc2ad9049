import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidr, ipv4ToInt } from '../net/ipv4.ts';
import { type AttributionView, type ReportedFlow, type SubnetAtTime, attributeFlow } from './attribute.ts';

const parkA: SubnetAtTime = { subnetId: 's-a', plantId: 'p-a', orgId: 'o-1', plantName: 'Park A', prefix: cidr('192.168.1.0/24'), mapped: cidr('100.80.0.0/24') };
const parkB: SubnetAtTime = { subnetId: 's-b', plantId: 'p-b', orgId: 'o-1', plantName: 'Park B', prefix: cidr('192.168.1.0/24'), mapped: cidr('100.80.1.0/24') };
const view: AttributionView = {
  userByTunnelIp: (ip) => (ip === ipv4ToInt('100.64.0.10') ? { userId: 'u-carol', email: 'carol@windserv.example' } : null),
  subnetByMapped: (ip) => [parkA, parkB].find((s) => ip >= s.mapped.start && ip < s.mapped.start + 256) ?? null,
  // Carol's native 192.168.1.0/24 is Park B's (her priority choice, SPEC P5).
  nativeSubnetsOf: (userId) => (userId === 'u-carol' ? [parkB] : []),
  deviceName: (plantId, ip) => (plantId === 'p-a' && ip === '192.168.1.17' ? 'inverter-1' : null),
};
const reported = (destinationIp: string, tunnelIp = '100.64.0.10'): ReportedFlow => ({
  id: 'r1',
  tunnelIp,
  destinationIp,
  protocol: 'tcp',
  port: 502,
  connections: 1,
  bytesIn: 10,
  bytesOut: 20,
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:01.000Z',
  session: null,
});

describe('attributeFlow (SPEC A1, A5)', () => {
  const rows: Array<[string, ReportedFlow, { plant: string; device: string; name: string | null; user: string | null } | string]> = [
    ['A1: a mapped address names the plant and the real device behind it, with its name', reported('100.80.0.17'), { plant: 'Park A', device: '192.168.1.17', name: 'inverter-1', user: 'carol@windserv.example' }],
    ['A1: the same host in another plant\u2019s mapped prefix is that plant\u2019s device', reported('100.80.1.17'), { plant: 'Park B', device: '192.168.1.17', name: null, user: 'carol@windserv.example' }],
    ['P5: a native address goes to the plant of the user\u2019s own native route', reported('192.168.1.17'), { plant: 'Park B', device: '192.168.1.17', name: null, user: 'carol@windserv.example' }],
    ['A5: an unknown tunnel address keeps the flow, without a user', reported('100.80.0.17', '100.64.9.9'), { plant: 'Park A', device: '192.168.1.17', name: 'inverter-1', user: null }],
    ['a native address of an unknown tunnel address has no plant', reported('192.168.1.17', '100.64.9.9'), 'no-plant-subnet'],
    ['an address in no subnet has no plant', reported('10.99.0.1'), 'no-plant-subnet'],
    ['a malformed address is refused', reported('100.80.0'), 'bad-address'],
  ];
  for (const [name, input, expected] of rows) {
    it(name, () => {
      const result = attributeFlow(view, input);
      if (typeof expected === 'string') {
        assert.deepEqual(result, { ok: false, reason: expected });
        return;
      }
      assert.equal(result.ok, true);
      if (!result.ok) return;
      assert.deepEqual(
        { plant: result.flow.plantName, device: result.flow.deviceIp, name: result.flow.deviceName, user: result.flow.userEmail },
        expected,
      );
      assert.equal(result.flow.subnetMapped, result.flow.plantId === 'p-a' ? '100.80.0.0/24' : '100.80.1.0/24');
    });
  }
});

describe('attributeFlow: browser proxy flows (issue 12 item 4)', () => {
  const proxyUser = (session: string) => (session === 'proxy:ps-1' ? { userId: 'u-dave', email: 'dave@windserv.example' } : null);
  it('A1: a proxy flow from the gateway’s own address is the proxy session’s user’s, on the mapped device', () => {
    const result = attributeFlow(view, { ...reported('100.80.1.17', '100.64.0.9'), session: 'proxy:ps-1', port: 443 }, proxyUser);
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.deepEqual({ user: result.flow.userEmail, plant: result.flow.plantName, device: result.flow.deviceIp, session: result.flow.session }, { user: 'dave@windserv.example', plant: 'Park B', device: '192.168.1.17', session: 'proxy:ps-1' });
  });
  it('A5: a proxy session the control plane does not know keeps the flow, without a user', () => {
    const result = attributeFlow(view, { ...reported('100.80.1.17', '100.64.0.9'), session: 'proxy:gone' }, proxyUser);
    assert.equal(result.ok && result.flow.userEmail, null);
  });
});
