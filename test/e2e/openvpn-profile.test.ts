import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { LabProcess } from './netns.ts';
import { type OpenVpnProfileLab, startOpenVpnProfileLab } from './openvpn-profile-lab.ts';

/**
 * OpenVPN certificate profiles end to end (issue 11 items 5–7, SPEC P9): the real `openvpn`
 * client with the `.ovpn` that `plantgate vpn issue --type openvpn` wrote, against
 * `plantgate gateway`'s OpenVPN servers, through an agent to a plant device (the lab:
 * test/e2e/openvpn-profile-lab.ts). Alice is Operator on Park A (UDP), Vic on Park B (TCP),
 * Gus a guest with no route.
 */

describe('OpenVPN certificate profiles end to end (real openvpn client and server, network namespaces)', { timeout: 180_000 }, () => {
  let l: OpenVpnProfileLab;
  const ns = (who: string) => l.ns[who] as string;

  before(async () => {
    l = await startOpenVpnProfileLab({ deviceLifetimeMs: 170_000 });
  });
  after(async () => l?.stop());

  it('P9: vpn issue --type openvpn writes a .ovpn (ca, cert, key inline; remote-cert-tls server); the real openvpn client connects over UDP and reaches its plant by mapped and native address, nothing else', async () => {
    const { file, out } = await l.issue('alice', 'issue');
    assert.match(out, /profile issued: openvpn, certificate [0-9a-f]+, tunnel IP (100\.\d+\.\d+\.\d+)/);
    const text = readFileSync(file, 'utf8');
    for (const line of ['client', 'dev tun', 'remote-cert-tls server', 'remote 10.201.1.1 1194 udp', '<key>', '<cert>', '<ca>', '<tls-crypt>']) assert.ok(text.split('\n').includes(line), line);
    const connectMs = await l.connect('alice', file);
    console.log(`openvpn connect (UDP): ${connectMs} ms`);
    const shown = JSON.parse(await l.cli('alice', 'alice', ['vpn', 'show', '--json'])) as { profile: { tunnelIp: string; kind: string } };
    assert.equal(shown.profile.kind, 'openvpn');
    assert.equal(await l.tunnelIp('alice'), shown.profile.tunnelIp, 'the tunnel IP the gateway pushed is the profile\u2019s');
    assert.equal(await l.eventually('alice', `http://${l.mapped.A}/`, /^OK/, 10_000), 'OK plant-A');
    assert.equal(await l.http('alice', 'http://192.168.1.10/whoami', 3000), 'OK plant-A from 192.168.1.1', 'native address (pushed route, nft native map)');
    assert.match(await l.http('alice', `http://${l.mapped.B}/`), /^ERR/, 'Park B is not Alice\u2019s');
    assert.match(await l.http('alice', 'http://192.168.2.10/'), /^ERR/);
  });

  it('P9: over TCP the same kind of profile reaches only its own plant (Vic: Park B)', async () => {
    const { file } = await l.issue('vic', 'issue');
    // only the TCP remote: this client must not fall back to UDP
    const tcpOnly = join(l.work, 'vic-tcp.ovpn');
    writeFileSync(tcpOnly, readFileSync(file, 'utf8').replace(/^remote .* udp\n/gm, ''), { mode: 0o600 });
    await l.connect('vic', tcpOnly);
    assert.equal(await l.eventually('vic', `http://${l.mapped.B}/`, /^OK/, 10_000), 'OK plant-B');
    assert.match(await l.http('vic', `http://${l.mapped.A}/`), /^ERR/);
  });

  it('P9: a user with no routes connects and reaches nothing', async () => {
    const { file } = await l.issue('gus', 'issue');
    await l.connect('gus', file);
    assert.match(await l.tunnelIp('gus'), /^100\./);
    assert.match(await l.http('gus', `http://${l.mapped.A}/`), /^ERR/);
    assert.match(await l.http('gus', `http://${l.mapped.B}/`), /^ERR/);
    assert.match(await l.http('gus', 'http://192.168.1.10/'), /^ERR/);
  });

  it('P7: the connected OpenVPN profile is a current session in vpn sessions: its source address, bytes both ways, region and gateway', async () => {
    // the gateway reports every few seconds; the control plane folds reports into sessions every 15 s
    type Session = { start: string; end: string | null; sourceAddress: string | null; bytesIn: number; bytesOut: number; region: string; gateway: string };
    const deadline = Date.now() + 25_000;
    let sessions: Session[] = [];
    while (Date.now() < deadline) {
      sessions = JSON.parse(await l.cli('alice', 'alice', ['vpn', 'sessions', '--json'])) as Session[];
      if (sessions.some((s) => s.end === null && s.bytesIn > 0)) break;
      await sleep(1000);
    }
    const current = sessions.find((s) => s.end === null);
    assert.ok(current, `a current session: ${JSON.stringify(sessions)}`);
    assert.match(current.sourceAddress ?? '', /^10\.201\.1\.2:\d+$/, 'the address the openvpn client connects from');
    assert.ok(current.bytesIn > 0 && current.bytesOut > 0, `bytes both ways: ${JSON.stringify(current)}`);
    assert.ok(Date.parse(current.start) <= Date.now() && current.gateway !== '', JSON.stringify(current));
  });

  it('P2/P9: rotate re-issues (new certificate, same tunnel IP); the gateway ends the old certificate\u2019s session', async () => {
    const before = JSON.parse(await l.cli('alice', 'alice', ['vpn', 'show', '--json'])) as { profile: { tunnelIp: string; certificate: { serial: string } } };
    const old = l.clients.alice as LabProcess;
    const { file } = await l.issue('alice', 'rotate');
    const after = JSON.parse(await l.cli('alice', 'alice', ['vpn', 'show', '--json'])) as { profile: { tunnelIp: string; certificate: { serial: string } } };
    assert.notEqual(after.profile.certificate.serial, before.profile.certificate.serial);
    assert.equal(after.profile.tunnelIp, before.profile.tunnelIp);
    // the old certificate's session is killed by the gateway and its reconnect refused (CRL, and no such peer)
    const deadline = Date.now() + 10_000;
    while (!/(SIGUSR1|SIGHUP|RESTART|TLS Error)/.test(old.output()) && Date.now() < deadline) await sleep(100);
    assert.match(old.output(), /SIGUSR1|RESTART|TLS Error/, 'the old session was ended by the gateway');
    await old.stop();
    await l.connect('alice', file);
    assert.equal(await l.tunnelIp('alice'), before.profile.tunnelIp, 'same tunnel IP');
    assert.equal(await l.eventually('alice', `http://${l.mapped.A}/`, /^OK/, 10_000), 'OK plant-A');
  });

  it('P3/P9: revoke cuts an open flow within a second, ends the session, and the CRL refuses the reconnect', async () => {
    const ticker = l.lab.startProcess(ns('alice'), l.node, [l.probe, 'ticks', l.mapped.A, '81', '15000']);
    await ticker.waitForLine(/^connected/, 5000);
    const client = l.clients.alice as LabProcess;
    const completions = () => (client.output().match(/Initialization Sequence Completed/g) ?? []).length;
    const upBefore = completions();
    await l.cli('alice', 'alice', ['vpn', 'revoke']);
    const revokedAt = Date.now();
    await sleep(2500);
    const ticks = [...ticker.output().matchAll(/^tick (\d+)$/gm)].map((match) => Number(match[1]));
    assert.ok(ticks.some((tick) => tick < revokedAt), 'the flow carried data before');
    assert.deepEqual(ticks.filter((tick) => tick > revokedAt + 1000), [], `no data more than 1 s after the revoke (last tick ${Math.max(...ticks) - revokedAt} ms after)`);
    await ticker.stop();
    assert.match(l.gateway.output(), /openvpn sessions ended/);
    // the client tries again (openvpn restarts on its own) and is refused: no new tunnel
    await sleep(4000);
    assert.equal(completions(), upBefore, 'no reconnect succeeded');
    assert.match(l.gateway.output(), /"msg":"openvpn handshake refused".*certificate revoked/, 'the gateway\u2019s OpenVPN server refused the certificate by its CRL');
    assert.match(await l.http('alice', `http://${l.mapped.A}/`), /^ERR/);
    // the others are untouched
    assert.equal(await l.http('vic', `http://${l.mapped.B}/`, 3000), 'OK plant-B');
  });
});
