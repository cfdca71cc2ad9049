import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertNetnsCapable, type LabProcess, NetnsLab } from '../../test/e2e/netns.ts';
import { createTestPki, openVpnStaticKey, type TestCertificate, type TestPki } from '../../test/support/openvpn-pki.ts';
import type { AgentOpenVpnServerVpn } from '../core/wire/daemon.ts';
import { IpCliConfigDriver } from '../os/ip/ip-cli-config-driver.ts';
import { OpenVpnProcessDriver } from '../os/openvpn/openvpn-process-driver.ts';
import { directVpnInterfaceName } from './direct-vpns.ts';
import { OpenVpnRunner } from './openvpn-vpns.ts';

/**
 * The hosted OpenVPN server as the agent runs it (OpenVpnRunner + the real openvpn 2.6 and
 * iproute2), with two real clients dialing in from namespaces of their own: a removed client
 * is cut at once while the other keeps its session (no server restart), and its revoked
 * certificate cannot connect again.
 *
 *   srv 10.78.0.1 (agent runner, openvpn server udp/11194, 10.8.0.0/24)
 *     ├── cla 10.78.0.2  site-a (10.8.0.2)
 *     └── clb 10.78.0.3  anna   (10.8.0.3)
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hosted OpenVPN server on the agent (real openvpn): client removal', { timeout: 120_000 }, () => {
  let lab: NetnsLab;
  let dir: string;
  let pki: TestPki;
  let site: TestCertificate;
  let anna: TestCertificate;
  const tlsCrypt = openVpnStaticKey();
  let runner: OpenVpnRunner;
  let ns: { srv: string; cla: string; clb: string };
  const clients = new Map<string, LabProcess>();

  const server = (overrides: Partial<AgentOpenVpnServerVpn>, crl: string): AgentOpenVpnServerVpn => ({
    id: 'hosted-real',
    name: 'Hosted real',
    protocol: 'openvpn',
    direction: 'hosted',
    transport: 'udp',
    port: 11194,
    network: '10.8.0.0/24',
    ca: pki.caPem,
    cert: pki.server.certPem,
    key: pki.server.keyPem,
    crl,
    tlsCrypt,
    crypto: { cipher: null, auth: null, compression: null, tlsMin: null },
    clients: [
      { commonName: 'site-a', kind: 'site', tunnelIp: '10.8.0.2', subnets: ['10.50.0.0/24'] },
      { commonName: 'Anna Müller', kind: 'user', tunnelIp: '10.8.0.3', subnets: [] },
    ],
    subnets: ['10.50.0.0/24'],
    restartGeneration: 0,
    ...overrides,
  });

  const startClient = (name: string, namespace: string, cert: TestCertificate, dev: string): LabProcess => {
    const file = join(dir, `${name}.conf`);
    const config = ['client', `dev ${dev}`, 'dev-type tun', 'nobind', 'remote 10.78.0.1 11194 udp', 'remote-cert-tls server', 'connect-retry 1', 'verb 3',
      `<ca>\n${pki.caPem.trim()}\n</ca>`, `<cert>\n${cert.certPem.trim()}\n</cert>`, `<key>\n${cert.keyPem.trim()}\n</key>`, `<tls-crypt>\n${tlsCrypt.trim()}\n</tls-crypt>`, ''].join('\n');
    writeFileSync(file, config, { mode: 0o600 });
    const process = lab.startProcess(namespace, 'openvpn', ['--config', file]);
    clients.set(name, process);
    return process;
  };
  const pings = async (namespace: string): Promise<boolean> =>
    lab.exec(namespace, 'ping', ['-c1', '-W1', '10.8.0.1']).then(() => true, () => false);

  before(async () => {
    await assertNetnsCapable();
    lab = new NetnsLab();
    dir = mkdtempSync(join(tmpdir(), 'plantgate-ovh-'));
    pki = await createTestPki('hosted-ca');
    site = await pki.issueClient('site-a');
    anna = await pki.issueClient('Anna Müller');
    ns = { srv: await lab.addNamespace('ovh'), cla: await lab.addNamespace('ova'), clb: await lab.addNamespace('ovb') };
    await lab.exec(ns.srv, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    await lab.exec(ns.srv, 'ip', ['address', 'add', '10.78.0.1/24', 'dev', 'br0']);
    await lab.exec(ns.srv, 'ip', ['link', 'set', 'br0', 'up']);
    for (const [client, address, base] of [[ns.cla, '10.78.0.2/24', 'pa'], [ns.clb, '10.78.0.3/24', 'pb']] as const) {
      const port = lab.name(base);
      await lab.addVeth({ ns: ns.srv, iface: port }, { ns: client, iface: 'up0', address });
      await lab.exec(ns.srv, 'ip', ['link', 'set', port, 'master', 'br0']);
    }
    runner = new OpenVpnRunner({
      openvpn: new OpenVpnProcessDriver({ netns: ns.srv }),
      ip: new IpCliConfigDriver({ netns: ns.srv }),
      directory: join(dir, 'agent'),
      now: () => Date.now(),
      schedule: (ms, run) => {
        const timer = setTimeout(run, ms);
        return () => clearTimeout(timer);
      },
      log: () => {},
    });
  });

  after(async () => {
    await runner?.stopAll();
    await lab?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('D9: both clients connect with their fixed addresses; removing one cuts it at once, the other keeps its session; the revoked certificate cannot return', async () => {
    const result = await runner.apply([server({}, await pki.crl([]))], false);
    assert.deepEqual(result.failed, []);
    startClient('site', ns.cla, site, 'tunsa');
    startClient('anna', ns.clb, anna, 'tunan');
    for (let i = 0; i < 100 && !((await pings(ns.cla)) && (await pings(ns.clb))); i++) await sleep(200);
    assert.ok(await pings(ns.cla), `site-a reaches the server\n${clients.get('site')?.output()}`);
    assert.ok(await pings(ns.clb), `anna reaches the server\n${clients.get('anna')?.output()}`);
    const address = async (namespace: string, dev: string) => JSON.parse((await lab.exec(namespace, 'ip', ['-j', 'address', 'show', 'dev', dev])).stdout)[0].addr_info.find((a: { family: string }) => a.family === 'inet').local;
    assert.equal(await address(ns.cla, 'tunsa'), '10.8.0.2', 'fixed address from client-config-dir');
    assert.equal(await address(ns.clb, 'tunan'), '10.8.0.3', 'a common name with a space and ä finds its file');
    const iface = directVpnInterfaceName('hosted-real');
    const routes = JSON.parse((await lab.exec(ns.srv, 'ip', ['-j', 'route', 'show', 'dev', iface])).stdout) as Array<{ dst: string }>;
    assert.ok(routes.some((route) => route.dst === '10.50.0.0/24'), 'the site subnet is routed into the tun');
    const siteOutputBefore = clients.get('site')?.output() ?? '';

    const [siteClient] = server({}, '').clients;
    const removed = await runner.apply([server({ clients: [siteClient as AgentOpenVpnServerVpn['clients'][number]] }, await pki.crl([anna.serialNumber]))], false);
    assert.match(removed.changes[0] ?? '', /1 removed and cut/);
    const cutAt = Date.now();
    let annaCut = false;
    while (Date.now() - cutAt < 5000 && !annaCut) annaCut = !(await pings(ns.clb));
    assert.ok(annaCut, 'anna is cut within 5 s');
    assert.ok(await pings(ns.cla), 'site-a still reaches the server');
    assert.equal((clients.get('site')?.output() ?? '').slice(siteOutputBefore.length).includes('Initialization Sequence Completed'), false, 'site-a did not reconnect: the server was not restarted');

    // anna's openvpn tries again with the revoked certificate: refused
    await clients.get('anna')?.stop();
    const again = startClient('anna2', ns.clb, anna, 'tunan');
    await sleep(4000);
    assert.equal(await pings(ns.clb), false, `the revoked certificate does not connect\n${again.output().slice(-600)}`);
    const logs = (await runner.status()).flatMap((report) => report.logs ?? []).map((line) => line.text).join('\n');
    // openvpn re-read the rewritten CRL at the handshake (the agent's status carries the line)
    assert.match(logs, /VERIFY ERROR: depth=0, error=certificate revoked: CN=Anna Müller/, logs.slice(-1500));
  });
});
