import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer } from '../support/server.ts';
import { ensureWebBuilt, launchChromium } from './browser.ts';
import { loadWebFleet, USERS } from './fleet.ts';
import { DESKTOP, expectAccessible, PHONE, pageFetch, signIn } from './org-session.ts';
import { openPlantTab } from './site-vpn-session.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const DOMAIN = 'proxy.web.test';

/**
 * The browser proxy's web UI (issue 12 items 1, 2; SPEC O2): a plant's "Web targets" tab for its
 * managers, the Open button for users who may reach the plant, and the per-user list. The
 * proxy's own origin is intercepted in the browser (no name lookup, nothing leaves the machine):
 * this test pins what the control plane's UI does; the gateway's data path has its own e2e test.
 */
describe('web targets (issue 12)', () => {
  let server: Server;
  let browser: Browser;
  const problems: string[] = [];

  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer({ proxyDomain: DOMAIN }), launchChromium()]);
    await loadWebFleet(server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    assert.deepEqual(problems, [], 'no script error on any page');
  });

  test('O2 item 1: a Moderator adds a target on the Web targets tab (a refusal at its field), edits and removes one; no Open for her (no job role)', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.mona, problems, DESKTOP);
    await openPlantTab(page, 'Park A', 'Web targets');
    await page.getByText('No web target on Park A yet').waitFor();
    await page.getByRole('button', { name: 'Add web target' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a web target' });
    await dialog.getByLabel('Network device').fill('inverter-1');
    await dialog.getByLabel('Path').fill('status.html');
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.getByText('must start with / and contain only visible ASCII characters').waitFor();
    await expectAccessible(page, 'web-targets-add-refused');
    await dialog.getByLabel('Path').fill('/status.html');
    await dialog.getByLabel('Name').fill('Inverter 1 UI');
    await dialog.getByRole('button', { name: 'Add target' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'Inverter 1 UI' });
    await row.getByText('http://192.168.1.17:80/status.html').waitFor();
    assert.equal(await row.getByRole('button', { name: 'Open Inverter 1 UI' }).count(), 0, 'a Moderator without a job role does not reach the plant (P4)');

    await page.getByRole('button', { name: 'Add web target' }).click();
    const second = page.getByRole('dialog', { name: 'Add a web target' });
    await second.getByLabel('Network device').fill('192.168.1.5');
    await second.getByRole('button', { name: 'Add target' }).click();
    await second.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Edit logger' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit logger' });
    await edit.getByLabel('Port').fill('8080');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await page.getByText('http://192.168.1.5:8080/').waitFor();
    await expectAccessible(page, 'web-targets-tab-moderator');
    await page.getByRole('button', { name: 'Remove logger' }).click();
    await page.getByRole('dialog', { name: 'Remove logger?' }).getByRole('button', { name: 'Remove web target' }).click();
    await page.getByText('http://192.168.1.5:8080/').waitFor({ state: 'detached' });
    await context.close();
  });

  test('O2 item 2: bob (Operator on Park A) clicks Open: a new tab goes to the target’s own origin with a one-time grant', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.bob, problems, DESKTOP);
    const seen: string[] = [];
    // The proxy's origin is answered here: nothing is looked up or sent off this machine.
    await context.route(`https://*.${DOMAIN}/**`, async (route) => {
      seen.push(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>device</title><h1>Inverter web UI</h1>' });
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Web targets' }).click();
    await page.getByRole('heading', { name: 'Web targets', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Inverter 1 UI' });
    await row.getByText('Park A').waitFor();
    await expectAccessible(page, 'web-targets-page-bob');
    const [tab] = await Promise.all([context.waitForEvent('page'), row.getByRole('button', { name: 'Open Inverter 1 UI' }).click()]);
    await tab.getByRole('heading', { name: 'Inverter web UI' }).waitFor();
    const url = new URL(seen[0] ?? '');
    assert.match(url.hostname, new RegExp(`^t-[a-z0-9]{12}\\.${DOMAIN.replaceAll('.', '\\.')}$`));
    assert.equal(url.pathname, '/.plantgate/grant');
    assert.match(url.searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await tab.evaluate('window.opener === null'), true, 'the device page cannot reach back into the platform');
    await context.close();
  });

  test('item 5: vera (Viewer) has no target to open, and the API refuses her open like a missing target', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.vera, problems, PHONE);
    await page.goto(`${server.url}/web-targets`);
    await page.getByText('No web target you may open').waitFor();
    await expectAccessible(page, 'web-targets-page-vera-phone');
    const host = (await server.ctx.store.db.selectFrom('web_targets').select('host').executeTakeFirstOrThrow()).host;
    const refused = await pageFetch(page, 'POST', `/web-targets/${host}/open`);
    const missing = await pageFetch(page, 'POST', '/web-targets/t-000000000000/open');
    assert.deepEqual(refused, missing);
    assert.equal(refused.status, 404);
    await context.close();
  });
});
