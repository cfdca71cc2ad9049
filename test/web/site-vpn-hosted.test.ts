import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer } from '../support/server.ts';
import { ensureWebBuilt, launchChromium } from './browser.ts';
import { loadWebFleet, USERS } from './fleet.ts';
import { DESKTOP, expectAccessible, signIn } from './org-session.ts';
import { card, openPlantTab, step } from './site-vpn-session.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** A hosted server created in the wizard (issue 9 "Web UI", SPEC D6, D9): its profiles are shown once, in the browser, and never again. */
describe('hosted direct VPN in the Site VPN and User VPN tabs (issue 9)', () => {
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

  test('D6/D9: a hosted server’s site profile is shown exactly once (download, copy, QR), then never again; a user client is added once and removed', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems, DESKTOP);
    await openPlantTab(page, 'Park C', 'Site VPN');
    await page.getByRole('button', { name: 'Add direct VPN' }).click();
    const wizard = page.getByRole('dialog', { name: 'Add a direct VPN to Park C' });
    await wizard.getByLabel(/^Hosted here/).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Basics');
    await wizard.getByLabel('Name').fill('Hub C');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Connection');
    // Park C's agent never connected: the address clients dial is named by hand.
    await wizard.getByLabel('Dial-in host (optional)').fill('vpn.park-c.example');
    await wizard.getByLabel('First site client').fill('Park-Router');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Subnets');
    await wizard.getByLabel('Plant subnet 1').fill('10.50.0.0/24');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await step(page, 'Review');
    assert.match((await page.getByTestId('review').textContent()) ?? '', /Hosted here \(Server\)[\s\S]*10\.50\.0\.0\/24[\s\S]*Park-Router/);
    await wizard.getByRole('button', { name: 'Apply' }).click();

    const shown = page.getByRole('dialog', { name: 'Profile of Park-Router' });
    await shown.waitFor();
    await shown.getByText('Shown only now').waitFor();
    const profile = await shown.getByTestId('client-profile').inputValue();
    const privateKey = /PrivateKey = (\S+)/.exec(profile)?.[1];
    assert.ok(privateKey, `a WireGuard profile with its private key: ${profile}`);
    assert.match(profile, /Endpoint = vpn\.park-c\.example:\d+/);
    await shown.getByRole('img', { name: 'QR code of the profile of Park-Router' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), shown.getByRole('button', { name: /^Download / }).click()]);
    const saved = await download.createReadStream().then(async (stream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    });
    assert.equal(saved, profile, 'the download is the profile shown');
    await expectAccessible(page, 'site-vpn-credentials');
    // Keyboard: Escape closes it, and with it the only copy.
    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });

    const hub = card(page, 'Hub C');
    await hub.waitFor();
    assert.equal(await hub.getByTestId('vpn-role').textContent(), 'Server');
    assert.match((await hub.textContent()) ?? '', /vpn\.park-c\.example:\d+/);
    assert.ok(!(await page.content()).includes(privateKey), 'the key is gone from the page once the dialog is closed');
    await hub.getByTestId('site-clients').locator('summary').click();
    const site = hub.locator('[data-testid="site-client"][data-client="Park-Router"]');
    await site.waitFor();
    assert.match((await site.textContent()) ?? '', /10\.50\.0\.0\/24/, 'the site client announces the plant subnet');
    for (const path of ['', '/Hub%20C', '/Hub%20C/clients']) {
      const read = await page.evaluate(async (p) => (await fetch(`/api/v1/plants/Park%20C/direct-vpns${p}`)).text(), path);
      assert.ok(!read.includes(privateKey), `D6: GET …/direct-vpns${path} never returns the key`);
    }

    await page.getByRole('navigation', { name: 'Park C tabs' }).getByRole('link', { name: 'User VPN' }).click();
    const users = page.locator('[data-testid="user-vpn-server"][data-vpn="Hub C"]');
    await users.getByText('No user dials in to Hub C yet.').waitFor();
    await users.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('dialog', { name: 'Add a user to Hub C' }).getByLabel('Name').fill('erik');
    await page.getByRole('dialog', { name: 'Add a user to Hub C' }).getByRole('button', { name: 'Add' }).click();
    const userProfile = page.getByRole('dialog', { name: 'Profile of erik' });
    await userProfile.getByText('Shown only now').waitFor();
    await userProfile.getByRole('button', { name: 'I have saved it, close' }).click();
    await users.locator('[data-testid="user-client"][data-client="erik"]').waitFor();
    await expectAccessible(page, 'site-vpn-user-vpn');
    await users.getByRole('button', { name: 'Remove erik' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove erik?' });
    assert.match((await confirm.textContent()) ?? '', /cut at once/);
    await confirm.getByRole('button', { name: 'Remove user' }).click();
    await users.locator('[data-testid="user-client"][data-client="erik"]').waitFor({ state: 'detached' });
    await context.close();
  });
});
