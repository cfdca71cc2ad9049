import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { ensureWebBuilt, launchChromium } from './browser.ts';
import { loadWebFleet, USERS } from './fleet.ts';
import { DESKTOP, expectAccessible, PHONE, signIn } from './org-session.ts';
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

    // D7 edit of a server: where clients dial; D9 delete: every client goes with it, said first.
    await page.getByRole('navigation', { name: 'Park C tabs' }).getByRole('link', { name: 'Site VPN' }).click();
    await hub.getByRole('button', { name: 'Actions for Hub C' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Hub C' });
    await edit.getByLabel('Dial-in port').fill('51999');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await hub.getByText('vpn.park-c.example:51999').waitFor();
    await hub.getByRole('button', { name: 'Actions for Hub C' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm2 = page.getByRole('dialog', { name: 'Delete Hub C?' });
    assert.match((await confirm2.textContent()) ?? '', /1 client \(sites and users\) are removed; their profiles stop working at once and cannot be\s+reissued/);
    await expectAccessible(page, 'site-vpn-delete-hosted');
    await confirm2.getByRole('button', { name: 'Delete direct VPN' }).click();
    await hub.waitFor({ state: 'detached' });
    await context.close();
  });

  test('390 px: the show-once dialog of a user client fits a phone and is a keyboard dialog', async () => {
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const made = await op.post('/api/v1/plants/Park%20B/direct-vpns', { name: 'Hub B', direction: 'hosted', protocol: 'wireguard', subnets: ['10.51.0.0/24'], listen: { host: 'vpn.park-b.example' } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const { context, page } = await signIn(browser, server.url, USERS.mona, problems, PHONE);
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('navigation', { name: 'Main (mobile)' }).getByRole('link', { name: 'Organization' }).click();
    await page.getByRole('navigation', { name: /pages$/ }).getByRole('link', { name: 'Plants', exact: true }).click();
    await page.locator('[data-testid="plant-row"][data-plant="Park B"]').getByRole('link', { name: 'Park B' }).click();
    await page.getByRole('navigation', { name: 'Park B tabs' }).getByRole('link', { name: 'User VPN' }).click();
    const users = page.locator('[data-testid="user-vpn-server"][data-vpn="Hub B"]');
    await users.getByRole('button', { name: 'Add user' }).click();
    const add = page.getByRole('dialog', { name: 'Add a user to Hub B' });
    await add.getByLabel('Name').fill('fiona');
    await page.keyboard.press('Enter');
    const shown = page.getByRole('dialog', { name: 'Profile of fiona' });
    await shown.getByText('Shown only now').waitFor();
    await expectAccessible(page, 'site-vpn-credentials-phone');
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= PHONE.width, `the dialog is ${width} px wide`);
    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });
    await users.locator('[data-testid="user-client"][data-client="fiona"]').waitFor();
    await context.close();
  });
});
