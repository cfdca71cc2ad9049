import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrgId, OrgVpnClientId, OrgVpnId, PlantId } from '../model.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { type ReportedFlow, attributeFlow, attributionView } from './attribute.ts';

const reported = (destinationIp: string): ReportedFlow => ({
  id: 'r1',
  tunnelIp: '100.64.1.5',
  destinationIp,
  protocol: 'tcp',
  port: 80,
  connections: 1,
  bytesIn: 10,
  bytesOut: 20,
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:01.000Z',
  session: null,
});

describe('attributeFlow: organization VPN clients (SPEC O1, A1)', () => {
  const f = new FleetFixture();
  f.org('WindServ');
  f.plant('WindServ', 'Park W', ['192.168.1.0/24']);
  f.plant('WindServ', 'Park X', ['10.20.0.0/24']);
  f.model.putOrgVpn({ id: 'v1' as OrgVpnId, orgId: 'WindServ' as OrgId, name: 'control room', region: 'eu', plantIds: ['Park W'] as PlantId[] });
  f.model.putOrgVpnClient({ id: 'c1' as OrgVpnClientId, vpnId: 'v1' as OrgVpnId, name: 'hq-router', kind: 'site', publicKey: 'k', tunnelIp: 0x64400105, networks: [] });
  const view = attributionView(f.model, new Map([['Park W', new Map([['192.168.1.10', 'inverter-1']])]]));

  it('O1: a flow of a client is attributed to the organization VPN and the client, with no user id', () => {
    const result = attributeFlow(view, reported('100.80.0.10'));
    assert.ok(result.ok);
    assert.equal(result.flow.userEmail, 'org-vpn:control room/hq-router');
    assert.equal(result.flow.userId, null);
    assert.equal(result.flow.deviceName, 'inverter-1');
  });

  it("P5: a native address resolves through the VPN's own native routes", () => {
    const result = attributeFlow(view, reported('192.168.1.10'));
    assert.ok(result.ok);
    assert.equal(result.flow.plantName, 'Park W');
  });

  it('a native address of a plant not in the VPN is not attributed to it', () => {
    assert.deepEqual(attributeFlow(view, reported('10.20.0.5')), { ok: false, reason: 'no-plant-subnet' });
  });
});
