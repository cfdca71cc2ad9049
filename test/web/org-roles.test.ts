import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { http, login, startTestServer } from '../support/server.ts';
import { ensureWebBuilt, launchChromium } from './browser.ts';
import { loadWebFleet, USERS } from './fleet.ts';
import { DESKTOP, expectAccessible, openOrgTab, PHONE, pageFetch, signIn, watch } from './org-session.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * What the organization pages offer follows the caller's org role (src/core/permissions.ts),
 * and the API refuses what is not offered (issue 8). One server and one browser for the file.
 */
describe('organization pages: what each role sees', () => {
  let server: Server;
  let browser: Browser;
  const problems: string[] = [];

  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
    // The demo fleet: Mona is a Moderator of SolarCo, Carol the Admin of WindServ (the partner), Walt a WindServ Member.
    await loadWebFleet(server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    assert.deepEqual(problems, [], 'no script error on any page');
  });

  test('S2: a Moderator is not offered what only an Admin may do, and the API refuses it when forced', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.mona, problems);
    await openOrgTab(page, 'Members');
    await page.getByTestId('member-row').first().waitFor();
    assert.equal(await page.getByTestId('my-org-role').textContent(), 'Moderator');
    assert.equal(await page.getByTestId('members-table').getByRole('combobox').count(), 0, 'no role change offered');
    assert.equal(await page.getByRole('button', { name: /^Remove / }).count(), 0, 'no member removal offered');
    const roles = await page.getByLabel('Org role', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(roles, ['Member', 'Guest'], 'a Moderator invites only Members and Guests');
    await expectAccessible(page, 'org-members-moderator');

    await openOrgTab(page, 'Plants');
    await page.locator('[data-testid="plant-row"][data-plant="Park B"]').getByRole('link', { name: 'Park B' }).click();
    await page.getByTestId('plant-name').filter({ hasText: 'Park B' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete plant' }).count(), 0, 'deleting a plant is for Admins');
    assert.equal(await page.getByRole('button', { name: 'Rename' }).count(), 1, 'a Moderator manages plants');

    await openOrgTab(page, 'Cooperations');
    await page.locator('[data-testid="cooperation"][data-other="WindServ"]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'End cooperation' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Share plants with another organization' }).count(), 0);

    const bob = encodeURIComponent(USERS.bob.email);
    const forced = [
      await pageFetch(page, 'PUT', `/orgs/SolarCo/members/${bob}`, { role: 'admin' }),
      await pageFetch(page, 'DELETE', `/orgs/SolarCo/members/${bob}`),
      await pageFetch(page, 'DELETE', '/orgs/SolarCo/plants/Park%20B?force=true'),
      await pageFetch(page, 'POST', '/orgs/SolarCo/invitations', { email: 'boss@solarco.example', role: 'admin' }),
    ];
    assert.deepEqual(
      forced.map((r) => r.status),
      [403, 403, 403, 403],
      `the API refuses: ${JSON.stringify(forced)}`,
    );
    await context.close();
  });

  test('S2: a cooperation partner sees only what is shared, and the owner sees the job roles the partner assigned', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.carol, problems);
    await openOrgTab(page, 'Cooperations');
    const shared = page.locator('[data-testid="cooperation"][data-side="partner"][data-other="SolarCo"]');
    await shared.waitFor();
    assert.deepEqual(await shared.getByTestId('shared-plant').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-plant'))), ['Park A']);
    assert.ok(!((await page.locator('main').textContent()) ?? '').includes('Park B'), 'an unshared plant appears nowhere');
    assert.equal(
      await page
        .getByRole('navigation', { name: /pages$/ })
        .getByRole('link', { name: 'Plants' })
        .count(),
      1,
    );
    // The partner's Admin gives its own member Walt a job role on the shared plant.
    await shared.getByLabel('Member', { exact: true }).selectOption(USERS.walt.email);
    await shared.getByLabel('Job role', { exact: true }).selectOption('technical-manager');
    await shared.getByRole('button', { name: 'Grant job role' }).click();
    await shared.getByTestId('cooperation-job-role').filter({ hasText: USERS.walt.email }).filter({ hasText: 'Technical Manager' }).waitFor();
    await expectAccessible(page, 'org-cooperation-partner');
    // What is not shared stays out of reach through the API too (refused, or not even shown to exist).
    for (const path of ['/orgs/SolarCo/plants', '/orgs/SolarCo/plants/Park%20B', '/orgs/SolarCo/members']) {
      const refused = await pageFetch(page, 'GET', path);
      assert.ok(refused.status === 403 || refused.status === 404, `${path}: ${JSON.stringify(refused)}`);
    }
    await context.close();

    const owner = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(owner.page, 'Cooperations');
    const owned = owner.page.locator('[data-testid="cooperation"][data-side="owner"][data-other="WindServ"]');
    await owned.getByTestId('cooperation-job-role').filter({ hasText: USERS.walt.email }).filter({ hasText: 'Technical Manager' }).waitFor();
    await owned.getByTestId('cooperation-job-role').filter({ hasText: USERS.carol.email }).filter({ hasText: 'Operator' }).waitFor();
    await expectAccessible(owner.page, 'org-cooperations-owner');
    await owner.context.close();
  });

  test('P4: a Viewer sees no routes; as a plain member the organization pages offer no management', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.bob, problems);
    await openOrgTab(page, 'Plants');
    await page.getByTestId('plant-row').first().waitFor();
    assert.equal(await page.getByRole('heading', { name: 'New plant' }).count(), 0, 'a Member creates no plant');
    const tabs = await page
      .getByRole('navigation', { name: /pages$/ })
      .getByRole('link')
      .allTextContents();
    assert.deepEqual(tabs, ['Members', 'Plants', 'Portfolios', 'Organization VPNs'], 'a Member sees the organization VPNs (org-vpns.view), read only');
    await context.close();

    // Vera is a Member with only the Viewer job role on Park A (the demo fleet).
    const v = await signIn(browser, server.url, USERS.vera, problems);
    await v.page.getByRole('link', { name: 'Routes' }).click();
    await v.page.getByText('You reach no plant').waitFor();
    assert.equal(await v.page.getByTestId('route-row').count(), 0);
    await expectAccessible(v.page, 'org-viewer-routes');
    await v.context.close();
  });

  test('an existing account joins a second organization with its password and switches between its organizations', async () => {
    const alice = http(server.url, await login(server.url, USERS.alice.email, USERS.alice.password));
    const invited = await alice.post('/api/v1/orgs/SolarCo/invitations', { email: USERS.walt.email, role: 'guest' });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    watch(page, USERS.walt.email, problems);
    await page.goto(`${server.url}/invite${new URL(invited.body.link).hash}`);
    await page.getByText('An account with this email exists').waitFor();
    assert.equal(await page.getByLabel('Your name').count(), 0, 'no new account is offered');
    await page.getByLabel('Password of your account').fill('not-his-password');
    await page.getByRole('button', { name: 'Join SolarCo' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /password/i })
      .first()
      .waitFor();
    await expectAccessible(page, 'org-accept-existing-refused');
    await page.getByLabel('Password of your account').fill(USERS.walt.password);
    await page.getByRole('button', { name: 'Join SolarCo' }).click();
    await page.getByText('You joined SolarCo as Guest').waitFor();
    await context.close();

    const { context: signedIn, page: walt } = await signIn(browser, server.url, USERS.walt, problems);
    await walt.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
    const switcher = walt.getByLabel('Switch organization');
    await switcher.waitFor();
    await switcher.selectOption({ label: 'SolarCo (Guest)' });
    await walt.getByRole('heading', { name: 'SolarCo', level: 1 }).waitFor();
    await walt.getByText('you have nothing to manage here').waitFor();
    assert.equal(await walt.getByRole('navigation', { name: /pages$/ }).count(), 0, 'a Guest gets no organization tabs');
    await switcher.selectOption({ label: 'WindServ (Member)' });
    await walt.getByRole('heading', { name: 'WindServ', level: 1 }).waitFor();
    await signedIn.close();
  });

  test('every organization page at 390 px and at 1280 px: no sideways scrolling, 0 serious axe findings', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const { context, page } = await signIn(browser, server.url, USERS.alice, problems, viewport);
      for (const [tab, ready] of [
        ['members', page.getByTestId('member-row').first()],
        ['plants', page.getByTestId('plant-row').first()],
        ['plants/Park%20A', page.getByTestId('device-row').first()],
        ['portfolios', page.getByTestId('portfolio-row').first()],
        ['job-roles', page.getByTestId('job-role-row').first()],
        ['cooperations', page.getByTestId('cooperation').first()],
        ['explain', page.getByRole('button', { name: 'Explain' })],
        ['events', page.getByRole('button', { name: 'Older' })],
      ] as const) {
        await page.goto(`${server.url}/orgs/SolarCo/${tab}`);
        await ready.waitFor();
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        assert.ok(overflow <= 0, `${tab} at ${viewport.width} px scrolls sideways by ${overflow} px`);
        await expectAccessible(page, `org-${tab.replace(/\/.*/, '-detail')}-${viewport.width}`);
      }
      await context.close();
    }
  });

  test('cooperations: the owner changes what is shared, ends the cooperation (the partner loses its routes) and offers a new one', async () => {
    const carol = http(server.url, await login(server.url, USERS.carol.email, USERS.carol.password));
    const carolPlants = async () => ((await carol.get('/api/v1/vpn/routes')).body as Array<{ plant: string }>).map((r) => r.plant);
    assert.ok((await carolPlants()).includes('Park A'), 'Carol reaches Park A within the cooperation');

    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Cooperations');
    const owned = page.locator('[data-testid="cooperation"][data-side="owner"][data-other="WindServ"]');
    await owned.getByRole('button', { name: 'Change shares' }).click();
    const shares = page.getByRole('dialog', { name: 'What WindServ sees' });
    await shares.getByLabel('Plants').click();
    await page.getByRole('option', { name: 'Park C' }).click();
    await page.keyboard.press('Escape'); // closes the option list, not the dialog
    await shares.getByRole('button', { name: 'Save shares' }).click();
    await owned.locator('[data-testid="shared-plant"][data-plant="Park C"]').waitFor();
    const seen = (await carol.get('/api/v1/orgs/WindServ/cooperations')).body as Array<{ plants: Array<{ name: string }> }>;
    assert.deepEqual(seen[0]?.plants.map((p) => p.name).sort(), ['Park A', 'Park C'], 'the partner sees the new share');

    await owned.getByRole('button', { name: 'End cooperation' }).click();
    const end = page.getByRole('dialog', { name: 'End the cooperation with WindServ?' });
    await end.getByText('lose every route to the shared plants').waitFor();
    await end.getByRole('button', { name: 'End cooperation' }).click();
    await owned.waitFor({ state: 'detached' });
    assert.ok(!(await carolPlants()).includes('Park A'), 'the partner lost its route at once');
    await page.getByLabel('Show ended cooperations').check();
    await owned.getByText(/ended/).first().waitFor();

    await page.getByLabel('Partner organization (exact name)').fill('WindServ');
    await page.getByLabel('Plants').first().click();
    await page.getByRole('option', { name: 'Park B' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    await page.locator('[data-testid="cooperation"][data-side="owner"][data-other="WindServ"] [data-testid="shared-plant"][data-plant="Park B"]').waitFor();
    await expectAccessible(page, 'org-cooperation-offered');
    await context.close();
  });
});
