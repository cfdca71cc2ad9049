import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { directVpnInterfaceName } from '../../src/agent/direct-vpns.ts';
import { FOREIGN, OpenVpnRouterLab, ROUTER_DEVICE, ROUTER_LAN, SERVERS } from './openvpn-router-lab.ts';
import { NODE, sleep } from './scenario-lab.ts';
import { PLANT_A } from './scenario-fleet.ts';

/**
 * Issue 9, outgoing OpenVPN direct VPN, with real packets (lab: openvpn-router-lab.ts): real
 * openvpn 2.6 router servers (UDP, TCP, legacy firmware) pushing default and foreign routes;
 * the Admin's upload; plant A's agent dials out; an Operator reaches the router's LAN device.
 * One lab for every case.
 */

const PROBE = new URL('./fixtures/probe.ts', import.meta.url).pathname;

describe('issue 9: an outgoing OpenVPN direct VPN carries a personal-VPN user to the plant router\u2019s LAN', { timeout: 300_000 }, () => {
  const o = new OpenVpnRouterLab();
  const s = o.s;

  before(() => o.build());
  after(() => o.cleanup());

  it('D1/D5/D11 (UDP): the upload connects the agent; alice reaches the LAN device (mapped and native); no pushed route is installed; disable stops openvpn and the route', async (t) => {
    const created = Date.now();
    const review = await o.create('Router U', SERVERS.udp, []);
    assert.ok(review.stripped.some((entry) => entry.what.includes('redirect-gateway')), JSON.stringify(review));
    const iface = directVpnInterfaceName(await o.vpnId('Router U'));
    const host = await o.mappedDevice();
    const answer = await s.waitForAnswer(o.alice, host, 'router-lan', 60_000);
    t.diagnostic(`UDP create → first packet through (incl. the user's vpn refresh): ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', `alice reaches ${ROUTER_DEVICE} via ${host}\n${s.agents.get('agentA')?.output()}`);
    const route = (await s.routes(o.alice)).find((entry) => entry.subnet === ROUTER_LAN);
    assert.equal(route?.native, true, `${ROUTER_LAN} clashes with nothing alice reaches: native too (P5)`);
    assert.equal(await s.waitForAnswer(o.alice, ROUTER_DEVICE, 'router-lan', 15_000), 'router-lan', 'native address');
    const whoami = await s.lab.exec(o.alice.ns, NODE, [PROBE, 'http', `http://${host}/whoami`, '1500'], { timeoutMs: 15_000 });
    assert.equal(whoami.stdout.trim(), 'OK router-lan from 10.9.0.2', 'masqueraded to the agent\u2019s tunnel address');

    // D5: the server pushed a default route, 0.0.0.0/0 and 10.66.0.0/24: none is in the agent's table.
    const routes = await o.agentRoutes();
    assert.ok(!routes.some((r) => r.dst === 'default' || r.dst === '0.0.0.0/1' || r.dst === '128.0.0.0/1'), JSON.stringify(routes));
    assert.ok(!routes.some((r) => r.dst.startsWith(FOREIGN)), JSON.stringify(routes));
    assert.deepEqual(routes.filter((r) => r.dev === iface && r.protocol !== 'kernel').map((r) => r.dst), [ROUTER_LAN]);
    // S3: the config is 0600 in a 0700 directory; no key in what the agent logged
    assert.equal(statSync(join(o.agentState, 'openvpn', iface, 'openvpn.conf')).mode & 0o777, 0o600);
    assert.equal(statSync(join(o.agentState, 'openvpn', iface)).mode & 0o777, 0o700);
    assert.ok(!s.daemonOutput().includes(o.client.keyPem.split('\n')[1] as string));

    const pids = o.agentOpenVpnPids();
    assert.equal(pids.length, 1, 'one openvpn for the one direct VPN');
    // openvpn killed from outside: the agent starts it again (backoff 1 s) and the path comes back
    const killed = Date.now();
    process.kill(pids[0] as number, 'SIGKILL');
    assert.equal(await s.waitForAnswer(o.alice, host, 'router-lan', 30_000), 'router-lan', 'the tunnel is back after a crash');
    t.diagnostic(`openvpn crash → path back: ${Date.now() - killed} ms`);
    const restarted = o.agentOpenVpnPids();
    assert.equal(restarted.length, 1);
    assert.notEqual(restarted[0], pids[0]);
    // site-vpn restart (a new restart generation) starts a new openvpn too
    assert.equal((await s.as(o.olga, ['site-vpn', 'restart', 'Router U', '--plant', PLANT_A])).code, 0);
    for (let i = 0; i < 100 && o.agentOpenVpnPids()[0] === restarted[0]; i++) await sleep(100);
    assert.notEqual(o.agentOpenVpnPids()[0], restarted[0], 'restart replaced the process');
    assert.equal(await s.waitForAnswer(o.alice, host, 'router-lan', 30_000), 'router-lan', 'and the path works again');
    // D7: the card shows it connected with traffic, and the logs show the pushed routes refused (status every 10 s)
    let live: { state: string; bytesIn: number } | undefined;
    let logs = '';
    for (let i = 0; i < 30; i++) {
      live = (JSON.parse((await s.as(o.olga, ['site-vpn', 'show', 'Router U', '--plant', PLANT_A, '--json'])).stdout) as { live?: { state: string; bytesIn: number } }).live;
      logs = await o.logsOf('Router U');
      if (live?.state === 'connected' && live.bytesIn > 0 && logs.includes('Pushed option removed by filter')) break;
      await sleep(1000);
    }
    assert.equal(live?.state, 'connected', JSON.stringify(live));
    assert.ok((live?.bytesIn ?? 0) > 0, JSON.stringify(live));
    assert.match(logs, /Pushed option removed by filter: 'redirect-gateway def1'/);
    assert.match(logs, /Pushed option removed by filter: 'route 0\.0\.0\.0 0\.0\.0\.0'/);
    assert.doesNotMatch(logs, /BEGIN|PRIVATE KEY/);
    const disabled = Date.now();
    await s.as(o.olga, ['site-vpn', 'disable', 'Router U', '--plant', PLANT_A]);
    let cut = '';
    while (Date.now() - disabled < 30_000) {
      cut = await s.whoAnswers(o.alice, host, 500);
      if (cut === 'none') break;
      await sleep(100);
    }
    t.diagnostic(`UDP disable → cut: ${Date.now() - disabled} ms`);
    assert.equal(cut, 'none');
    for (let i = 0; i < 50 && o.agentOpenVpnPids().length > 0; i++) await sleep(100);
    assert.deepEqual(o.agentOpenVpnPids(), [], 'openvpn stopped');
    assert.ok(!(await o.agentRoutes()).some((r) => r.dst === ROUTER_LAN), 'its route is gone');
    await o.remove('Router U');
  });

  it('D2 (TCP): the same router over TCP carries alice to the LAN device', async (t) => {
    const created = Date.now();
    await o.create('Router T', SERVERS.tcp, []);
    const host = await o.mappedDevice();
    const answer = await s.waitForAnswer(o.alice, host, 'router-lan', 60_000);
    t.diagnostic(`TCP create → first packet through: ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', s.agents.get('agentA')?.output());
    assert.ok(!(await o.agentRoutes()).some((r) => r.dst === 'default' || r.dst.startsWith(FOREIGN)));
    await o.remove('Router T');
  });

  const diagnoseUntil = async (name: string, check: string): Promise<{ state: string; checks: Array<{ check: string; fix: string | null }> }> => {
    let last = { state: '', checks: [] as Array<{ check: string; fix: string | null }> };
    for (let i = 0; i < 40; i++) {
      const run = await s.as(o.olga, ['site-vpn', 'diagnose', name, '--plant', PLANT_A, '--json']);
      if (run.code === 0) last = JSON.parse(run.stdout);
      if (last.checks.some((entry) => entry.check === check)) return last;
      await sleep(1000);
    }
    return last;
  };

  it('D2/D7 legacy: settings that do not match old firmware leave the tunnel down and diagnose names the mismatch (cipher; TLS version)', async () => {
    const legacy = SERVERS.legacy;
    // the export names the digest and TLS 1.0, not the cipher: the router refuses the agent's ciphers
    await o.create('Old A', legacy, ['auth SHA1', 'tls-version-min 1.0', 'comp-lzo']);
    try {
      const cipher = await diagnoseUntil('Old A', 'cipher');
      assert.notEqual(cipher.state, 'connected');
      assert.ok(cipher.checks.some((entry) => entry.check === 'cipher' && /data cipher/.test(entry.fix ?? '')), `${JSON.stringify(cipher)}\n${await o.logsOf('Old A')}`);
    } finally {
      await o.remove('Old A');
    }
    // cipher and digest, but not TLS 1.0: no TLS version in common
    await o.create('Old B', legacy, ['cipher AES-128-CBC', 'auth SHA1', 'comp-lzo']);
    try {
      const tls = await diagnoseUntil('Old B', 'tls-version');
      assert.notEqual(tls.state, 'connected');
      assert.ok(tls.checks.some((entry) => entry.check === 'tls-version' && /minimum TLS version/.test(entry.fix ?? '')), `${JSON.stringify(tls)}\n${await o.logsOf('Old B')}`);
    } finally {
      await o.remove('Old B');
    }
  });

  it('D2 legacy: with the advanced settings matching (AES-128-CBC, SHA1, TLS 1.0, LZO) the agent connects and alice reaches the device', async (t) => {
    const created = Date.now();
    const review = await o.create('Old C', SERVERS.legacy, [], ['--cipher', 'AES-128-CBC', '--auth', 'SHA1', '--tls-min', '1.0', '--compression', 'lzo']);
    assert.deepEqual(review.crypto, { cipher: 'AES-128-CBC', auth: 'SHA1', compression: 'lzo', tlsMin: '1.0' });
    const host = await o.mappedDevice();
    const answer = await s.waitForAnswer(o.alice, host, 'router-lan', 60_000);
    t.diagnostic(`legacy create → first packet through: ${Date.now() - created} ms`);
    assert.equal(answer, 'router-lan', s.agents.get('agentA')?.output());
    await o.remove('Old C');
  });
});
