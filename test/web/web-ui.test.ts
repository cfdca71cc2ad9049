import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { renderProfileConf } from '../../src/core/render/profile-conf.ts';
import { generateWireGuardKeyPair, wireGuardPublicKey } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { describeViolations, ensureWebBuilt, launchChromium, screenshot, seriousAxeViolations } from './browser.ts';
import { USERS, loadWebFleet } from './fleet.ts';
import { parseWireGuardConf } from './wireguard-file.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Sent = { url: string; body: string; headers: string };

/**
 * The web UI in Debian's Chromium against a real control plane on a temporary SQLite
 * database (issue 8): one server and one browser for the whole file.
 */
describe('web UI in Chromium', () => {
  let server: Server;
  let browser: Browser;
  const consoleProblems: string[] = [];

  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
    await loadWebFleet(server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh browser profile signed in as `user`; every request it sends is recorded. */
  async function signedIn(user: { email: string; password: string }, viewport = { width: 1280, height: 800 }) {
    const context = await browser.newContext({ acceptDownloads: true, viewport });
    const sent: Sent[] = [];
    context.on('request', (r) => sent.push({ url: r.url(), body: r.postData() ?? '', headers: JSON.stringify(r.headers()) }));
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      // Refusals (401 before sign-in, a wrong code) are part of the flows and asserted there.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleProblems.push(`${user.email}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleProblems.push(`${user.email}: ${e.message}`));
    await page.goto(server.url);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel(/^Password/).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Personal VPN', level: 1 }).waitFor();
    return { context, page, sent };
  }

  async function expectAccessible(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, `${name}: ${describeViolations(violations)}`);
  }

  test('every answer carries the security headers; the UI is served with an SPA fallback and long-cached assets', async () => {
    const page = await fetch(`${server.url}/routes`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const html = await page.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in index.html');
    const script = /<script[^>]*src="([^"]+)"/.exec(html)?.[1];
    assert.ok(script, 'index.html loads its script by URL');
    const asset = await fetch(`${server.url}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    const api = await fetch(`${server.url}/api/v1/nope`);
    assert.equal(api.status, 404);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'not-found', 'unknown /api paths stay JSON errors, not the app');
    assert.ok((api.headers.get('content-security-policy') ?? '').includes("frame-ancestors 'none'"));
  });

  test('S1: sign in with a password puts the session in an HttpOnly SameSite=Strict cookie, never in storage; sign out ends it', async () => {
    const { context, page, sent } = await signedIn(USERS.bob);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'pg_session');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await page.evaluate("document.cookie.includes('pg_session')"), false, 'the page cannot read the session token');
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.equal(storage, '{}{}');
    assert.ok(!sent.some((r) => r.url.includes(session.value)), 'the token is in no URL');
        await expectAccessible(page, 'personal-vpn-empty');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to plantgate' }).waitFor();
    assert.equal((await context.cookies()).find((c) => c.name === 'pg_session'), undefined, 'sign-out removes the cookie');
    const reuse = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${session.value}` } });
    assert.equal(reuse.status, 401, 'sign-out revoked the session token itself');
    await expectAccessible(page, 'sign-in');
    await context.close();
  });

  test('a cookie-authenticated change without the CSRF header, or from another origin, is refused; bearer tokens still work', async () => {
    const { context, page } = await signedIn(USERS.bob);
    const withoutHeader = (await page.evaluate(async () => {
      const r = await fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
      return { status: r.status, body: await r.json() };
    })) as { status: number; body: { error: { code: string } } };
    assert.equal(withoutHeader.status, 403);
    assert.equal(withoutHeader.body.error.code, 'csrf');
    const cookies = await context.cookies();
    const cookieHeader = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = cookies.find((c) => c.name === 'pg_csrf')?.value ?? '';
    const foreign = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { cookie: cookieHeader, 'x-plantgate-csrf': csrf, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    assert.equal(foreign.status, 403);
    const same = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { cookie: cookieHeader, 'x-plantgate-csrf': csrf, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-the-page' }),
    });
    assert.equal(same.status, 201);
    const bearer = await login(server.url, USERS.bob.email, USERS.bob.password);
    assert.equal((await http(server.url, bearer).post('/api/v1/tokens', { name: 'cli' })).status, 201, 'the CLI needs no CSRF header');

    // The session ends elsewhere: the page's next read gets 401 and shows the sign-in page.
    const ended = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie: cookieHeader, 'x-plantgate-csrf': csrf } });
    assert.equal(ended.status, 204);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Sign in to plantgate' }).waitFor();
    await context.close();
  });

  test('S1: a TOTP second factor is enrolled with its QR code on the account page and asked for at the next sign-in', async () => {
    const { context, page } = await signedIn(USERS.carol);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Turn on second factor' }).click();
    await page.getByRole('img', { name: /QR code to add plantgate/ }).waitFor();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    await page.getByLabel('First code').fill('12');
    await page.getByText('must be the 6-digit code').waitFor();
    await page.getByLabel('First code').fill('000000');
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByText('does not match: check the clock').waitFor();
    await expectAccessible(page, 'account-totp');
    await page.getByLabel('First code').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByText('Second factor on').waitFor();
    const recoveryCodes = ((await page.getByTestId('recovery-codes').textContent()) ?? '').split('\n');
    assert.ok(recoveryCodes.length >= 5, `recovery codes shown once (${recoveryCodes.length})`);
    await expectAccessible(page, 'account-totp-on');
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByLabel('Email').fill(USERS.carol.email);
    await page.getByLabel(/^Password/).fill(USERS.carol.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authenticator code').waitFor();
    await page.getByLabel('Authenticator code').fill('123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('does not match or was used already').waitFor();
    // The confirming code's time step is spent; the next step's code is within the allowed drift.
    await page.getByLabel('Authenticator code').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/account', 'signing in again keeps the page you were on');

    // A recovery code instead of the authenticator (one use).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(USERS.carol.email);
    await page.getByLabel(/^Password/).fill(USERS.carol.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authenticator code').fill(recoveryCodes[0] as string);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await context.close();
  });

  test('S1: a one-time password set by an operator is replaced at sign-in, then the user is in', async () => {
    const operator = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const reset = await operator.post(`/api/v1/admin/users/${encodeURIComponent(USERS.bob.email)}/password`, {});
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    const oneTime = reset.body.password as string;
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(server.url);
    await page.getByLabel('Email').fill(USERS.bob.email);
    await page.getByLabel(/^Password/).fill(oneTime);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This is a one-time password set by an operator').waitFor();
    await page.getByLabel(/^New password/).fill('bob-own-password-1');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Personal VPN', level: 1 }).waitFor();
    USERS.bob.password = 'bob-own-password-1';
    await context.close();
  });

  test('S1: changing the password on the account page ends the session; the new password signs in', async () => {
    const { context, page } = await signedIn(USERS.dave);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel(/^Current password/).fill(USERS.dave.password);
    await page.getByLabel(/^New password$|^New password \*/).fill('short');
    await page.getByText('must be at least 8 characters').waitFor();
    await page.getByLabel(/^New password$|^New password \*/).fill('dave-new-password-1');
    await page.getByLabel(/^New password again/).fill('dave-new-password-2');
    await page.getByText('does not match the new password').waitFor();
    await page.getByLabel(/^New password again/).fill('dave-new-password-1');
    await expectAccessible(page, 'account-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Every session was signed out').waitFor();
    assert.equal((await fetch(`${server.url}/api/v1/me`, { headers: { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } })).status, 401);
    await page.getByLabel('Email').fill(USERS.dave.email);
    await page.getByLabel(/^Password/).fill('dave-new-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await context.close();
  });

  test('P1–P3: issue, rotate and revoke in the browser; the file holds the key the server knows the public half of; no request carries a private key', async () => {
    // A second region (a documentation address: it is only written into the file, never dialled).
    const operator = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    assert.equal((await operator.post('/api/v1/admin/regions', { name: 'us-east', endpoint: '198.51.100.7:51820' })).status, 201);
    const { context, page, sent } = await signedIn(USERS.alice);
    const api = http(server.url, await login(server.url, USERS.alice.email, USERS.alice.password));

    await page.getByRole('button', { name: 'Issue my WireGuard profile' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Shown only now').waitFor();
    await dialog.getByRole('img', { name: /QR code of the WireGuard configuration/ }).waitFor();
    await expectAccessible(page, 'personal-vpn-issued');
    const download = page.waitForEvent('download');
    await dialog.getByRole('button', { name: /^Download plantgate-/ }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^plantgate-\d+\.\d+\.\d+\.\d+\.conf$/);
    const text = readFileSync(await file.path(), 'utf8');
    assert.equal(text, await dialog.getByRole('textbox', { name: 'WireGuard configuration' }).inputValue(), 'download and display are the same file');
    const conf = parseWireGuardConf(text);
    const privateKey = conf.interface.PrivateKey as string;
    const stored = (await api.get('/api/v1/vpn/profile')).body;
    assert.equal(wireGuardPublicKey(privateKey), stored.profile.publicKey, 'the private key in the file matches the public key the server stored');
    assert.equal(execFileSync('wg', ['pubkey'], { input: `${privateKey}\n`, encoding: 'utf8' }).trim(), stored.profile.publicKey, 'wg agrees');
    assert.equal(conf.interface.Address, `${stored.profile.tunnelIp}/32`);
    assert.equal(conf.peers[0]?.PublicKey, stored.servicePublicKey);
    assert.equal(conf.peers[0]?.Endpoint, '127.0.0.1:51820');
    assert.equal(conf.peers[0]?.AllowedIPs, stored.allowedIps.join(', '));
    assert.match(text, /^# region demo; other regions: us-east 198\.51\.100\.7:51820$/m);
    // Another region: the same key, another endpoint (re-rendered in the page).
    await dialog.getByLabel('Region to dial').selectOption('us-east');
    const otherRegion = parseWireGuardConf(await dialog.getByRole('textbox', { name: 'WireGuard configuration' }).inputValue());
    assert.equal(otherRegion.peers[0]?.Endpoint, '198.51.100.7:51820');
    assert.equal(otherRegion.interface.PrivateKey, privateKey);
    await dialog.getByRole('button', { name: 'I have saved it, close' }).click();
    await page.getByTestId('fact-tunnel-ip').getByText(stored.profile.tunnelIp).waitFor();
    await page.getByTestId('fact-issued').waitFor();
    assert.deepEqual(
      await page.getByTestId('region-endpoint').allTextContents(),
      ['demo127.0.0.1:51820', 'us-east198.51.100.7:51820'],
      'the region endpoints are listed',
    );

    // Per-gateway status: nothing until a gateway reports the peer; then its handshake and bytes.
    await page.getByText('No gateway has seen a handshake yet').waitFor();
    const enrolment = await operator.post('/api/v1/admin/gateways/enrolments', { region: 'demo' });
    assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    const gateway = http(server.url, enrolled.body.credential);
    const handshake = Math.floor(Date.now() / 1000) - 5;
    const report = {
      appliedRevision: 1,
      version: 'web-test',
      lastError: null,
      peers: [{ publicKey: stored.profile.publicKey, endpoint: '203.0.113.5:51000', latestHandshake: handshake, rxBytes: 1_572_864, txBytes: 2048 }],
    };
    assert.equal((await gateway.post(`/api/v1/gateways/${enrolled.body.id}/status`, report)).status, 204);
    await page.reload();
    const gatewayRow = page.locator(`[data-testid="gateway-status-row"][data-gateway="${enrolled.body.name}"]`);
    await gatewayRow.waitFor();
    assert.equal(await gatewayRow.getByTestId('gateway-rx').textContent(), '1.50 MiB', 'bytes the device sent, as the gateway counted them');
    assert.equal(await gatewayRow.getByTestId('gateway-tx').textContent(), '2.00 KiB');
    assert.doesNotMatch((await gatewayRow.textContent()) ?? '', /none yet/, 'the handshake time is shown');
    await expectAccessible(page, 'personal-vpn-status');

    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByText('stops working at once on every gateway').waitFor();
    await page.getByRole('button', { name: 'Rotate and show the new file' }).click();
    const rotatedText = await page.getByRole('dialog').getByRole('textbox', { name: 'WireGuard configuration' }).inputValue();
    const rotatedKey = parseWireGuardConf(rotatedText).interface.PrivateKey as string;
    const afterRotate = (await api.get('/api/v1/vpn/profile')).body;
    assert.notEqual(rotatedKey, privateKey);
    assert.equal(wireGuardPublicKey(rotatedKey), afterRotate.profile.publicKey);
    assert.equal(afterRotate.profile.tunnelIp, stored.profile.tunnelIp, 'P2: same tunnel IP');
    await page.getByRole('button', { name: 'I have saved it, close' }).click();
    await page.getByTestId('fact-rotated').waitFor();
    assert.notEqual(await page.getByTestId('fact-rotated').textContent(), 'never');

    // Dialogs are keyboard-operable: Escape cancels, focus starts on Cancel.
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog', { name: 'Revoke your profile?' }).waitFor();
    assert.equal(await page.evaluate("document.activeElement && document.activeElement.textContent"), 'Cancel');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Revoke your profile?' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('open connections are cut and your configuration file stops working for good').waitFor();
    await screenshot(page, 'personal-vpn-revoke-confirm');
    await page.getByRole('button', { name: 'Revoke now' }).click();
    await page.getByRole('heading', { name: 'You have no personal VPN profile' }).waitFor();
    assert.equal((await api.get('/api/v1/vpn/profile')).status, 404, 'P3: the profile is revoked on the server');

    for (const key of [privateKey, rotatedKey]) {
      const variants = [key, encodeURIComponent(key), key.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')];
      const leaks = sent.filter((r) => variants.some((v) => r.url.includes(v) || r.body.includes(v) || r.headers.includes(v)));
      assert.deepEqual(leaks, [], 'no request carried a private key');
    }
    const keyRequests = sent.filter((r) => r.url.endsWith('/api/v1/vpn/profile') || r.url.endsWith('/api/v1/vpn/profile/rotate'));
    assert.ok(keyRequests.some((r) => r.body.includes(afterRotate.profile.publicKey)), 'the public key was sent');
    await context.close();
  });

  test('P5, P6: a conflict group is marked; picking its priority, disabling and re-enabling a route change the states, and the refresh is explained', async () => {
    // A profile issued from this machine (as the CLI does): its file is what the user refreshes below.
    const alice = http(server.url, await login(server.url, USERS.alice.email, USERS.alice.password));
    const keys = generateWireGuardKeyPair();
    const issued = await alice.post('/api/v1/vpn/profile', { publicKey: keys.publicKey });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const confPath = join(mkdtempSync(join(tmpdir(), 'plantgate-web-conf-')), 'alice.conf');
    const original = renderProfileConf(issued.body, keys.privateKey, issued.body.regions[0], 'issued', new Date());
    writeFileSync(confPath, original.replace(/^(Address = .*)$/m, '$1\nMTU = 1380'));
    const { context, page, sent } = await signedIn(USERS.alice);
    await page.getByRole('link', { name: 'Routes' }).click();
    const row = (plant: string, subnet: string) => page.locator(`[data-testid="route-row"][data-plant="${plant}"][data-subnet="${subnet}"]`);
    await row('Park A', '192.168.1.0/24').waitFor();
    assert.equal(await page.getByTestId('conflict-group').count(), 1);
    assert.match((await page.getByTestId('conflict-group').textContent()) ?? '', /192\.168\.1\.0\/24: unresolved/);
    assert.equal(await row('Park A', '192.168.1.0/24').getAttribute('data-state'), 'conflict');
    assert.equal(await row('Park B', '192.168.1.0/24').getAttribute('data-state'), 'conflict');
    assert.equal(await row('Park C', '172.16.10.0/24').getAttribute('data-state'), 'active');
    // Each device with its address in the route's mapped prefix (host part kept).
    const routeList = (await alice.get('/api/v1/vpn/routes')).body as Array<{ plant: string; subnet: string; mapped: string }>;
    const mappedOf = (plant: string, subnet: string) => (routeList.find((r) => r.plant === plant && r.subnet === subnet)?.mapped ?? '').replace(/\.0\/24$/, '');
    assert.deepEqual(await row('Park A', '192.168.1.0/24').getByTestId('route-device').allTextContents(), [
      `inverter-1 ${mappedOf('Park A', '192.168.1.0/24')}.17 Copy (192.168.1.17, inverter)`,
      `logger ${mappedOf('Park A', '192.168.1.0/24')}.5 Copy (192.168.1.5, data-logger)`,
    ]);
    assert.deepEqual(await row('Park C', '172.16.10.0/24').getByTestId('route-device').allTextContents(), [
      `tracker ${mappedOf('Park C', '172.16.10.0/24')}.9 Copy (172.16.10.9, tracker-controller)`,
    ]);
    await page.getByRole('button', { name: 'Copy mapped address of tracker in Park C 172.16.10.0/24' }).waitFor();
    assert.equal(await row('Park B', '10.20.30.0/24').getByTestId('route-device').count(), 0, 'a device is listed under the subnet that holds it');
    await expectAccessible(page, 'routes-conflict');

    await page.getByRole('button', { name: 'Make priority: Park B 192.168.1.0/24' }).click();
    await page.locator('[data-plant="Park B"][data-subnet="192.168.1.0/24"][data-state="priority"]').waitFor();
    assert.equal(await row('Park A', '192.168.1.0/24').getAttribute('data-state'), 'shadowed');
    await page.getByText('Refresh your config file to use the native addresses').waitFor();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose your config file to refresh it…' }).click();
    await (await chooser).setFiles(confPath);
    const refreshed = parseWireGuardConf(await page.getByRole('dialog').getByRole('textbox', { name: 'WireGuard configuration' }).inputValue());
    const now = (await alice.get('/api/v1/vpn/profile')).body;
    assert.equal(refreshed.interface.PrivateKey, keys.privateKey, 'the refreshed file keeps its key');
    assert.equal(refreshed.peers[0]?.AllowedIPs, now.allowedIps.join(', '), 'and lists the routes of now');
    assert.ok(now.allowedIps.includes('192.168.1.0/24'), 'the chosen priority is native now');
    assert.equal(refreshed.interface.MTU, '1380', 'lines plantgate does not own stay');
    assert.deepEqual(
      sent.filter((r) => r.body.includes(keys.privateKey) || r.url.includes(encodeURIComponent(keys.privateKey))),
      [],
      'the file was read in the page; its key went nowhere',
    );
    await page.getByRole('button', { name: 'I have saved it, close' }).click();
    assert.match((await page.getByTestId('conflict-group').textContent()) ?? '', /priority Park B/);
    await expectAccessible(page, 'routes-priority');

    // By keyboard: the switch is a focusable input (Space toggles it).
    const parkC = page.getByRole('switch', { name: 'Park C 172.16.10.0/24 on' });
    await parkC.focus();
    await page.keyboard.press('Space');
    await page.locator('[data-plant="Park C"][data-state="disabled"]').waitFor();
    assert.equal(await parkC.isChecked(), false);
    await parkC.focus();
    await page.keyboard.press('Space');
    await page.locator('[data-plant="Park C"][data-state="active"]').waitFor();
    assert.equal(await parkC.isChecked(), true);
    const server_ = http(server.url, await login(server.url, USERS.alice.email, USERS.alice.password));
    const routes = (await server_.get('/api/v1/vpn/routes')).body as Array<{ plant: string; subnet: string; state: string }>;
    assert.equal(routes.find((r) => r.plant === 'Park B' && r.subnet === '192.168.1.0/24')?.state, 'priority', 'the choice is stored on the server');
    await context.close();
  });

  test('P4: a Viewer sees no routes, with the reason', async () => {
    const { context, page } = await signedIn(USERS.vera);
    await page.getByRole('link', { name: 'Routes' }).click();
    await page.getByRole('heading', { name: 'You reach no plant' }).waitFor();
    assert.equal(await page.getByTestId('route-row').count(), 0);
    await expectAccessible(page, 'routes-viewer');
    await context.close();
  });

  test('phone width: navigation through the menu, routes as cards without sideways scrolling, a token created and revoked', async () => {
    const { context, page } = await signedIn(USERS.alice, { width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Your WireGuard profile is active' }).waitFor();
    await expectAccessible(page, 'personal-vpn-phone');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('link', { name: 'Routes' }).click();
    await page.locator('[data-testid="route-row"]').first().waitFor();
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    assert.ok(overflow <= 0, `the page itself does not scroll sideways (${overflow} px)`);
    await expectAccessible(page, 'routes-phone');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByLabel('Token name').fill('phone');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId('created-token').waitFor();
    assert.match((await page.getByTestId('created-token').textContent()) ?? '', /^pgt_/);
    await expectAccessible(page, 'account-token-created');
    await page.getByRole('button', { name: 'I have copied it, close' }).click();
    await page.getByRole('button', { name: 'Revoke token phone' }).click();
    await page.getByRole('button', { name: 'Revoke token', exact: true }).click();
    await page.getByRole('button', { name: 'Revoke token phone' }).waitFor({ state: 'detached' });
    await context.close();
  });

  test('every user page at 390 px and at 1280 px: no sideways scrolling, Sign out in view, 0 serious axe findings', async () => {
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1280, height: 800 },
    ]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const fits = async (name: string) => {
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        assert.ok(overflow <= 0, `${name} at ${viewport.width} px scrolls sideways by ${overflow} px`);
        await expectAccessible(page, `${name}-${viewport.width}`);
      };
      await page.goto(server.url);
      await page.getByRole('heading', { name: 'Sign in to plantgate' }).waitFor();
      await fits('sign-in');
      await page.getByLabel('Email').fill(USERS.bob.email);
      await page.getByLabel(/^Password/).fill(USERS.bob.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Personal VPN', level: 1 }).waitFor();
      for (const [path, ready] of [
        ['/', page.getByRole('heading', { name: /You have no personal VPN profile|Your (WireGuard|OpenVPN) profile is active/ })],
        ['/routes', page.locator('[data-testid="route-row"]').first()],
        ['/account', page.getByRole('heading', { name: 'API tokens' })],
      ] as const) {
        await page.goto(`${server.url}${path}`);
        await ready.waitFor();
        assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible(), `Sign out is in view on ${path} at ${viewport.width} px`);
        await fits(`user-page${path === '/' ? '-vpn' : path.replace('/', '-')}`);
      }
      await context.close();
    }
  });

  test('no page logged a console error or a CSP violation', () => {
    assert.deepEqual(consoleProblems, []);
  });
});
