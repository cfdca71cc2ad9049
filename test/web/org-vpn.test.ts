import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { ensureWebBuilt, launchChromium } from './browser.ts';
import { loadWebFleet, USERS } from './fleet.ts';
import { DESKTOP, expectAccessible, openOrgTab, PHONE, pageFetch, signIn } from './org-session.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** The Organization VPNs tab (issue 12 item 9, SPEC O1): managed by Admins and Moderators, seen by Members, not offered to Guests. */
describe('organization VPNs in the web UI (issue 12)', () => {
  let server: Server;
  let browser: Browser;
  const problems: string[] = [];

  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
    await loadWebFleet(server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    assert.deepEqual(problems, [], 'no script error on any page');
  });

  test('O1: an Admin creates a VPN, adds a site whose config (key made in the browser) is shown once with a QR code, takes a plant out, removes the client', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems, DESKTOP);
    await openOrgTab(page, 'Organization VPNs');
    await page.getByRole('button', { name: 'New organization VPN' }).click();
    const create = page.getByRole('dialog', { name: 'New organization VPN' });
    await create.getByLabel('Name').fill('control room');
    await create.getByLabel('Region').fill('demo');
    await create.getByLabel('Plants (optional)').fill('Park A');
    await create.getByRole('button', { name: 'Create' }).click();
    await create.waitFor({ state: 'detached' });
    const vpn = page.getByRole('region', { name: 'Organization VPN control room' });
    await vpn.getByTestId('org-vpn-routes').getByText('Park A').first().waitFor();
    assert.match((await vpn.getByTestId('org-vpn-routes').textContent()) ?? '', /192\.168\.1\.0\/24.*yes/);
    // Park B on the same range: both mapped only.
    await vpn.getByLabel('Route a plant').fill('Park B');
    await vpn.getByRole('button', { name: 'Add plant' }).click();
    await vpn.getByTestId('org-vpn-routes').getByText('Park B').first().waitFor();
    assert.ok((await vpn.getByTestId('org-vpn-routes').getByText('no (overlaps another plant of this VPN)').count()) >= 2);
    await expectAccessible(page, 'org-vpn-list');

    await vpn.getByRole('button', { name: 'Add client' }).click();
    const add = page.getByRole('dialog', { name: 'Add a client to control room' });
    await add.getByLabel('Name').fill('hq');
    await add.getByLabel('Networks behind the router').fill('192.168.0.0/16');
    await add.getByRole('button', { name: 'Add client' }).click();
    await add.getByRole('alert').getByText(/overlaps 192\.168\.1\.0\/24, plant subnet of "Park A"/).waitFor();
    await add.getByLabel('Networks behind the router').fill('10.50.0.0/24');
    await add.getByRole('button', { name: 'Add client' }).click();
    const shown = page.getByRole('dialog', { name: 'Configuration of hq' });
    await shown.getByText('Shown only now').waitFor();
    const config = await shown.getByTestId('client-config').inputValue();
    const privateKey = /PrivateKey = (\S+)/.exec(config)?.[1] as string;
    assert.ok(privateKey, config);
    assert.match(config, /AllowedIPs = 100\.80\.0\.0\/12, 10\.20\.30\.0\/24\n/, 'native only for the subnet without a conflict in this VPN (P5)');
    assert.match(config, /Endpoint = \S+:\d+/);
    await shown.getByRole('img', { name: 'QR code of the configuration of hq' }).waitFor();
    await expectAccessible(page, 'org-vpn-client-config');
    const stored = await server.ctx.store.db.selectFrom('org_vpn_clients').select('public_key').where('name', '=', 'hq').executeTakeFirstOrThrow();
    assert.equal(stored.public_key, wireGuardPublicKey(privateKey), 'the server holds the public half of the key made in the browser');
    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(privateKey), 'the key is gone with the dialog');
    const client = vpn.locator('[data-testid="org-vpn-client"][data-client="hq"]');
    assert.match((await client.textContent()) ?? '', /site.*10\.50\.0\.0\/24/);

    await vpn.getByRole('button', { name: 'Remove plant Park B from control room' }).click();
    await vpn.getByTestId('org-vpn-routes').getByText('Park B').first().waitFor({ state: 'detached' });
    assert.match((await vpn.getByTestId('org-vpn-routes').textContent()) ?? '', /192\.168\.1\.0\/24.*yes/, 'Park A native again');
    await client.getByRole('button', { name: 'Remove client hq' }).click();
    await client.waitFor({ state: 'detached' });
    await context.close();
  });

  test('O1 with P9: an Admin creates an OpenVPN VPN; a device client\u2019s key and CSR are made in the browser, its .ovpn is shown once and downloaded; the key never leaves', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems, DESKTOP);
    const sent: string[] = [];
    context.on('request', (r) => sent.push(r.postData() ?? ''));
    await openOrgTab(page, 'Organization VPNs');
    await page.getByRole('button', { name: 'New organization VPN' }).click();
    const create = page.getByRole('dialog', { name: 'New organization VPN' });
    await create.getByLabel('Name').fill('ovpn office');
    await create.getByLabel('Region').fill('demo');
    await create.getByLabel('Plants (optional)').fill('Park A');
    await create.getByText('OpenVPN (certificate)').click();
    await create.getByRole('button', { name: 'Create' }).click();
    await create.waitFor({ state: 'detached' });
    const vpn = page.getByRole('region', { name: 'Organization VPN ovpn office' });
    await vpn.getByText(/· OpenVPN ·/).waitFor();
    await vpn.getByRole('button', { name: 'Add client' }).click();
    const add = page.getByRole('dialog', { name: 'Add a client to ovpn office' });
    await add.getByLabel('Name').fill('team-pc');
    await add.getByText('Device (a shared team machine)').click();
    await add.getByRole('button', { name: 'Add client' }).click();
    const shown = page.getByRole('dialog', { name: 'Configuration of team-pc' });
    await shown.getByText('Shown only now').waitFor();
    assert.equal(await shown.getByRole('img', { name: /QR code/ }).count(), 0, 'no QR code for an .ovpn (too large): the file is imported');
    await expectAccessible(page, 'org-vpn-openvpn-client-config');
    const download = page.waitForEvent('download');
    await shown.getByRole('button', { name: /^Download .*\.ovpn$/ }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'ovpn-office-team-pc.ovpn');
    const text = readFileSync(await file.path(), 'utf8');
    assert.equal(text, await shown.getByTestId('client-config').inputValue(), 'download and display are the same file');
    for (const line of ['client', 'dev tun', 'remote-cert-tls server']) assert.ok(text.split('\n').includes(line), line);
    const inline = (tag: string) => new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(text)?.[1] as string;
    const cert = new X509Certificate(inline('cert'));
    assert.ok(cert.checkPrivateKey(createPrivateKey(inline('key'))), 'the key made in the browser is the certified one');
    assert.ok(cert.verify(new X509Certificate(inline('ca')).publicKey), 'signed by the user CA in the file');
    const stored = await server.ctx.store.db.selectFrom('org_vpn_clients').select(['public_key', 'cert_serial']).where('name', '=', 'team-pc').executeTakeFirstOrThrow();
    assert.equal(stored.cert_serial, cert.serialNumber.toLowerCase().replace(/^0+/, ''));
    assert.equal(stored.public_key, `openvpn:${stored.cert_serial}`);
    assert.ok(!sent.some((body) => body.includes('PRIVATE KEY')), 'the private key never left the browser');
    assert.ok(sent.some((body) => body.includes('CERTIFICATE REQUEST')), 'the CSR was sent');
    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(inline('key').split('\n')[1] as string), 'the key is gone with the dialog');
    const client = vpn.locator('[data-testid="org-vpn-client"][data-client="team-pc"]');

    // P7's view for the client: a gateway of the region reports it connected (its OpenVPN connect time and bytes)
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const enrolment = await op.post('/api/v1/admin/gateways/enrolments', { region: 'demo' });
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    const now = Math.floor(Date.now() / 1000);
    const peer = { publicKey: stored.public_key, endpoint: '198.51.100.20:51000', latestHandshake: now, rxBytes: 4096, txBytes: 8192, connectedSince: now - 60 };
    const status = await http(server.url, enrolled.body.credential).post(`/api/v1/gateways/${enrolled.body.id}/status`, { appliedRevision: 1, version: 'test', lastError: null, peers: [peer] });
    assert.equal(status.status, 204, JSON.stringify(status.body));
    await server.ctx.daemonStatus.flush();
    await client.getByRole('button', { name: 'Sessions of client team-pc' }).click();
    const sessions = page.getByRole('dialog', { name: 'Sessions of team-pc' });
    const row = sessions.getByTestId('session-row');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Connected.*198\.51\.100\.20:51000.*4\.00 KiB.*8\.00 KiB.*demo/);
    await expectAccessible(page, 'org-vpn-client-sessions');
    await sessions.getByRole('button', { name: 'Close' }).click();
    await sessions.waitFor({ state: 'detached' });

    await client.getByRole('button', { name: 'Remove client team-pc' }).click();
    await client.waitFor({ state: 'detached' });
    await context.close();
  });

  test('O1 access: a Member sees the VPNs but is offered no change (and the API refuses one); a Guest has no tab', async () => {
    const bob = await signIn(browser, server.url, USERS.bob, problems, DESKTOP);
    await openOrgTab(bob.page, 'Organization VPNs');
    await bob.page.getByRole('region', { name: 'Organization VPN control room' }).waitFor();
    assert.equal(await bob.page.getByRole('button', { name: 'New organization VPN' }).count(), 0);
    assert.equal(await bob.page.getByRole('button', { name: 'Add client' }).count(), 0);
    await bob.page.setViewportSize(PHONE);
    await expectAccessible(bob.page, 'org-vpn-member-phone');
    const orgs = await server.ctx.fleet.current();
    const solar = [...orgs.organizations.values()].find((o) => o.name === 'SolarCo');
    const refused = await pageFetch(bob.page, 'POST', `/orgs/${solar?.id}/org-vpns/control%20room/clients`, { name: 'x', kind: 'device' });
    assert.equal(refused.status, 403);
    await bob.context.close();
    const dave = await signIn(browser, server.url, USERS.dave, problems, DESKTOP);
    await dave.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
    await dave.page.getByTestId('my-org-role').waitFor();
    assert.equal(await dave.page.getByRole('link', { name: 'Organization VPNs' }).count(), 0);
    await dave.context.close();
  });
});
