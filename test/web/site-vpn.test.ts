import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { ensureWebBuilt, launchChromium } from './browser.ts';
import { loadWebFleet, USERS } from './fleet.ts';
import { DESKTOP, expectAccessible, openOrgTab, PHONE, pageFetch, signIn } from './org-session.ts';
import { card, openPlantTab, step, upload } from './site-vpn-session.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** A router's WireGuard export as FRITZ!Box-style firmware writes it: a default route and, optionally, a PostUp hook. */
function routerConf(options: { postUp: boolean }): { text: string; postUpLine: number } {
  const agent = generateWireGuardKeyPair();
  const router = generateWireGuardKeyPair();
  const lines = [
    '[Interface]',
    `PrivateKey = ${agent.privateKey}`,
    'Address = 10.99.0.2/32',
    'DNS = 192.168.178.1',
    ...(options.postUp ? ['PostUp = iptables -A FORWARD -i %i -j ACCEPT'] : []),
    '',
    '[Peer]',
    `PublicKey = ${router.publicKey}`,
    'Endpoint = 192.0.2.10:51820',
    'AllowedIPs = 10.40.0.0/24, 0.0.0.0/0',
    'PersistentKeepalive = 25',
    '',
  ];
  return { text: lines.join('\n'), postUpLine: lines.findIndex((l) => l.startsWith('PostUp')) + 1 };
}

/**
 * The plant's Site VPN and User VPN tabs (issue 9 "Web UI", SPEC D3, D6–D10), driven in
 * Chromium against the real server and its own parsers and subnet rules.
 */
describe('site VPN tabs (issue 9)', () => {
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

  test('D3/D5: the wizard refuses a PostUp upload naming the line; without it the default route is stripped in the review; Apply shows the Client card', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems, DESKTOP);
    await openPlantTab(page, 'Park A', 'Site VPN');
    await page.getByText('Park A has no direct VPN').waitFor();
    await page.getByRole('button', { name: 'Add direct VPN' }).click();
    const wizard = page.getByRole('dialog', { name: 'Add a direct VPN to Park A' });
    await step(page, 'Direction');
    await expectAccessible(page, 'site-vpn-wizard-direction');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Basics');
    await wizard.getByLabel('Name').fill('Router A');
    await wizard.getByLabel('Description (optional)').fill('FRITZ!Box in the substation');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Connection');

    const withHook = routerConf({ postUp: true });
    await upload(page, 'fritzbox.conf', withHook.text);
    await wizard.getByRole('button', { name: 'Next' }).click();
    const refusal = wizard.getByText(new RegExp(`line ${withHook.postUpLine} \\(PostUp\\)`));
    await refusal.waitFor();
    await step(page, 'Connection');
    await expectAccessible(page, 'site-vpn-wizard-postup-refused');

    await upload(page, 'fritzbox.conf', routerConf({ postUp: false }).text);
    await refusal.waitFor({ state: 'detached' });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Subnets');
    assert.match((await page.getByTestId('stripped-notice').textContent()) ?? '', /0\.0\.0\.0\/0/, 'the subnet step says the default route was removed');
    assert.equal(await wizard.getByLabel('Plant subnet 1').inputValue(), '10.40.0.0/24', 'the upload’s own range is proposed');
    // D4 inline: Park A's own 192.168.1.0/24 is refused under the field, naming its owner.
    await wizard.getByRole('button', { name: 'Add a subnet' }).click();
    await wizard.getByLabel('Plant subnet 2').fill('192.168.1.0/24');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByText(/192\.168\.1\.0\/24 overlaps .*SolarCo/).waitFor();
    await step(page, 'Subnets');
    await expectAccessible(page, 'site-vpn-wizard-subnet-refused');
    await wizard.getByRole('button', { name: 'Remove subnet 2' }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Review');
    const review = (await page.getByTestId('review').textContent()) ?? '';
    assert.match(review, /Outgoing \(Client\)/);
    assert.match(review, /10\.40\.0\.0\/24/);
    assert.match(
      (await page.getByTestId('stripped-notice').textContent()) ?? '',
      /0\.0\.0\.0\/0 \(line \d+\)/,
      'the review names the stripped default route and its line',
    );
    assert.match((await page.getByTestId('ignored-notice').textContent()) ?? '', /DNS \(line 4\)/, 'the host-shaping DNS line is reported as ignored');
    await expectAccessible(page, 'site-vpn-wizard-review');
    await wizard.getByRole('button', { name: 'Apply' }).click();
    await wizard.waitFor({ state: 'detached' });

    const created = card(page, 'Router A');
    await created.waitFor();
    assert.equal(await created.getByTestId('vpn-role').textContent(), 'Client');
    assert.match((await created.getByTestId('vpn-subnets').textContent()) ?? '', /^10\.40\.0\.0\/24\s*$/, 'only the chosen range, never the default route');
    assert.match((await created.getByTestId('vpn-agent-public-key').textContent()) ?? '', /^[A-Za-z0-9+/]{43}=$/, 'the card shows the key to enter as the router\u2019s peer');
    assert.match((await created.getByRole('status', { name: 'Connection of Router A' }).textContent()) ?? '', /Connecting|Down|Unknown|Connected/);
    await expectAccessible(page, 'site-vpn-card');
    const stored = await pageFetch(page, 'GET', `/plants/${encodeURIComponent('Park A')}/direct-vpns/${encodeURIComponent('Router A')}`);
    assert.equal(stored.status, 200);
    await context.close();
  });

  test('D2/D3: an OpenVPN upload from legacy firmware: advanced settings win, redirect-gateway stripped, the username and password asked for in the review', async () => {
    const ovpn = readFileSync(new URL('../../src/core/direct-vpn/corpus/mikrotik-openvpn.ovpn', import.meta.url), 'utf8');
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems, DESKTOP);
    await openPlantTab(page, 'Park C', 'Site VPN');
    await page.getByRole('button', { name: 'Add direct VPN' }).click();
    const wizard = page.getByRole('dialog', { name: 'Add a direct VPN to Park C' });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Name').fill('MikroTik C');
    await wizard.getByText('OpenVPN', { exact: true }).click();
    await wizard.getByLabel('Transport').selectOption('tcp');
    await wizard.getByText(/^Advanced: match a legacy router/).click();
    await wizard.getByLabel('Minimum TLS version').selectOption('1.0');
    await wizard.getByLabel('Compression').fill('comp-lzo');
    await expectAccessible(page, 'site-vpn-wizard-openvpn-advanced');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Connection');
    await upload(page, 'mikrotik.ovpn', ovpn);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Subnets');
    // The upload's only route was the default one: the server's word for it opens the step.
    await wizard.getByText(/default route \(redirect-gateway def1, line \d+\) was removed; name the plant subnets/).waitFor();
    await expectAccessible(page, 'site-vpn-wizard-openvpn-subnets');
    await wizard.getByLabel('Plant subnet 1').fill('10.70.0.0/24');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Review');
    const review = (await page.getByTestId('review').textContent()) ?? '';
    assert.match(review, /OpenVPN over TCP/);
    assert.match(review, /AES-256-CBC · SHA1 · TLS ≥ 1\.0 · comp-lzo/, 'the upload’s cipher and digest with the advanced TLS and compression');
    assert.match((await page.getByTestId('stripped-notice').textContent()) ?? '', /redirect-gateway/, 'the review names the stripped redirect-gateway');
    await page.getByTestId('credentials').waitFor();
    await wizard.getByLabel('Username').fill('plantgate');
    await wizard.getByRole('textbox', { name: 'Password' }).fill('router-secret-7');
    await wizard.getByRole('button', { name: 'Apply' }).click();
    await wizard.waitFor({ state: 'detached' });
    const mikrotik = card(page, 'MikroTik C');
    await mikrotik.waitFor();
    assert.match((await mikrotik.textContent()) ?? '', /OpenVPN over TCP[\s\S]*198\.51\.100\.30:1194[\s\S]*10\.70\.0\.0\/24/);
    const read = await page.evaluate(async () => (await fetch('/api/v1/plants/Park%20C/direct-vpns')).text());
    assert.ok(!read.includes('router-secret-7'), 'the password is in no read');
    await context.close();
  });

  test('D7/D8: the card menu edits subnets with the device warning first, disables, and deletes with the consequences named', async () => {
    const alice = http(server.url, await login(server.url, USERS.alice.email, USERS.alice.password));
    const device = await alice.post('/api/v1/orgs/SolarCo/plants/Park%20A/devices', { name: 'rtu-7', ip: '10.40.0.7', kind: 'rtu', ports: [502] });
    assert.equal(device.status, 201, JSON.stringify(device.body));
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems, DESKTOP);
    await openPlantTab(page, 'Park A', 'Site VPN');
    const router = card(page, 'Router A');
    await router.waitFor();

    // The menu is a keyboard one: Enter opens it, the items are reachable, Escape closes it.
    await router.getByRole('button', { name: 'Actions for Router A' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Edit' }).waitFor();
    // Escape closes it; under load a press can land before the opened menu has taken focus, so
    // it is pressed again (as a user would), at most three times.
    for (let press = 0; press < 3; press++) {
      await page.keyboard.press('Escape');
      const closed = await page.getByRole('menuitem', { name: 'Edit' }).waitFor({ state: 'detached', timeout: 3000 }).then(() => true, () => false);
      if (closed) break;
    }
    await page.getByRole('menuitem', { name: 'Edit' }).waitFor({ state: 'detached', timeout: 1000 });

    // D7 edit of endpoint and keys: a new upload, refused like on create, then accepted.
    await router.getByRole('button', { name: 'Actions for Router A' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const reupload = page.getByRole('dialog', { name: 'Edit Router A' });
    const hooked = routerConf({ postUp: true });
    await upload(page, 'new-router.conf', hooked.text);
    await reupload.getByRole('button', { name: 'Save' }).click();
    await reupload.getByText(new RegExp(`line ${hooked.postUpLine} \\(PostUp\\)`)).waitFor();
    await expectAccessible(page, 'site-vpn-edit-upload-refused');
    await upload(page, 'new-router.conf', routerConf({ postUp: false }).text.replace('192.0.2.10:51820', '198.51.100.30:51820'));
    await reupload.getByRole('button', { name: 'Save' }).click();
    await reupload.waitFor({ state: 'detached' });
    await router.getByText('198.51.100.30:51820').waitFor();
    assert.deepEqual((await alice.get('/api/v1/plants/Park%20A/direct-vpns/Router%20A')).body.subnets, ['10.40.0.0/24'], 'the subnets stay');

    await router.getByRole('button', { name: 'Actions for Router A' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Router A' });
    await edit.getByLabel('Plant subnet 1').fill('10.41.0.0/24');
    await edit.getByRole('button', { name: 'Save' }).click();
    const warning = edit.getByTestId('devices-warning');
    await warning.waitFor();
    assert.match((await warning.textContent()) ?? '', /rtu-7 \(10\.40\.0\.7\)/);
    await expectAccessible(page, 'site-vpn-edit-device-warning');
    const before = await alice.get('/api/v1/plants/Park%20A/direct-vpns/Router%20A');
    assert.deepEqual(before.body.subnets, ['10.40.0.0/24'], 'nothing changed before the confirmation');
    await edit.getByRole('button', { name: 'Remove subnets and devices' }).click();
    await edit.waitFor({ state: 'detached' });
    await router.getByTestId('vpn-subnets').filter({ hasText: '10.41.0.0/24' }).waitFor();

    await router.getByRole('button', { name: 'Actions for Router A' }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    await page.locator('[data-testid="direct-vpn-card"][data-vpn="Router A"][data-state="disabled"]').waitFor();
    assert.equal((await alice.get('/api/v1/plants/Park%20A/direct-vpns/Router%20A')).body.enabled, false);
    await router.getByRole('button', { name: 'Actions for Router A' }).click();
    await page.getByRole('menuitem', { name: 'Enable' }).click();
    await page.locator('[data-testid="direct-vpn-card"][data-vpn="Router A"]:not([data-state="disabled"])').waitFor();

    await router.getByRole('button', { name: 'Actions for Router A' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Router A?' });
    assert.match((await confirm.textContent()) ?? '', /10\.41\.0\.0\/24 leave the plant/);
    await confirm.getByRole('button', { name: 'Delete direct VPN' }).click();
    await router.waitFor({ state: 'detached' });
    assert.equal((await alice.get('/api/v1/plants/Park%20A/direct-vpns/Router%20A')).status, 404);
    await context.close();
  });

  test('D7: the card follows the agent’s reports without a reload; logs, diagnose while not connected, restart', async () => {
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const enrolment = await op.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park B' });
    assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
    const enrolled = (await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token })).body;
    const agent = http(server.url, enrolled.credential);
    assert.equal((await agent.post(`/api/v1/agents/${enrolled.id}/register`, { publicKey: generateWireGuardKeyPair().publicKey })).status, 200);
    const keys = { agent: generateWireGuardKeyPair(), router: generateWireGuardKeyPair() };
    const config = `[Interface]\nPrivateKey = ${keys.agent.privateKey}\nAddress = 10.99.0.4/32\n\n[Peer]\nPublicKey = ${keys.router.publicKey}\nEndpoint = 192.0.2.12:51820\nAllowedIPs = 10.60.0.0/24\n`;
    const made = await op.post('/api/v1/plants/Park%20B/direct-vpns', { name: 'Router B', direction: 'outgoing', protocol: 'wireguard', config });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const vpnId = made.body.vpn.id as string;
    const since = new Date(Date.now() - 180_000).toISOString();
    const report = (fields: Record<string, unknown>) =>
      agent.post(`/api/v1/agents/${enrolled.id}/status`, {
        appliedRevision: 1,
        version: 'test',
        peers: [],
        lastError: null,
        directVpns: [{ id: vpnId, since, bytesIn: 0, bytesOut: 0, ...fields }],
      });

    const { context, page } = await signIn(browser, server.url, USERS.alice, problems, DESKTOP);
    await openPlantTab(page, 'Park B', 'Site VPN');
    await page.locator('[data-testid="direct-vpn-card"][data-vpn="Router B"][data-state="unknown"]').waitFor();
    await page.evaluate('window.__sameDocument = true');

    const checks = [{ check: 'handshake', ok: false, detail: 'no handshake with 192.0.2.12:51820 yet', fix: 'check that the router listens on UDP 51820' }];
    assert.equal((await report({ state: 'connecting', checks, logs: [{ at: since, text: 'pgv interface up, waiting for handshake' }] })).status, 204);
    const router = card(page, 'Router B');
    await page.locator('[data-testid="direct-vpn-card"][data-vpn="Router B"][data-state="connecting"]').waitFor({ timeout: 12_000 });
    assert.match((await router.getByRole('status', { name: 'Connection of Router B' }).textContent()) ?? '', /Connecting for 3 min/);
    await router.getByRole('button', { name: 'Actions for Router B' }).click();
    await page.getByRole('menuitem', { name: 'Diagnose' }).click();
    const diagnose = page.getByRole('dialog', { name: 'Diagnose Router B' });
    await diagnose.getByText('Fix: check that the router listens on UDP 51820').waitFor();
    await expectAccessible(page, 'site-vpn-diagnose');
    await diagnose.getByRole('button', { name: 'Close' }).first().click();
    await router.getByRole('button', { name: 'Actions for Router B' }).click();
    await page.getByRole('menuitem', { name: 'Open logs' }).click();
    const logs = page.getByRole('dialog', { name: 'Logs of Router B' });
    await logs.getByText(/pgv interface up, waiting for handshake/).waitFor();
    await expectAccessible(page, 'site-vpn-logs');
    await page.keyboard.press('Escape');
    await logs.waitFor({ state: 'detached' });

    assert.equal((await report({ state: 'connected', bytesIn: 3 * 1024 * 1024, bytesOut: 2048 })).status, 204);
    await page.locator('[data-testid="direct-vpn-card"][data-vpn="Router B"][data-state="connected"]').waitFor({ timeout: 12_000 });
    assert.match((await router.getByTestId('vpn-traffic').textContent()) ?? '', /↓ 3\.0 MiB .*↑ 2\.0 KiB/);
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'updated in place, no reload');
    await router.getByRole('button', { name: 'Actions for Router B' }).click();
    assert.equal(await page.getByRole('menuitem', { name: 'Diagnose' }).count(), 0, 'no Diagnose while connected');
    const generation = async () =>
      (await agent.get(`/api/v1/agents/${enrolled.id}/state`)).body.directVpns.find((v: { id: string }) => v.id === vpnId).restartGeneration as number;
    const before = await generation();
    await page.getByRole('menuitem', { name: 'Restart VPN' }).click();
    await router.getByText('Restart requested').waitFor();
    assert.equal(await generation(), before + 1, 'the agent’s document asks for the restart');
    await context.close();
  });

  test('D10: a cooperation partner sees the tunnels read only; a Viewer sees no tab and the API refuses', async () => {
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const agent = generateWireGuardKeyPair();
    const router = generateWireGuardKeyPair();
    const config = `[Interface]\nPrivateKey = ${agent.privateKey}\nAddress = 10.99.0.3/32\n\n[Peer]\nPublicKey = ${router.publicKey}\nEndpoint = 192.0.2.11:51820\nAllowedIPs = 10.42.0.0/24\n`;
    const made = await op.post('/api/v1/plants/Park%20A/direct-vpns', { name: 'Substation', direction: 'outgoing', protocol: 'wireguard', config });
    assert.equal(made.status, 201, JSON.stringify(made.body));

    const partner = await signIn(browser, server.url, USERS.carol, problems, DESKTOP);
    await openOrgTab(partner.page, 'Cooperations');
    await partner.page.locator('[data-testid="shared-plant"][data-plant="Park A"]').getByRole('link', { name: 'Park A' }).click();
    await partner.page.getByRole('heading', { name: 'Site VPN', level: 2 }).waitFor();
    await card(partner.page, 'Substation').waitFor();
    await partner.page.getByTestId('read-only-note').waitFor();
    assert.equal(await partner.page.getByRole('button', { name: 'Add direct VPN' }).count(), 0, 'no Add for a partner');
    assert.equal(await partner.page.getByRole('button', { name: /^Actions for/ }).count(), 0, 'no card menu for a partner');
    await expectAccessible(partner.page, 'site-vpn-partner-read-only');
    await partner.page.getByRole('link', { name: 'User VPN' }).click();
    await partner.page.getByRole('heading', { name: 'User VPN', level: 2 }).waitFor();
    assert.equal(await partner.page.getByRole('button', { name: 'Add user' }).count(), 0);
    const refused = await pageFetch(partner.page, 'POST', '/plants/Park%20A/direct-vpns/Substation/disable');
    assert.equal(refused.status, 403, 'the API refuses what the page does not offer');
    await partner.context.close();

    // An own Member with a job role (bob, Operator on Park A) reads too, and changes nothing.
    const member = await signIn(browser, server.url, USERS.bob, problems, DESKTOP);
    await openPlantTab(member.page, 'Park A', 'Site VPN');
    await card(member.page, 'Substation').waitFor();
    await member.page.getByTestId('read-only-note').waitFor();
    assert.equal(await member.page.getByRole('button', { name: /^Actions for/ }).count(), 0, 'no card menu for an Operator');
    await member.context.close();

    const viewer = await signIn(browser, server.url, USERS.vera, problems, DESKTOP);
    await openOrgTab(viewer.page, 'Plants');
    await viewer.page.locator('[data-testid="plant-row"][data-plant="Park A"]').getByRole('link', { name: 'Park A' }).click();
    await viewer.page.getByTestId('plant-name').filter({ hasText: 'Park A' }).waitFor();
    await viewer.page.getByTestId('shared-with').waitFor();
    assert.equal(await viewer.page.getByRole('navigation', { name: 'Park A tabs' }).count(), 0, 'no plant tabs for a Viewer');
    assert.equal(await viewer.page.getByRole('link', { name: 'Site VPN' }).count(), 0);
    // A typed address of the tab shows the overview, not the tunnels.
    await viewer.page.goto(`${viewer.page.url()}/site-vpn`);
    await viewer.page.getByTestId('shared-with').waitFor();
    assert.equal(await viewer.page.getByTestId('direct-vpn-card').count(), 0);
    assert.equal((await pageFetch(viewer.page, 'GET', '/plants/Park%20A/direct-vpns')).status, 403);
    await viewer.context.close();
  });

  test('390 px: the Site VPN tab and the wizard fit a phone, without horizontal scrolling', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.mona, problems, PHONE);
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('navigation', { name: 'Main (mobile)' }).getByRole('link', { name: 'Organization' }).click();
    await page
      .getByRole('navigation', { name: /pages$/ })
      .getByRole('link', { name: 'Plants', exact: true })
      .click();
    await page.locator('[data-testid="plant-row"][data-plant="Park A"]').getByRole('link', { name: 'Park A' }).click();
    await page.getByRole('navigation', { name: 'Park A tabs' }).getByRole('link', { name: 'Site VPN' }).click();
    await card(page, 'Substation').waitFor();
    await expectAccessible(page, 'site-vpn-phone');
    const width = async () => (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok((await width()) <= PHONE.width, `the page is ${await width()} px wide`);
    await page.getByRole('button', { name: 'Add direct VPN' }).click();
    await step(page, 'Direction');
    await expectAccessible(page, 'site-vpn-wizard-phone');
    assert.ok((await width()) <= PHONE.width, `the wizard is ${await width()} px wide`);
    // Escape closes the wizard (a keyboard dialog).
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Add a direct VPN to Park A' }).waitFor({ state: 'detached' });
    await context.close();
  });

  test('issue 9 item 1: entered by hand — a bad router key is refused on its input; without a private key the card shows the public key for the router', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems, DESKTOP);
    await openPlantTab(page, 'Park C', 'Site VPN');
    await page.getByRole('button', { name: 'Add direct VPN' }).click();
    const wizard = page.getByRole('dialog', { name: 'Add a direct VPN to Park C' });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Name').fill('Router by hand');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Connection');
    await wizard.getByText('Enter by hand').click();
    await wizard.getByLabel('Router endpoint (host:port)').fill('192.0.2.20:51820');
    await wizard.getByLabel('Router public key').fill('not-a-key');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByText(/PublicKey is not a WireGuard key/).waitFor();
    await step(page, 'Connection');
    await wizard.getByLabel('Router public key').fill(generateWireGuardKeyPair().publicKey);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Subnets');
    await wizard.getByLabel('Plant subnet 1').fill('10.75.0.0/24');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Review');
    await wizard.getByRole('button', { name: 'Apply' }).click();
    await wizard.waitFor({ state: 'detached' });
    const created = card(page, 'Router by hand');
    await created.waitFor();
    assert.match((await created.getByTestId('vpn-agent-public-key').textContent()) ?? '', /^[A-Za-z0-9+/]{43}=$/);
    assert.match((await created.getByTestId('vpn-subnets').textContent()) ?? '', /^10\.75\.0\.0\/24\s*$/);
    await context.close();
  });
});
