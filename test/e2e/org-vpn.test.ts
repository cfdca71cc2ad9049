import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable } from './netns.ts';
import { OrgVpnLab, VPN_PATH } from './org-vpn-lab.ts';
import { PLANT_A } from './scenario-fleet.ts';
import { DEVICE_IP, INTERNET_IP, flowCut, parseFlow, sleep } from './scenario-lab.ts';

/**
 * Issue 12 items 6–8 (SPEC O1) with real packets: an office router connects with the
 * show-once site config (wireguard-go, wg-quick style); a host behind it reaches the chosen
 * plant's device and nothing else; a plant leaving the VPN cuts an open flow within the P3
 * bound; removing the client cuts it at once.
 */
const CUT_MS = 1000;

describe('organization VPN end to end (network namespaces)', { timeout: 180_000 }, () => {
  const o = new OrgVpnLab();

  before(async () => {
    await assertNetnsCapable();
    await o.start();
    const ready = await o.s.waitForAnswer(o.host, o.mapped.A, 'plant-A', 60_000);
    assert.equal(ready, 'plant-A', `the office host reaches plant A within 60 s\n${o.s.daemonOutput()}`);
  });
  after(async () => {
    await o.cleanup();
  });

  it('O1: the show-once site config routes the mapped space and the VPN\u2019s unambiguous native subnet; the private key is in the file only', async () => {
    const conf = readFileSync(o.confPath, 'utf8');
    assert.match(conf, /AllowedIPs = 100\.80\.0\.0\/12, 192\.168\.1\.0\/24/);
    assert.match(conf, /^Endpoint = 10\.10\.1\.2:51820$/m);
    const key = /^PrivateKey = (\S+)$/m.exec(conf)?.[1] as string;
    const events = await o.olga(['org', 'events', 'SolarCo', '--json']);
    assert.ok(!events.stdout.includes(key), 'no private key in the events');
  });

  it('O1 item 7: a host behind the office router reaches the chosen plant (mapped and native) and nothing else', async () => {
    assert.equal(await o.s.whoAnswers(o.host, o.mapped.A), 'plant-A');
    assert.equal(await o.s.whoAnswers(o.host, DEVICE_IP), 'plant-A', 'native: no conflict within this VPN');
    // Plant B's mapped prefix is inside the tunnel's AllowedIPs: only the gateway stops it.
    assert.equal(await o.s.whoAnswers(o.host, o.mapped.B), 'none');
    // Forced into the tunnel by hand, an address beyond the plants goes nowhere either.
    const peer = /^PublicKey = (\S+)$/m.exec(readFileSync(o.confPath, 'utf8'))?.[1] as string;
    await o.s.lab.exec(o.router.ns, 'wg', ['set', o.routerIface, 'peer', peer, 'allowed-ips', `100.80.0.0/12,192.168.1.0/24,${INTERNET_IP}/32`]);
    await o.s.lab.exec(o.router.ns, 'ip', ['route', 'replace', `${INTERNET_IP}/32`, 'dev', o.routerIface]);
    assert.equal(await o.s.whoAnswers(o.host, INTERNET_IP), 'none', 'the gateway forwards nothing but the VPN\u2019s plants');
  });

  it('O1/A1: the office host\u2019s requests are in Plant A\u2019s audit trail, attributed to the organization VPN and its site', async (t) => {
    for (let i = 0; i < 2; i++) assert.match(await o.s.http(o.host, o.mapped.A), /^OK plant-A/);
    type Row = { user: string | null; plant: string; deviceIp: string; protocol: string; port: number | null; connections: number };
    let http: Row[] = [];
    for (const end = Date.now() + 30_000; Date.now() < end; await sleep(1000)) {
      const page = JSON.parse((await o.olga(['audit', 'query', '--plant', PLANT_A, '--json'])).stdout) as { records: Row[] };
      http = page.records.filter((r) => r.protocol === 'tcp' && r.port === 80);
      if (http.reduce((sum, r) => sum + r.connections, 0) >= 2) break;
    }
    t.diagnostic(`HTTP records: ${JSON.stringify(http)}`);
    assert.ok(http.length > 0, `HTTP flows in the audit\n--- gateway:\n${o.s.gateway?.output().slice(-3000)}`);
    assert.deepEqual([...new Set(http.map((r) => r.user))], ['org-vpn:office/hq']);
    assert.deepEqual([...new Set(http.map((r) => r.deviceIp))], [DEVICE_IP]);
  });

  it(`O1 item 8: Plant A leaving the VPN cuts an open flow within ${CUT_MS} ms of the API answer; adding it back restores it`, async () => {
    const flow = o.flowWithChange(o.mapped.A, 1500, `${VPN_PATH}/plants/${encodeURIComponent(PLANT_A)}`, 4500);
    await flow.waitForLine(/^done/, 15_000);
    const sample = parseFlow(flow.output());
    assert.equal(sample.request?.status, '200', flow.output().split('\n').filter((l) => !/^(send|recv) /.test(l)).join('\n').slice(0, 1500));
    const returned = sample.request?.end as number;
    const late = [...sample.received.values()].filter((at) => at > returned + CUT_MS);
    const { received } = flowCut(sample);
    assert.ok(received >= 20, `the flow carried data before (${received} echoes)`);
    assert.ok([...sample.sent.values()].some((at) => at > returned + CUT_MS), 'the flow kept sending after the bound');
    assert.deepEqual(late, [], `no echo later than ${CUT_MS} ms after the removal returned`);
    assert.equal(await o.s.whoAnswers(o.host, o.mapped.A), 'none');
    await o.olga(['org-vpn', 'plant', 'add', 'office', PLANT_A, '--org', 'SolarCo']);
    assert.equal(await o.s.waitForAnswer(o.host, o.mapped.A, 'plant-A', 10_000), 'plant-A');
  });

  it('O1 item 6: removing the site client cuts it at once', async () => {
    const flow = o.flowWithChange(o.mapped.A, 1000, `${VPN_PATH}/clients/hq`, 3500);
    await flow.waitForLine(/^done/, 15_000);
    const sample = parseFlow(flow.output());
    assert.equal(sample.request?.status, '200', flow.output().split('\n').filter((l) => !/^(send|recv) /.test(l)).join('\n').slice(0, 1500));
    const late = [...sample.received.values()].filter((at) => at > (sample.request?.end as number) + CUT_MS);
    assert.deepEqual(late, []);
    await sleep(200);
    assert.equal(await o.s.whoAnswers(o.host, o.mapped.A), 'none');
    const wg = (await o.s.lab.exec(o.s.ns.gw, 'wg', ['show', o.s.ifaces.users, 'peers'])).stdout;
    const publicKey = JSON.parse((await o.olga(['org-vpn', 'client', 'list', 'office', '--org', 'SolarCo', '--json'])).stdout);
    assert.deepEqual(publicKey, [], 'no client left');
    assert.equal(wg.trim(), '', 'no peer left on the gateway');
  });
});
