import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { ensureWebBuilt, launchChromium } from './browser.ts';
import { loadWebFleet, USERS } from './fleet.ts';
import { expectAccessible, openOrgTab, PHONE, signIn, watch } from './org-session.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * An organization Admin manages SolarCo in Chromium against a real control plane (issue 8):
 * one server and one browser for the file, on the demo fleet (tests run in order).
 */
describe('organization pages: an Admin at work', () => {
  let server: Server;
  let browser: Browser;
  const problems: string[] = [];
  const newcomer = { email: 'nina@solarco.example', password: 'nina-password-1', name: 'Nina Newcomer' };

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

  test('S2: an Admin invites a member, the member accepts in the browser, the Admin grants a job role and the member reaches the plant', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Members');
    await page.getByTestId('member-row').first().waitFor();
    const rows = await page.getByTestId('member-row').count();
    assert.equal(await page.getByTestId('members-table').getByRole('combobox').count(), rows - 1, 'the Admin can change the role of every member but her own');
    await page.getByLabel('Email').fill('nina@');
    await page.getByText('must be an email address').waitFor();
    // The server's refusal lands on the field it names.
    await page.getByLabel('Email').fill(USERS.bob.email);
    await page.getByRole('button', { name: 'Create invitation' }).click();
    await page.getByText(`${USERS.bob.email} is already a member of SolarCo`).waitFor();
    await page.getByLabel('Email').fill(newcomer.email);
    await page.getByLabel('Org role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const dialog = page.getByRole('dialog', { name: `Invitation for ${newcomer.email}` });
    await dialog.getByText('Shown only now').waitFor();
    const link = (await dialog.getByTestId('invitation-link').textContent()) ?? '';
    const token = new URL(link).hash.slice(1);
    assert.match(token, /^pgi_/, 'the token travels after # in the link');
    await expectAccessible(page, 'org-invitation-created');
    await dialog.getByRole('button', { name: 'I have copied it, close' }).click();
    await page.locator(`[data-testid="invitation-row"][data-email="${newcomer.email}"][data-status="pending"]`).waitFor();
    // The dialog's closing transition ends: then the link must be gone (a link left behind fails here).
    await page.getByTestId('invitation-link').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await page.getByTestId('invitation-link').count(), 0, 'the link is gone once the dialog is closed');
    await expectAccessible(page, 'org-members');

    // The newcomer opens the link in a browser of their own.
    const guestContext = await browser.newContext({ viewport: PHONE });
    const sent: string[] = [];
    guestContext.on('request', (r) => sent.push(r.url()));
    const invitee = await guestContext.newPage();
    watch(invitee, newcomer.email, problems);
    await invitee.goto(`${server.url}/invite#${token}`);
    assert.equal(await invitee.getByTestId('invitation-org').textContent(), 'SolarCo');
    assert.equal(await invitee.getByTestId('invitation-email').textContent(), newcomer.email);
    assert.equal(await invitee.getByTestId('invitation-role').textContent(), 'Member');
    await invitee.getByLabel('Your name').fill(newcomer.name);
    await invitee.getByLabel(/^Password/).fill(newcomer.password);
    await invitee.getByLabel('Repeat password').fill('something-else');
    await invitee.getByText('does not match the password').waitFor();
    await expectAccessible(invitee, 'org-accept-invitation-phone');
    await invitee.getByLabel('Repeat password').fill(newcomer.password);
    await invitee.getByRole('button', { name: 'Create account and join SolarCo' }).click();
    await invitee.getByText('You joined SolarCo as Member').waitFor();
    assert.ok(!sent.some((url) => url.includes(token)), 'the token is in no request URL');
    const storage = await invitee.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.equal(storage, '{}{}', 'nothing in web storage');
    await invitee.getByLabel('Email').fill(newcomer.email);
    await invitee.getByLabel(/^Password/).fill(newcomer.password);
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    await invitee.getByRole('heading', { name: 'Personal VPN', level: 1 }).waitFor();
    // At phone width the navigation is behind the menu button.
    await invitee.getByRole('button', { name: 'Open navigation' }).click();
    await invitee.getByRole('navigation', { name: 'Main (mobile)' }).getByRole('link', { name: 'Routes' }).click();
    await invitee.getByText('You reach no plant').waitFor();

    // The Admin (after a reload) sees the new member and grants Operator on Park C.
    await page.reload();
    await page.locator(`[data-testid="invitation-row"][data-email="${newcomer.email}"][data-status="accepted"]`).waitFor();
    await page.locator(`[data-testid="member-row"][data-email="${newcomer.email}"]`).waitFor();
    await openOrgTab(page, 'Job roles');
    await page.getByLabel('Member', { exact: true }).selectOption(newcomer.email);
    await page.getByLabel('Plant or portfolio', { exact: true }).selectOption({ label: 'Park C' });
    await page.getByLabel('Job role', { exact: true }).selectOption('operator');
    await page.getByRole('button', { name: 'Grant job role' }).click();
    await page.locator(`[data-testid="job-role-row"][data-user="${newcomer.email}"][data-target="Park C"][data-role="operator"]`).waitFor();
    await expectAccessible(page, 'org-job-roles');

    await invitee.reload();
    await invitee.locator('[data-testid="route-row"][data-plant="Park C"]').waitFor();
    await guestContext.close();
    await context.close();
  });

  test('S2/P4: the Admin changes a role and removes a member (routes follow at once); a revoked invitation link stops working', async () => {
    const api = http(server.url, await login(server.url, USERS.alice.email, USERS.alice.password));
    const otto = { email: 'otto@solarco.example', password: 'otto-password-1' };
    const invited = await api.post('/api/v1/orgs/SolarCo/invitations', { email: otto.email, role: 'member' });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    assert.equal((await http(server.url).post('/api/v1/invitations/accept', { token: invited.body.token, name: 'Otto', password: otto.password })).status, 200);
    assert.equal((await api.post('/api/v1/orgs/SolarCo/job-roles', { user: otto.email, plant: 'Park B', role: 'operator' })).status, 201);
    const ottoApi = http(server.url, await login(server.url, otto.email, otto.password));
    const ottoPlants = async () => ((await ottoApi.get('/api/v1/vpn/routes')).body as Array<{ plant: string }>).map((r) => r.plant);
    assert.ok((await ottoPlants()).includes('Park B'));

    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Members');
    await page.getByLabel(`Org role of ${otto.email}`).selectOption('guest');
    const change = page.getByRole('dialog', { name: 'Make Otto Guest?' });
    await change.getByText('reaches no plant').waitFor();
    await change.getByRole('button', { name: 'Change role' }).click();
    await change.waitFor({ state: 'detached' });
    assert.deepEqual(await ottoPlants(), [], 'P4: a Guest has no route');
    assert.equal(await page.getByLabel(`Org role of ${otto.email}`).inputValue(), 'guest');

    await page.getByRole('button', { name: `Remove ${otto.email}` }).click();
    const removal = page.getByRole('dialog', { name: 'Remove Otto from SolarCo?' });
    await removal.getByText('loses every route of SolarCo').waitFor();
    await expectAccessible(page, 'org-remove-member');
    await removal.getByRole('button', { name: 'Remove member' }).click();
    await page.locator(`[data-testid="member-row"][data-email="${otto.email}"]`).waitFor({ state: 'detached' });
    assert.deepEqual((await ottoApi.get('/api/v1/orgs')).body, [], 'Otto belongs to no organization any more');
    const gone = await signIn(browser, server.url, otto, problems);
    await gone.page.goto(`${server.url}/orgs`);
    await gone.page.getByText('You belong to no organization').waitFor();
    // The list of organizations has arrived (the text above comes from it): the navigation offers none.
    assert.equal(await gone.page.getByRole('link', { name: 'Organization' }).count(), 0, 'no Organization entry without an organization');
    await gone.context.close();

    // An invitation revoked on the page: its link leads nowhere.
    await page.getByLabel('Email').fill('paul@solarco.example');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.getByTestId('invitation-link').textContent()) ?? '';
    await page.getByRole('button', { name: 'I have copied it, close' }).click();
    await page.getByRole('button', { name: 'Revoke invitation of paul@solarco.example' }).click();
    await page.getByRole('button', { name: 'Revoke invitation', exact: true }).click();
    await page.locator('[data-testid="invitation-row"][data-email="paul@solarco.example"][data-status="revoked"]').waitFor();
    const stranger = await browser.newContext();
    const paul = await stranger.newPage();
    watch(paul, 'paul', problems);
    await paul.goto(`${server.url}/invite${new URL(link).hash}`);
    await paul.getByText('This invitation cannot be used').waitFor();
    await expectAccessible(paul, 'org-invitation-revoked');
    await stranger.close();
    await context.close();
  });

  test('D8: removing a subnet lists the devices behind it before anything changes; subnets are checked as they are typed', async () => {
    // Park A gets an agent that has just reported its status: the plant shows it as connected.
    const operator = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const enrolment = await operator.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park A' });
    assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
    const agent = await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token, name: 'park-a-agent' });
    assert.equal(agent.status, 201, JSON.stringify(agent.body));
    const reported = await http(server.url, agent.body.credential).post(`/api/v1/agents/${agent.body.id}/status`, {
      appliedRevision: 0,
      version: 'test',
      peers: [],
      lastError: null,
    });
    assert.equal(reported.status, 204, JSON.stringify(reported.body));

    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Plants');
    await page.locator('[data-testid="plant-row"][data-plant="Park A"]').getByRole('link', { name: 'Park A' }).click();
    await page.getByTestId('plant-name').filter({ hasText: 'Park A' }).waitFor();
    assert.equal(await page.getByTestId('agent-badge').getAttribute('data-state'), 'connected');
    assert.match((await page.getByTestId('agent-badge').textContent()) ?? '', /park-a-agent/);
    const inverter = page.locator('[data-testid="device-row"][data-device="inverter-1"]');
    assert.match((await inverter.textContent()) ?? '', /192\.168\.1\.17.*100\.80\.\d+\.17/, 'the device is shown with its mapped address (host part kept)');
    await expectAccessible(page, 'org-plant-detail');

    await page.getByLabel('Add a subnet').fill('10.99.0.7/24');
    await page.getByText('has host bits set; did you mean 10.99.0.0/24?').waitFor();
    await page.getByLabel('Add a subnet').fill('10.99.0.0/24');
    await page.getByRole('button', { name: 'Add subnet' }).click();
    await page.locator('[data-testid="subnet-row"][data-cidr="10.99.0.0/24"]').waitFor();

    await page.getByRole('button', { name: 'Remove subnet 192.168.1.0/24' }).click();
    const warning = page.getByTestId('d8-warning');
    await warning.waitFor();
    const listed = (await warning.textContent()) ?? '';
    assert.match(listed, /inverter-1/);
    assert.match(listed, /logger/);
    await expectAccessible(page, 'org-d8-warning');
    // The dialog is a keyboard one: Escape cancels it.
    await page.keyboard.press('Escape');
    await warning.waitFor({ state: 'detached' });
    const plant = await operator.get('/api/v1/orgs/SolarCo/plants/Park%20A');
    assert.equal(plant.status, 200, JSON.stringify(plant.body));
    assert.ok(
      plant.body.subnets.some((s: { cidr: string }) => s.cidr === '192.168.1.0/24'),
      'cancelling the warning changed nothing',
    );

    // A subnet without devices goes after a plain confirmation.
    await page.getByRole('button', { name: 'Remove subnet 10.99.0.0/24' }).click();
    await page.getByRole('dialog').getByText('No device is behind this subnet.').waitFor();
    await page.getByRole('button', { name: 'Remove subnet', exact: true }).click();
    await page.locator('[data-testid="subnet-row"][data-cidr="10.99.0.0/24"]').waitFor({ state: 'detached' });

    const phone = await browser.newContext({ viewport: PHONE, storageState: await context.storageState() });
    const small = await phone.newPage();
    watch(small, 'alice (phone)', problems);
    await small.goto(page.url());
    await small.getByTestId('plant-name').waitFor();
    await expectAccessible(small, 'org-plant-detail-phone');
    await phone.close();
    await context.close();
  });

  test('plants: create with subnets, add a device and see its mapped address, edit it, rename and delete the plant', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Plants');
    await page.getByLabel('Name', { exact: true }).fill('Park D');
    await page.getByLabel('Subnets').fill('10.40.0.0/24, 10.41.0.9/24');
    await page.getByText('has host bits set; did you mean 10.41.0.0/24?').waitFor();
    await page.getByLabel('Subnets').fill('10.40.0.0/24, 10.41.0.0/24');
    await page.getByRole('button', { name: 'Create plant' }).click();
    await page.locator('[data-testid="plant-row"][data-plant="Park D"]').getByRole('link', { name: 'Park D' }).click();
    await page.getByTestId('plant-name').filter({ hasText: 'Park D' }).waitFor();
    const mapped = (await page.locator('[data-testid="subnet-row"][data-cidr="10.40.0.0/24"]').textContent()) ?? '';
    const prefix = /(100\.\d+\.\d+)\.0\/24/.exec(mapped)?.[1];
    assert.ok(prefix, `the new subnet got a mapped prefix (${mapped})`);

    await page.getByRole('button', { name: 'Add device' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a device to Park D' });
    await dialog.getByLabel('Name').fill('meter');
    await dialog.getByLabel('IPv4 address').fill('10.40.0.300');
    await dialog.getByText('must be an IPv4 address').waitFor();
    await dialog.getByLabel('IPv4 address').fill('10.40.0.23');
    await dialog.getByLabel('Ports').fill('502, 80');
    await dialog.getByRole('button', { name: 'Add device' }).click();
    const device = page.locator('[data-testid="device-row"][data-device="meter"]');
    await device.waitFor();
    await dialog.waitFor({ state: 'detached' });
    assert.match((await device.textContent()) ?? '', new RegExp(`${prefix.replace(/\./g, '\\.')}\\.23`), 'host part kept in the mapped address');
    await page.getByRole('button', { name: 'Edit device meter' }).click();
    await page.getByRole('dialog', { name: 'Edit meter' }).getByLabel('Kind').fill('energy-meter');
    await page.getByRole('button', { name: 'Save device' }).click();
    await device.filter({ hasText: 'energy-meter' }).waitFor();

    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('dialog', { name: 'Rename Park D' }).getByLabel('New name').fill('Park Delta');
    await page.getByRole('dialog', { name: 'Rename Park D' }).getByRole('button', { name: 'Rename' }).click();
    await page.getByTestId('plant-name').filter({ hasText: 'Park Delta' }).waitFor();

    // An agent is enrolled for the plant: deleting says so, and removes the agent with it.
    const operator = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const enrolment = await operator.post('/api/v1/admin/agents/enrolments', { plant: 'SolarCo/Park Delta' });
    assert.equal(enrolment.status, 201, JSON.stringify(enrolment.body));
    assert.equal((await http(server.url).post('/api/v1/enrol', { token: enrolment.body.token, name: 'delta-agent' })).status, 201);
    await page.reload();
    await page.getByTestId('agent-badge').filter({ hasText: 'delta-agent' }).waitFor();
    await page.getByRole('button', { name: 'Delete plant' }).click();
    const deletion = page.getByRole('dialog', { name: 'Delete Park Delta?' });
    await deletion.getByText('1 device').waitFor();
    await deletion.getByText('The agent delta-agent').waitFor();
    await deletion.getByRole('button', { name: 'Delete plant and its agent' }).click();
    await page.getByTestId('plants-table').waitFor();
    assert.equal(await page.locator('[data-testid="plant-row"][data-plant="Park Delta"]').count(), 0);
    await expectAccessible(page, 'org-plants');
    const agents = (await operator.get('/api/v1/admin/agents')).body as Array<{ name: string }>;
    assert.ok(!agents.some((a) => a.name === 'delta-agent'), 'the agent went with its plant');
    await context.close();
  });

  test('error and empty states: an unknown plant, an unknown organization, a malformed invitation link', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await page.goto(`${server.url}/orgs/SolarCo/plants/no-such-plant`);
    const failed = page.getByRole('alert').filter({ hasText: 'The plant could not be loaded' });
    await failed.waitFor();
    assert.match((await failed.textContent()) ?? '', /no-such-plant/, "the server's reason is shown");
    await failed.getByRole('button', { name: 'Try again' }).waitFor();
    await expectAccessible(page, 'org-plant-error');
    await page.goto(`${server.url}/orgs/NoSuchOrg/members`);
    await page.getByRole('heading', { name: 'Organization not found' }).waitFor();
    await page.getByRole('button', { name: 'Go to SolarCo' }).click();
    await page.getByRole('heading', { name: 'SolarCo', level: 1 }).waitFor();
    await page.goto(`${server.url}/invite#not-a-token`);
    await page.getByText('This invitation cannot be used').waitFor();
    await page.goto(`${server.url}/invite`);
    await page.getByText('This link has no invitation in it').waitFor();
    await context.close();
  });

  test('explain access: a Guest with the Operator job role does not reach the plant, and the page shows the step that denies it', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Explain access');
    await page.getByRole('combobox', { name: 'User (email)' }).fill(USERS.dave.email);
    await page.getByLabel('Plant').selectOption({ label: 'Park A' });
    await page.getByRole('button', { name: 'Explain' }).click();
    const verdict = page.getByTestId('explanation');
    await verdict.waitFor();
    assert.equal(await verdict.getAttribute('data-reaches'), 'false');
    const failed = page.getByTestId('explain-steps').locator('[data-ok="false"]');
    assert.ok((await failed.count()) >= 1, 'at least one step fails');
    assert.match((await failed.first().textContent()) ?? '', /guest/i, 'the failing step names the guest role');
    await expectAccessible(page, 'org-explain-denied');

    await page.getByRole('combobox', { name: 'User (email)' }).fill(USERS.bob.email);
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.locator('[data-testid="explanation"][data-reaches="true"]').waitFor();
    assert.ok((await page.getByTestId('explain-routes').locator('tbody tr').count()) >= 1, 'the routes Park A gives Bob are listed');

    // The cooperation partner's Operator is suggested too, and reaches Park A through the cooperation.
    await page.getByRole('combobox', { name: 'User (email)' }).fill('carol');
    await page.getByRole('option', { name: USERS.carol.email }).click();
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('heading', { name: /Carol Partner reaches Park A \(through a cooperation\)/ }).waitFor();
    await context.close();
  });

  test('portfolios and events: a portfolio is created, edited and deleted; the events page pages back and filters by kind and user', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    // More than one page of ten events, whatever ran before: ten devices added through the API, then the portfolio's three.
    const api = http(server.url, await login(server.url, USERS.alice.email, USERS.alice.password));
    for (let i = 1; i <= 10; i++) {
      const added = await api.post('/api/v1/orgs/SolarCo/plants/Park%20C/devices', {
        name: `sensor-${i}`,
        ip: `172.16.10.${100 + i}`,
        kind: 'sensor',
        ports: [502],
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
    }
    const granted = await api.post('/api/v1/orgs/SolarCo/job-roles', { user: USERS.vera.email, plant: 'Park B', role: 'viewer' });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    await openOrgTab(page, 'Portfolios');
    await page.getByRole('button', { name: 'New portfolio' }).click();
    const create = page.getByRole('dialog', { name: 'New portfolio' });
    await create.getByLabel('Name').fill('South');
    await create.getByLabel('Plants').click();
    await page.getByRole('option', { name: 'Park B' }).click();
    await create.getByLabel('Name').click(); // closes the open option list
    await create.getByRole('button', { name: 'Create portfolio' }).click();
    const south = page.locator('[data-testid="portfolio-row"][data-portfolio="South"]');
    await south.filter({ hasText: 'Park B' }).waitFor();
    await page.getByRole('button', { name: 'Edit portfolio South' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit South' });
    await edit.getByLabel('Plants').click();
    await page.getByRole('option', { name: 'Park C' }).click();
    await edit.getByLabel('Name').click();
    await expectAccessible(page, 'org-portfolio-edit');
    await edit.getByRole('button', { name: 'Save portfolio' }).click();
    await south.filter({ hasText: 'Park B, Park C' }).waitFor();
    await page.getByRole('button', { name: 'Delete portfolio South' }).click();
    await page.getByRole('button', { name: 'Delete portfolio', exact: true }).click();
    await south.waitFor({ state: 'detached' });

    await openOrgTab(page, 'Events');
    await page.getByTestId('event-row').first().waitFor();
    await page.getByLabel('Per page').selectOption('10');
    await page.getByText('Page 1').waitFor();
    await page.getByTestId('event-row').nth(9).waitFor();
    await page.getByTestId('event-row').nth(10).waitFor({ state: 'detached' });
    const firstPage = await page.getByTestId('event-row').first().textContent();
    assert.equal(await page.getByTestId('event-row').first().getAttribute('data-kind'), 'org.portfolio-removed', 'newest first');
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByText('Page 2').waitFor();
    await until(async () => (await page.getByTestId('event-row').first().textContent()) !== firstPage, 'the older page is drawn');
    await expectAccessible(page, 'org-events-page-2');
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.getByText('Page 1').waitFor();

    await page.getByRole('combobox', { name: 'Kind' }).fill('org.portfolio-created');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('[data-testid="event-row"]:not([data-kind="org.portfolio-created"])').first().waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('event-row').count(), 1);
    await page.getByRole('combobox', { name: 'Kind' }).fill('');
    await page.getByLabel('User (email)').fill(USERS.vera.email);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('[data-testid="event-row"][data-kind="org.job-role-granted"]').waitFor();
    await page.locator('[data-testid="event-row"][data-kind="org.device-added"]').first().waitFor({ state: 'detached' });
    const kinds = await page.getByTestId('event-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    assert.ok(!kinds.includes('org.portfolio-created'), `only events about ${USERS.vera.email}: ${kinds.join(', ')}`);
    await context.close();
  });
});

/** Polls a condition the page has no element for (bounded: 10 s). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}
