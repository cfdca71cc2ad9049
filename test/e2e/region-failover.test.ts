import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable } from './netns.ts';
import { GATEWAY2_IP, REGION1_ENDPOINT, RegionLab, SERVICE } from './region-lab.ts';
import { GATEWAY_IP } from './scenario-lab.ts';
import { sleep } from './scenario-lab.ts';

/**
 * Issue 11 items 1, 2 and 4 (SPEC P8/P9) with real packets and standard clients: two
 * regions with a gateway each (WireGuard and OpenVPN servers), Plant A's and Plant B's
 * agents connected to both, and the control plane answering the service name over DNS
 * (the user namespaces' resolv.conf points at it). alice (Operator of Plant A only) holds
 * an unmodified WireGuard file whose Endpoint is the service name and connects with the
 * real `wg-quick up` (userspace wireguard-go); dave (Operator of Plant A only) holds an
 * OpenVPN certificate profile whose first `remote` is the service name and runs the real
 * `openvpn` client. Both resolve the name themselves at every connect. Region 1's gateway
 * namespace is killed by PID (gateway, wireguard-go, openvpn servers): the next connection
 * attempt of each client (wg-quick down/up; an openvpn restart) lands in region 2 within
 * 30 s, reaches Plant A with the same tunnel IP and nothing more; region 1 back, new
 * connections prefer it again, and the agents' tunnels to the restarted gateway are up
 * again within 5 s of its interface.
 */

const FAILOVER_BOUND_MS = 30_000;
const AGENT_RECONNECT_BOUND_MS = 5_000;

describe('regions: one service name, failover with standard clients, wg-quick and openvpn (issue 11)', { timeout: 240_000 }, () => {
  const r = new RegionLab();
  const { s } = r;

  before(async () => {
    await assertNetnsCapable();
    await r.build();
  });
  after(async () => r.cleanup());

  const gatewayPeer = async (ns: string, iface: string, publicKey: string) => {
    const { stdout } = await s.lab.exec(ns, 'wg', ['show', iface, 'dump']);
    const f = stdout.split('\n').find((l) => l.startsWith(`${publicKey}\t`))?.split('\t') ?? [];
    return { allowedIps: f[3] ?? '', latestHandshake: Number(f[4] ?? 0) };
  };

  it('P8: the issued file dials the service name; the client resolves it through the product\u2019s DNS to region 1 and reaches Plant A', async () => {
    await s.as(r.alice, ['vpn', 'issue', '--out', r.alice.confPath]);
    assert.match(s.config(r.alice), new RegExp(`^Endpoint = ${SERVICE.replace(/\./g, '\\.')}:51820$`, 'm'), 'one name for every region');
    assert.doesNotMatch(s.config(r.alice), /^DNS\s*=/m, 'no DNS line: wg-quick needs no resolvconf');
    assert.equal(await r.reconnect(), REGION1_ENDPOINT, 'resolved to region 1 (nearest: same place, first by name)');
    assert.equal(await s.waitForAnswer(r.alice, r.mappedA, 'plant-A', 30_000), 'plant-A', `alice reaches Plant A through region 1\n${r.output()}`);
    assert.equal(await s.whoAnswers(r.alice, r.mappedB, 1500), 'none', 'and not Plant B');
  });

  it('P8/P9: the issued OpenVPN profile names the service name first; the real openvpn client resolves it to region 1 and reaches Plant A', async () => {
    await s.as(r.dave, ['vpn', 'issue', '--type', 'openvpn', '--out', r.ovpnPath, '--force']);
    const remotes = [...readFileSync(r.ovpnPath, 'utf8').matchAll(/^remote (\S+) /gm)].map((m) => m[1]);
    assert.deepEqual([...new Set(remotes)], [SERVICE, GATEWAY_IP, GATEWAY2_IP], 'service name first, then the region hosts');
    assert.equal(await r.openVpnConnect(30_000), GATEWAY_IP, `connected through region 1\n${r.output()}`);
    assert.equal(await s.waitForAnswer(r.dave, r.mappedAForDave, 'plant-A', 30_000), 'plant-A', `dave reaches Plant A through region 1\n${r.output()}`);
    assert.equal(await s.whoAnswers(r.dave, r.mappedB, 1500), 'none', 'and not Plant B');
  });

  it('P8: region 1 killed by PID; the next connection attempt lands in region 2 within 30 s, same plant, same tunnel IP, nothing more (R6)', async (t) => {
    const tunnelIp = /^Address = ([\d.]+)\/32$/m.exec(s.config(r.alice))?.[1] ?? '';
    const publicKey = (await s.lab.exec(r.alice.ns, 'wg', ['show', r.alice.iface, 'public-key'])).stdout.trim();
    // A gateway that ran for a status interval has written down where its agents are (item 4).
    await r.gatewayRemembersAgents();
    const ovpnTunnelIp = await r.openVpnTunnelIp();
    const killed = r.killRegion1();
    const [{ ms, lastEndpoint }, ovpn] = await Promise.all([r.failover(FAILOVER_BOUND_MS + 10_000, killed), r.openVpnFailover(killed, FAILOVER_BOUND_MS + 10_000)]);
    t.diagnostic(`failover (kill → first connection through region 2 reaching Plant A): wg-quick ${ms} ms, openvpn ${ovpn.ms} ms`);
    assert.ok(ms > 0 && ms <= FAILOVER_BOUND_MS, `wg-quick landed in region 2 after ${ms || 'never'} ms (last endpoint ${lastEndpoint})\n${r.output()}`);
    assert.ok(ovpn.ms > 0 && ovpn.ms <= FAILOVER_BOUND_MS, `openvpn landed in region 2 after ${ovpn.ms || 'never'} ms (last gateway ${ovpn.lastGateway || 'none'})\n${r.output()}`);
    assert.equal(await r.openVpnTunnelIp(), ovpnTunnelIp, 'the OpenVPN tunnel IP is the same in region 2');
    assert.equal(await s.whoAnswers(r.dave, r.mappedB, 1500), 'none', 'Plant B stays out of reach for the OpenVPN user in region 2 (R6)');
    const peer = await gatewayPeer(s.ns.gw2, r.ifaces2.users, publicKey);
    assert.equal(peer.allowedIps, `${tunnelIp}/32`, 'region 2 knows alice under the same tunnel IP');
    assert.ok(peer.latestHandshake > 0, 'and the handshake was with region 2');
    assert.equal(await s.whoAnswers(r.alice, r.mappedB, 1500), 'none', 'Plant B stays out of reach in region 2 (R6)');
  });

  it('region 1 back: the agents\u2019 tunnels to the restarted gateway are up within 5 s of its interface, and new connections (wg-quick and openvpn) prefer region 1 again', async (t) => {
    const { fromReadyMs, fromSpawnMs } = await r.restartRegion1();
    t.diagnostic(`agent reconnect: ${fromReadyMs} ms after the restarted gateway's interface had its key (${fromSpawnMs} ms after its process was started)`);
    assert.ok(fromReadyMs > 0 && fromReadyMs <= AGENT_RECONNECT_BOUND_MS, `agent A handshook with the restarted gateway ${fromReadyMs || 'never'} ms after its interface was ready\n${await r.sitePlanes()}\n${r.output()}`);
    let endpoint = '';
    for (let attempt = 0; attempt < 10 && endpoint !== REGION1_ENDPOINT; attempt++) {
      if (attempt > 0) await sleep(1000);
      endpoint = await r.reconnect();
    }
    assert.equal(endpoint, REGION1_ENDPOINT, 'a new connection resolves to region 1 again');
    assert.equal(await s.waitForAnswer(r.alice, r.mappedA, 'plant-A', 10_000), 'plant-A', `and reaches Plant A through it\n${r.output()}`);
    let gateway = '';
    for (let attempt = 0; attempt < 5 && gateway !== GATEWAY_IP; attempt++) {
      if (attempt > 0) await sleep(1000);
      gateway = await r.openVpnConnect(10_000);
    }
    assert.equal(gateway, GATEWAY_IP, `a restarted OpenVPN client connects through region 1 again\n${r.output()}`);
    assert.equal(await s.waitForAnswer(r.dave, r.mappedAForDave, 'plant-A', 10_000), 'plant-A', `and reaches Plant A through it\n${r.output()}`);
  });
});
