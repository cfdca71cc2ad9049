import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrgId, OrgVpnClientId, OrgVpnId, PlantId } from '../model.ts';
import { FleetFixture } from '../testing/fleet-fixture.ts';
import { changesToDelta } from './gateway-changes.ts';
import { GatewayStateIndex } from './gateway-state.ts';

const service = { servicePublicKey: 'k', serviceTunnelIp: '100.64.0.1', tunnelRange: '100.64.0.0/12', mappedSpace: '100.80.0.0/12' };

function fleet() {
  const f = new FleetFixture();
  f.org('O');
  f.plant('O', 'A', ['192.168.1.0/24']);
  f.plant('O', 'B', ['192.168.1.0/24']);
  f.plant('O', 'C', ['10.9.0.0/24']);
  f.model.putOrgVpn({ id: 'v' as OrgVpnId, orgId: 'O' as OrgId, name: 'office', region: 'eu', plantIds: ['A', 'C'] as PlantId[] });
  f.model.putOrgVpnClient({ id: 'c1' as OrgVpnClientId, vpnId: 'v' as OrgVpnId, name: 'hq', kind: 'site', publicKey: 'pk1', tunnelIp: 0x64400105, networks: [] });
  return f;
}

describe('GatewayStateIndex: organization VPN clients (SPEC O1)', () => {
  it('O1: a client is a peer of its region only, with its VPN plants mapped and native where unambiguous', () => {
    const index = new GatewayStateIndex();
    index.rebuild(fleet().model);
    const doc = index.document('eu', 1, service);
    assert.deepEqual(doc.peers, [{ publicKey: 'pk1', tunnelIp: '100.64.1.5', profileId: 'org-vpn:c1', region: 'eu' }]);
    assert.deepEqual(doc.allowed, [{ userIp: '100.64.1.5', mapped: '100.80.2.0/24' }, { userIp: '100.64.1.5', mapped: '100.80.0.0/24' }]);
    assert.deepEqual(doc.native.map((n) => n.native).sort(), ['10.9.0.0/24', '192.168.1.0/24'], 'plant B is not in the VPN: no conflict for it');
  });

  it('O1 item 8: a plant leaving the VPN removes its elements in the delta; an unchanged client changes nothing', () => {
    const f = fleet();
    const index = new GatewayStateIndex();
    index.rebuild(f.model);
    index.takeChanges();
    index.recomputeOrgVpnClients(f.model);
    assert.equal(changesToDelta(index.takeChanges(), 1, 2).allowed.remove.length, 0, 'recomputing an unchanged client yields no change');
    f.model.putOrgVpn({ id: 'v' as OrgVpnId, orgId: 'O' as OrgId, name: 'office', region: 'eu', plantIds: ['C'] as PlantId[] });
    index.recomputeOrgVpnClients(f.model);
    const delta = changesToDelta(index.takeChanges(), 2, 3);
    assert.deepEqual(delta.allowed.remove, [{ userIp: '100.64.1.5', mapped: '100.80.0.0/24' }]);
    assert.deepEqual(delta.native.remove.map((n) => n.native), ['192.168.1.0/24']);
    assert.deepEqual(delta.peers.upsert, []);
  });

  it('O1: a client added after the index was built is in the next delta (peer, allowed, native)', () => {
    const f = fleet();
    f.model.removeOrgVpnClient('c1' as OrgVpnClientId);
    const index = new GatewayStateIndex();
    index.rebuild(f.model);
    index.takeChanges();
    f.model.putOrgVpnClient({ id: 'c2' as OrgVpnClientId, vpnId: 'v' as OrgVpnId, name: 'laptop', kind: 'device', publicKey: 'pk2', tunnelIp: 0x64400106, networks: [] });
    index.recomputeOrgVpnClients(f.model);
    const delta = changesToDelta(index.takeChanges(), 1, 2);
    assert.deepEqual(delta.peers.upsert, [{ publicKey: 'pk2', tunnelIp: '100.64.1.6', profileId: 'org-vpn:c2', region: 'eu' }]);
    assert.equal(delta.allowed.add.length, 2);
    assert.equal(delta.native.add.length, 2);
  });

  it('O1: removing the client removes its peer and every element', () => {
    const f = fleet();
    const index = new GatewayStateIndex();
    index.rebuild(f.model);
    index.takeChanges();
    f.model.removeOrgVpnClient('c1' as OrgVpnClientId);
    index.recomputeOrgVpnClients(f.model);
    const delta = changesToDelta(index.takeChanges(), 1, 2);
    assert.deepEqual(delta.peers.remove, ['pk1']);
    assert.equal(delta.allowed.remove.length, 2);
    assert.equal(index.document('eu', 2, service).peers.length, 0);
  });
});
