import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { describeViolations, ensureWebBuilt, launchChromium, screenshot, seriousAxeViolations } from './browser.ts';
import { USERS, loadWebFleet } from './fleet.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** SPEC P7 in the browser: the Sessions section of the Personal VPN page, fed by a real gateway's reports. */
describe('web UI: Sessions on the Personal VPN page', () => {
  let server: Server;
  let browser: Browser;
  let gatewayName = '';

  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
    await loadWebFleet(server);
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: (await op.post('/api/v1/admin/gateways/enrolments', { region: 'demo' })).body.token });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    gatewayName = enrolled.body.name;
    const bob = http(server.url, await login(server.url, USERS.bob.email, USERS.bob.password));
    const key = generateWireGuardKeyPair().publicKey;
    assert.equal((await bob.post('/api/v1/vpn/profile', { publicKey: key })).status, 201);
    const now = Math.floor(Date.now() / 1000);
    const peers = [{ publicKey: key, endpoint: '81.2.69.160:40000', latestHandshake: now - 30, rxBytes: 3 * 1024 * 1024, txBytes: 2048 }];
    const sent = await http(server.url, enrolled.body.credential).post(`/api/v1/gateways/${enrolled.body.id}/status`, { appliedRevision: 1, version: 'test', lastError: null, peers });
    assert.equal(sent.status, 204);
    await server.ctx.daemonStatus.flush();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signedIn(user: { email: string; password: string }, viewport: { width: number; height: number }) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(server.url);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel(/^Password/).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Personal VPN', level: 1 }).waitFor();
    return { context, page };
  }

  async function fitsAndAccessible(page: Page, name: string, width: number): Promise<void> {
    await screenshot(page, name);
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow} px at ${width} px`);
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, `${name}: ${describeViolations(violations)}`);
  }

  test('P7: the Sessions table shows the current session (source address, country, bytes, region, gateway) at 390 and 1280 px', async () => {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const { context, page } = await signedIn(USERS.bob, viewport);
      const row = page.getByTestId('session-row');
      await row.first().waitFor();
      assert.equal(await row.count(), 1);
      const text = ((await row.first().textContent()) ?? '').replace(/\s+/g, ' ');
      for (const part of ['Connected', '81.2.69.160:40000', 'GB', '3.00 MiB', '2.00 KiB', 'demo', gatewayName]) assert.ok(text.toLowerCase().includes(part.toLowerCase()), `${part} in "${text}"`);
      await fitsAndAccessible(page, `personal-vpn-sessions-${viewport.width}`, viewport.width);
      await context.close();
    }
  });

  test('P7: a user without sessions sees the empty state, and a failed load says so', async () => {
    const { context, page } = await signedIn(USERS.alice, { width: 1280, height: 800 });
    await page.getByTestId('sessions-empty').waitFor();
    assert.equal(await page.getByTestId('session-row').count(), 0, 'nobody else’s sessions');
    await page.route('**/api/v1/vpn/sessions**', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"boom"}}' }));
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'Your sessions could not be loaded' }).waitFor();
    await fitsAndAccessible(page, 'personal-vpn-sessions-error', 1280);
    await context.close();
  });
});
