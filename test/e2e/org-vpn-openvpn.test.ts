import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { LabProcess } from './netns.ts';
import { assertNetnsCapable } from './netns.ts';
import { OrgVpnLab, VPN_PATH } from './org-vpn-lab.ts';
import { PEOPLE, PLANT_A, passwordOf } from './scenario-fleet.ts';
import { DEVICE_IP, GATEWAY_IP, INTERNET_IP, type LabUser, flowCut, parseFlow, sleep } from './scenario-lab.ts';

/**
 * Issue 12 item 6 for OpenVPN (SPEC O1 over P9's certificates), with real packets: an
 * office router runs the real `openvpn` client with the show-once site `.ovpn`
 * (`org-vpn client add --kind site --out hq.ovpn`) against the gateway's OpenVPN servers; a
 * host behind it reaches the chosen plant's device and nothing else; a device client (a
 * shared machine in a namespace of its own) likewise; a plant leaving the VPN cuts an open
 * flow within the P3 bound; removing the client cuts it, ends its session and the CRL
 * refuses its reconnect. The lab is the WireGuard organization VPN's (test/e2e/org-vpn-lab.ts).
 */
const CUT_MS = 1000;

describe('OpenVPN organization VPN end to end (real openvpn client and server, network namespaces)', { timeout: 180_000 }, () => {
  const o = new OrgVpnLab({ protocol: 'openvpn' });
  let machine: LabUser;
  let device: { file: string; client: LabProcess };

  before(async () => {
    await assertNetnsCapable();
    await o.start();
    const ready = await o.s.waitForAnswer(o.host, o.mapped.A, 'plant-A', 30_000);
    assert.equal(ready, 'plant-A', `the office host reaches plant A within 30 s\n${o.s.daemonOutput()}`);
  });
  after(async () => {
    await o.cleanup();
  });

  it('O1/P9: the show-once site .ovpn dials only the VPN\u2019s region (UDP, then TCP) with ca, cert, key and tls-crypt inline; the private key is in the file only', async () => {
    const text = readFileSync(o.confPath, 'utf8');
    const lines = text.split('\n');
    for (const line of ['client', 'dev tun', 'remote-cert-tls server', '<ca>', '<cert>', '<key>', '<tls-crypt>']) assert.ok(lines.includes(line), line);
    assert.deepEqual(lines.filter((l) => l.startsWith('remote ')), [`remote ${GATEWAY_IP} 1194 udp`, `remote ${GATEWAY_IP} 1194 tcp`]);
    assert.match(text, /site router: forward 10\.77\.0\.0\/24 into this tunnel and masquerade them to 100\./);
    const key = /<key>\n-----BEGIN PRIVATE KEY-----\n(\S+)/.exec(text)?.[1] as string;
    const events = await o.olga(['org', 'events', 'SolarCo', '--json']);
    assert.ok(!events.stdout.includes(key), 'no private key in the events');
    const shown = JSON.parse((await o.olga(['org-vpn', 'show', 'office', '--org', 'SolarCo', '--json'])).stdout);
    assert.equal(shown.protocol, 'openvpn');
    assert.equal(shown.clients[0].publicKey, null);
    assert.match(shown.clients[0].certificate.serial, /^[0-9a-f]+$/);
  });

  it('O1 item 7: a host behind the office router reaches the chosen plant (mapped and native) and nothing else', async () => {
    assert.equal(await o.s.whoAnswers(o.host, o.mapped.A), 'plant-A');
    assert.equal(await o.s.whoAnswers(o.host, DEVICE_IP), 'plant-A', 'native: pushed route, no conflict within this VPN');
    // Plant B's mapped prefix is in the pushed mapped space: only the gateway stops it.
    assert.equal(await o.s.whoAnswers(o.host, o.mapped.B), 'none');
    // Forced into the tunnel by hand, an address beyond the plants goes nowhere either.
    await o.s.lab.exec(o.router.ns, 'ip', ['route', 'replace', `${INTERNET_IP}/32`, 'dev', o.routerIface]);
    assert.equal(await o.s.whoAnswers(o.host, INTERNET_IP), 'none', 'the gateway forwards nothing but the VPN\u2019s plants');
  });

  it('O1: a device client (a shared machine) connects with its own show-once .ovpn and reaches the chosen plant only', async () => {
    machine = await o.s.addUser(PEOPLE.otto, passwordOf(PEOPLE.otto));
    device = await o.connectDevice('team-pc', machine);
    assert.equal(await o.s.waitForAnswer(machine, o.mapped.A, 'plant-A', 10_000), 'plant-A');
    assert.equal(await o.s.whoAnswers(machine, DEVICE_IP), 'plant-A');
    assert.equal(await o.s.whoAnswers(machine, o.mapped.B), 'none');
  });

  it('O1/A1: the office host\u2019s requests are in Plant A\u2019s audit trail, attributed to the organization VPN and its site', async (t) => {
    for (let i = 0; i < 2; i++) assert.match(await o.s.http(o.host, o.mapped.A), /^OK plant-A/);
    type Row = { user: string | null; plant: string; deviceIp: string; protocol: string; port: number | null; connections: number };
    let http: Row[] = [];
    for (const end = Date.now() + 30_000; Date.now() < end; await sleep(1000)) {
      const page = JSON.parse((await o.olga(['audit', 'query', '--plant', PLANT_A, '--json'])).stdout) as { records: Row[] };
      http = page.records.filter((r) => r.protocol === 'tcp' && r.port === 80 && r.user === 'org-vpn:office/hq');
      if (http.reduce((sum, r) => sum + r.connections, 0) >= 2) break;
    }
    t.diagnostic(`HTTP records: ${JSON.stringify(http)}`);
    assert.ok(http.length > 0, `HTTP flows of the site in the audit\n--- gateway:\n${o.s.gateway?.output().slice(-3000)}`);
    assert.deepEqual([...new Set(http.map((r) => r.deviceIp))], [DEVICE_IP]);
  });

  it('O1 with P7: the connected device client is a current session in org-vpn client sessions --json (source address, bytes both ways)', async () => {
    // the gateway reports every few seconds; the control plane folds reports into sessions every 15 s
    type Session = { start: string; end: string | null; sourceAddress: string | null; bytesIn: number; bytesOut: number; region: string };
    let sessions: Session[] = [];
    for (const end = Date.now() + 30_000; Date.now() < end; await sleep(1000)) {
      sessions = JSON.parse((await o.olga(['org-vpn', 'client', 'sessions', 'office', 'team-pc', '--org', 'SolarCo', '--json'])).stdout) as Session[];
      if (sessions.some((x) => x.end === null && x.bytesIn > 0 && x.bytesOut > 0)) break;
    }
    const current = sessions.find((x) => x.end === null);
    assert.ok(current, `a current session: ${JSON.stringify(sessions)}`);
    assert.match(current.sourceAddress ?? '', /^10\.10\.\d+\.2:\d+$/, 'the address the machine\u2019s openvpn client connects from (its uplink)');
    assert.ok(current.bytesIn > 0 && current.bytesOut > 0, JSON.stringify(current));
    assert.equal(current.region, 'e2e');
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
    assert.equal(await o.s.whoAnswers(machine, o.mapped.A), 'none', 'the device client lost it too');
    await o.olga(['org-vpn', 'plant', 'add', 'office', PLANT_A, '--org', 'SolarCo']);
    assert.equal(await o.s.waitForAnswer(o.host, o.mapped.A, 'plant-A', 10_000), 'plant-A');
  });

  it('O1 item 6/P9: removing the site client cuts an open flow at once, ends its OpenVPN session and the CRL refuses its reconnect; the device client is untouched', async () => {
    const site = o.siteClient as LabProcess;
    const completions = () => (site.output().match(/Initialization Sequence Completed/g) ?? []).length;
    const upBefore = completions();
    const flow = o.flowWithChange(o.mapped.A, 1000, `${VPN_PATH}/clients/hq`, 3500);
    await flow.waitForLine(/^done/, 15_000);
    const sample = parseFlow(flow.output());
    assert.equal(sample.request?.status, '200', flow.output().split('\n').filter((l) => !/^(send|recv) /.test(l)).join('\n').slice(0, 1500));
    const late = [...sample.received.values()].filter((at) => at > (sample.request?.end as number) + CUT_MS);
    assert.ok(flowCut(sample).received >= 10, 'the flow carried data before');
    assert.deepEqual(late, [], `no echo later than ${CUT_MS} ms after the removal returned`);
    assert.match(o.s.gateway?.output() ?? '', /openvpn sessions ended/);
    // openvpn restarts on its own and is refused: no new tunnel
    await sleep(4000);
    assert.equal(completions(), upBefore, 'no reconnect succeeded');
    assert.match(o.s.gateway?.output() ?? '', /"msg":"openvpn handshake refused".*certificate revoked/, 'the gateway\u2019s OpenVPN server refused the certificate by its CRL');
    assert.equal(await o.s.whoAnswers(o.host, o.mapped.A), 'none');
    const clients = JSON.parse((await o.olga(['org-vpn', 'client', 'list', 'office', '--org', 'SolarCo', '--json'])).stdout) as Array<{ name: string }>;
    assert.deepEqual(clients.map((c) => c.name), ['team-pc']);
    assert.equal(await o.s.whoAnswers(machine, o.mapped.A), 'plant-A', 'the device client still reaches its plant');
    assert.ok(device.client.output().includes('Initialization Sequence Completed'));
  });
});
