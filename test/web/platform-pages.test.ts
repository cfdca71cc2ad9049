import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { OPERATOR, http, login, startTestServer } from '../support/server.ts';
import { describeViolations, ensureWebBuilt, launchChromium, screenshot, seriousAxeViolations } from './browser.ts';
import { USERS, loadWebFleet } from './fleet.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * The platform operators' pages (issue 8, pages item 5) in Debian's Chromium against a
 * real control plane on a temporary SQLite database: one server and one browser for the file.
 */
describe('platform pages in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let op: ReturnType<typeof http>;
  const problems: string[] = [];

  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
    await loadWebFleet(server);
    op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    await enrolReportingDaemons();
    // Enough events for several pages: 20 enrolment tokens created and revoked.
    for (let i = 0; i < 20; i++) {
      const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'demo' });
      assert.equal((await op.delete(`/api/v1/admin/enrolments/${created.body.id}`)).status, 204);
    }
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A gateway of region "demo" and the agent of Park A, enrolled over the API, each with one status report (as the daemons send them). */
  let gateway: { id: string; credential: string };
  const gwStatus = { appliedRevision: 1, version: 'gw-1.2.3', peers: [], peerCount: 3, peersWithRecentHandshake: 2, lastError: null, mode: 'serving' };

  async function enrolReportingDaemons(): Promise<void> {
    const gw = await enrol('gateways', { region: 'demo' }, 'gw-demo-1');
    gateway = gw;
    const register = await http(server.url, gw.credential).post(`/api/v1/gateways/${gw.id}/register`, {
      sitePublicKey: generateWireGuardKeyPair().publicKey,
      siteEndpoint: '192.0.2.10:51821',
    });
    assert.equal(register.status, 200, JSON.stringify(register.body));
    assert.equal((await http(server.url, gw.credential).post(`/api/v1/gateways/${gw.id}/status`, gwStatus)).status, 204);
    const agent = await enrol('agents', { plant: 'SolarCo/Park A' }, 'agent-park-a');
    const agentStatus = { appliedRevision: 0, version: 'agent-0.9.1', peers: [], lastError: 'nft: table plantgate not found', mode: 'stale-withdrawn' };
    assert.equal((await http(server.url, agent.credential).post(`/api/v1/agents/${agent.id}/status`, agentStatus)).status, 204);
  }

  async function enrol(kind: 'gateways' | 'agents', body: object, name: string): Promise<{ id: string; credential: string }> {
    const created = await op.post(`/api/v1/admin/${kind}/enrolments`, body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: created.body.token, name });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    return { id: enrolled.body.id, credential: enrolled.body.credential };
  }

  async function signedIn(user: { email: string; password: string }, viewport = { width: 1280, height: 800 }) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${user.email}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${user.email}: ${e.message}`));
    await page.goto(server.url);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel(/^Password/).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Personal VPN', level: 1 }).waitFor();
    return { context, page };
  }

  async function operatorOn(path: string, viewport?: { width: number; height: number }) {
    const session = await signedIn(OPERATOR, viewport);
    if (viewport && viewport.width < 768) {
      await session.page.getByRole('button', { name: 'Open navigation' }).click();
      await session.page.getByRole('navigation', { name: 'Main (mobile)' }).getByRole('link', { name: 'Platform' }).click();
    } else {
      await session.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Platform' }).click();
    }
    if (path !== '/platform')
      await session.page
        .getByRole('navigation', { name: 'Platform pages' })
        .getByRole('link', { name: pageLabel(path) })
        .click();
    return session;
  }

  function pageLabel(path: string): string {
    return (
      { '/platform/users': 'Users', '/platform/regions': 'Regions', '/platform/daemons': 'Gateways and agents', '/platform/events': 'Events' }[path] ??
      'Organizations'
    );
  }

  async function expectAccessible(page: Page, name: string): Promise<void> {
    // Menus and dialogs fade in and out: check the settled page, not a half-transparent frame.
    await page.waitForFunction(() => (globalThis as unknown as { document: { getAnimations(): unknown[] } }).document.getAnimations().length === 0);
    await screenshot(page, name);
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, `${name}: ${describeViolations(violations)}`);
  }

  function userRow(page: Page, email: string) {
    return page.locator(`tr[data-user="${email}"]`);
  }

  async function userAction(page: Page, email: string, action: string) {
    await page.getByRole('button', { name: `Actions for ${email}` }).click();
    await page.getByRole('menuitem', { name: action }).click();
    await page.getByRole('menu').waitFor({ state: 'detached' });
    return page.getByRole('dialog');
  }

  test('a normal user gets no platform navigation; /platform opened by URL says not allowed; the API refuses', async () => {
    const { context, page } = await signedIn(USERS.bob);
    assert.equal(await page.getByRole('link', { name: 'Platform' }).count(), 0, 'no Platform link for a non-operator');
    await page.goto(`${server.url}/platform/users`);
    await page.getByRole('alert').filter({ hasText: 'Not allowed' }).waitFor();
    assert.equal(await page.getByTestId('users-table').count(), 0);
    await expectAccessible(page, 'platform-not-allowed');
    const refused = (await page.evaluate(async () => (await fetch('/api/v1/admin/users')).status)) as number;
    assert.equal(refused, 403, 'the API refuses the call the page does not offer');
    await context.close();
  });

  test('organizations: every organization with its counts, each linking to its own pages', async () => {
    const { context, page } = await operatorOn('/platform');
    const table = page.getByTestId('orgs-table');
    await table.waitFor();
    const orgs = (await op.get('/api/v1/orgs')).body as Array<{ id: string; name: string; members: number; plants: number; portfolios: number }>;
    assert.ok(orgs.length >= 2, 'the demo fleet has two organizations');
    for (const org of orgs) {
      const cells = await table
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: org.name, exact: true }) })
        .locator('td')
        .allTextContents();
      assert.deepEqual(cells.slice(0, 4), [org.name, String(org.members), String(org.plants), String(org.portfolios)], org.name);
    }
    await expectAccessible(page, 'platform-organizations');
    const solarco = orgs.find((o) => o.name === 'SolarCo') as { id: string };
    const link = table.getByRole('link', { name: 'SolarCo', exact: true });
    assert.equal(await link.getAttribute('href'), `/orgs/${solarco.id}`, 'the link goes to the organization pages, by id');
    await link.click();
    await page.waitForURL(`${server.url}/orgs/${solarco.id}`);
    await page.getByRole('heading', { name: 'SolarCo', level: 1 }).waitFor();
    await context.close();
  });

  test('an operator disables a user (who can no longer sign in), then enables them again', async () => {
    const { context, page } = await operatorOn('/platform/users');
    await page.getByTestId('users-table').waitFor();
    await expectAccessible(page, 'platform-users');
    await page.getByLabel('Search users').fill('dave');
    assert.equal(await page.locator('tr[data-user]').count(), 1, 'the search narrows the list to Dave');

    const dialog = await userAction(page, USERS.dave.email, 'Disable');
    await dialog.getByText('can no longer sign in').waitFor();
    await expectAccessible(page, 'platform-users-disable-dialog');
    await dialog.getByRole('button', { name: 'Disable user' }).click();
    await userRow(page, USERS.dave.email).getByText('Disabled').waitFor();
    const refused = await http(server.url).post('/api/v1/auth/login', USERS.dave);
    assert.notEqual(refused.status, 200, 'a disabled user cannot sign in');

    const enable = await userAction(page, USERS.dave.email, 'Enable');
    await enable.getByRole('button', { name: 'Enable user' }).click();
    await userRow(page, USERS.dave.email).getByText('Active').waitFor();
    assert.equal((await http(server.url).post('/api/v1/auth/login', USERS.dave)).status, 200, 'enabled again, Dave signs in');
    await context.close();
  });

  test("keyboard only: a user's actions open from the keyboard, the dialog holds the focus, Escape cancels without a change", async () => {
    const { context, page } = await operatorOn('/platform/users');
    await page.getByRole('button', { name: `Actions for ${USERS.carol.email}` }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    for (
      let i = 0;
      i < 10 &&
      (await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent,
      )) !== 'Delete';
      i++
    ) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Delete ${USERS.carol.email}?` });
    await dialog.getByText('This cannot be undone').waitFor();
    const focusedInDialog = () =>
      dialog.evaluate((d) => d.contains((globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement as never));
    assert.equal(await focusedInDialog(), true, 'the focus moved into the dialog');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    assert.equal(await focusedInDialog(), true, 'Tab keeps the focus inside the dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await userRow(page, USERS.carol.email).waitFor();
    assert.equal(
      (await op.get('/api/v1/admin/users')).body.some((u: { email: string }) => u.email === USERS.carol.email),
      true,
      'Carol still exists',
    );
    await context.close();
  });

  test('an operator resets a password: the one-time password is shown once and works only to choose a new one', async () => {
    const { context, page } = await operatorOn('/platform/users');
    const dialog = await userAction(page, USERS.vera.email, 'Reset password');
    await dialog.getByText('current password stops working').waitFor();
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    const shown = page.getByTestId('one-time-password');
    const password = (await shown.textContent()) ?? '';
    assert.ok(password.length >= 8, 'a generated one-time password is shown');
    await page.getByRole('alert').filter({ hasText: 'Shown only now' }).waitFor();
    await expectAccessible(page, 'platform-users-one-time-password');
    await page.getByRole('button', { name: 'I have passed it on, close' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal(await page.getByText(password).count(), 0, 'closed, the password is nowhere on the page');
    await userRow(page, USERS.vera.email).getByText('One-time password').waitFor();

    const old = await http(server.url).post('/api/v1/auth/login', USERS.vera);
    assert.equal(old.status, 401, 'the old password stops working');
    const oneTime = await http(server.url).post('/api/v1/auth/login', { email: USERS.vera.email, password });
    assert.equal(oneTime.body.error.code, 'password-change-required', 'the one-time password is accepted only to choose a new one');
    await context.close();
  });

  test("an operator revokes a user's VPN profile, makes a user operator, and deletes a user (who can no longer sign in)", async () => {
    const walt = http(server.url, await login(server.url, USERS.walt.email, USERS.walt.password));
    const issued = await walt.post('/api/v1/vpn/profile', { publicKey: generateWireGuardKeyPair().publicKey });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const tunnelIp = issued.body.profile.tunnelIp as string;
    const { context, page } = await operatorOn('/platform/users');
    await userRow(page, USERS.walt.email).getByText(tunnelIp).waitFor();

    const revoke = await userAction(page, USERS.walt.email, 'Revoke VPN profile');
    await revoke.getByText(`tunnel IP ${tunnelIp} leaves every gateway`).waitFor();
    await revoke.getByRole('button', { name: 'Revoke profile' }).click();
    await userRow(page, USERS.walt.email).getByText(tunnelIp).waitFor({ state: 'detached' });
    assert.equal((await walt.get('/api/v1/vpn/profile')).status, 404, 'P3: the profile is revoked on the server');

    const grant = await userAction(page, USERS.walt.email, 'Make platform operator');
    await grant.getByRole('button', { name: 'Make operator' }).click();
    await userRow(page, USERS.walt.email).getByText('Operator').waitFor();
    assert.equal((await walt.get('/api/v1/me')).body.platformOperator, true);

    const remove = await userAction(page, USERS.walt.email, 'Delete');
    await remove.getByText('This cannot be undone').waitFor();
    await remove.getByRole('button', { name: 'Delete user' }).click();
    await userRow(page, USERS.walt.email).waitFor({ state: 'detached' });
    assert.notEqual((await http(server.url).post('/api/v1/auth/login', USERS.walt)).status, 200, 'a deleted user cannot sign in');
    await context.close();
  });

  test('an operator adds a region (checked as typed, the server message on its field) and removes it', async () => {
    const { context, page } = await operatorOn('/platform/regions');
    await page.getByTestId('regions-table').waitFor();
    const name = page.getByLabel('Name');
    const endpoint = page.getByLabel('Endpoint (host:port)');
    await name.fill('EU Central');
    await page.getByText('must be lower-case letters, digits and dashes').waitFor();
    await name.fill('eu-west');
    await endpoint.fill('vpn.example.test');
    await page.getByText('must be HOST:PORT').waitFor();
    await expectAccessible(page, 'platform-regions-invalid');
    await endpoint.fill('vpn-west.example.test:51820');
    await page.getByRole('button', { name: 'Add region' }).click();
    const row = page.getByTestId('regions-table').getByRole('row').filter({ hasText: 'eu-west' });
    await row.getByText('vpn-west.example.test:51820').waitFor();

    // The same name again: the server refuses and its message lands on the name field.
    await name.fill('eu-west');
    await endpoint.fill('vpn-west2.example.test:51820');
    await page.getByRole('button', { name: 'Add region' }).click();
    await page.getByText('a region "eu-west" exists already').waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true', 'the refusal is shown on the name field');
    await expectAccessible(page, 'platform-regions');

    // Issue 11: health and drain. eu-west has no gateway: down, 0/0; drain marks it and the server keeps it.
    await row.getByText('down · 0/0 gateways').waitFor();
    await page.getByRole('button', { name: 'Drain region eu-west' }).click();
    await row.getByText('drained', { exact: true }).waitFor();
    assert.ok(((await op.get('/api/v1/admin/regions')).body as Array<{ name: string; drainedAt: string | null }>).find((r) => r.name === 'eu-west')?.drainedAt, 'drained on the server');
    await expectAccessible(page, 'platform-regions-drained');
    await page.getByRole('button', { name: 'Undrain region eu-west' }).click();
    await row.getByText('drained', { exact: true }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Remove region eu-west' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('configs stop listing this endpoint').waitFor();
    await dialog.getByRole('button', { name: 'Remove region' }).click();
    await row.waitFor({ state: 'detached' });
    const regions = (await op.get('/api/v1/admin/regions')).body as Array<{ name: string }>;
    assert.deepEqual(
      regions.map((r) => r.name),
      ['demo'],
      'eu-west is gone from the server',
    );

    // A region with an enrolled gateway: the server refuses and names it; the dialog then offers removing both.
    assert.equal((await op.post('/api/v1/admin/regions', { name: 'eu-north', endpoint: 'vpn-north.example.test:51820' })).status, 201);
    const north = await enrol('gateways', { region: 'eu-north' }, 'gw-north-1');
    await page.reload();
    await page.getByRole('button', { name: 'Remove region eu-north' }).click();
    await dialog.getByRole('button', { name: 'Remove region' }).click();
    await dialog.getByText('has enrolled gateways: gw-north-1').waitFor();
    await expectAccessible(page, 'platform-regions-remove-refused');
    await dialog.getByRole('button', { name: 'Remove region and its gateways' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(
      ((await op.get('/api/v1/admin/regions')).body as Array<{ name: string }>).map((r) => r.name),
      ['demo'],
    );
    const gateways = (await op.get('/api/v1/admin/gateways')).body as Array<{ id: string }>;
    assert.ok(!gateways.some((g) => g.id === north.id), 'its gateway was removed with it');
    await context.close();
  });

  test('gateway and agent status rows: connection, applied revision, serving mode, version, last error', async () => {
    // The gateway reports the revision the control plane is at now: it shows as current.
    const revision = ((await (await fetch(`${server.url}/healthz`)).json()) as { revision: number }).revision;
    const report = { ...gwStatus, appliedRevision: revision };
    assert.equal((await http(server.url, gateway.credential).post(`/api/v1/gateways/${gateway.id}/status`, report)).status, 204);
    const { context, page } = await operatorOn('/platform/daemons');
    const gw = page.locator('tr[data-daemon="gw-demo-1"]');
    await gw.getByText('Connected').waitFor();
    assert.match((await gw.textContent()) ?? '', new RegExp(`${revision} \\(current\\)`), 'the gateway applied the current revision');
    assert.match((await gw.textContent()) ?? '', /demo/);
    assert.match((await gw.textContent()) ?? '', /gw-1\.2\.3/);
    assert.match((await gw.textContent()) ?? '', /2 of 3 recent/);
    assert.match((await gw.textContent()) ?? '', /serving/);
    const agent = page.locator('tr[data-daemon="agent-park-a"]');
    await agent.getByText('nft: table plantgate not found').waitFor();
    const agentText = (await agent.textContent()) ?? '';
    assert.match(agentText, /SolarCo\/Park A/);
    assert.match(agentText, /agent-0\.9\.1/);
    assert.match(agentText, /withdrawn/);
    assert.match(agentText, /0, behind \(current \d+\)/, 'the agent applied revision 0 and is behind the current one');
    await expectAccessible(page, 'platform-daemons');
    await context.close();
  });

  test('an operator creates an enrolment token (shown once) and revokes it: it can no longer enrol', async () => {
    const { context, page } = await operatorOn('/platform/daemons');
    const region = page.getByLabel('Region', { exact: true });
    await region.locator('option[value="demo"]').waitFor({ state: 'attached' });
    await region.selectOption('demo');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('enrolment-token');
    const token = (await shown.textContent()) ?? '';
    assert.match(token, /^pge_/);
    await page.getByRole('alert').filter({ hasText: 'Shown only now' }).waitFor();
    await expectAccessible(page, 'platform-enrolment-token');
    await page.getByRole('button', { name: 'I have copied it, close' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal(await page.getByText(token).count(), 0, 'closed, the token is nowhere on the page');

    // pge_<id>_<43-character secret>; the id itself may hold '_' (base64url).
    const id = token.slice(4, -44);
    const row = page.locator(`tr[data-enrolment="${id}"]`);
    await row.getByText('gateway of demo').waitFor();
    await page.getByRole('button', { name: `Revoke enrolment token ${id}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await row.waitFor({ state: 'detached' });
    const redeemed = await http(server.url).post('/api/v1/enrol', { token, name: 'too-late' });
    assert.equal(redeemed.status, 401, 'a revoked token enrols nothing');

    // An agent token names its plant; the server's refusals land on that field.
    await page.getByText('Agent', { exact: true }).click();
    const plant = page.getByLabel('Plant (Organization/Plant, name or id)');
    await plant.fill('SolarCo/Nope');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('no plant "SolarCo/Nope"').waitFor();
    assert.equal(await plant.getAttribute('aria-invalid'), 'true');
    await plant.fill('SolarCo/Park A');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('SolarCo/Park A already has agent agent-park-a').waitFor();
    await expectAccessible(page, 'platform-enrolment-agent-refused');
    await context.close();
  });

  test('events: filter by kind and user, page through older and newer', async () => {
    const { context, page } = await operatorOn('/platform/events');
    const table = page.getByTestId('events-table');
    await table.waitFor();
    await expectAccessible(page, 'platform-events');
    const eventIds = async () =>
      (await table.locator('tr[data-event]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-event'))))) as number[];

    await page.getByLabel('Events per page').selectOption('25');
    const first = await eventIds();
    assert.equal(first.length, 25, 'a full first page');
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByText('Page 2').waitFor();
    await page.locator('[data-testid="events-table"][aria-busy="false"]').waitFor();
    const second = await eventIds();
    assert.ok(second.length > 0 && Math.max(...second) < Math.min(...first), 'page 2 holds older events');
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.getByText('Page 1').waitFor();
    await page.locator('[data-testid="events-table"][aria-busy="false"]').waitFor();
    assert.deepEqual(await eventIds(), first);

    // The kind field suggests the event families: pick one from the list with the keyboard.
    const kind = page.getByRole('combobox', { name: 'Kind or family' });
    await kind.fill('daem');
    await page.getByRole('option', { name: 'daemon', exact: true }).waitFor();
    await kind.press('ArrowDown');
    await kind.press('Enter');
    assert.equal(await kind.inputValue(), 'daemon');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1').waitFor();
    // The previous page stays on screen while the filtered one loads: wait for the filtered one.
    await page.getByRole('status').filter({ hasText: '(kind daemon)' }).waitFor();
    await page.locator('[data-testid="events-table"][aria-busy="false"]').waitFor();
    const kinds = await table.locator('tr[data-event] td:nth-child(2)').allTextContents();
    assert.ok(kinds.length > 0 && kinds.every((k) => k.startsWith('daemon.')), `only daemon events: ${kinds.join(', ')}`);

    await page.getByRole('combobox', { name: 'Kind or family' }).fill('');
    // Two events about Carol (operator role granted and taken back), made here so the test stands alone.
    assert.equal((await op.put(`/api/v1/admin/users/${USERS.carol.email}/operator`)).status, 204);
    assert.equal((await op.delete(`/api/v1/admin/users/${USERS.carol.email}/operator`)).status, 204);
    await page.getByLabel('User (email)').fill(USERS.carol.email);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `(user ${USERS.carol.email})` })
      .waitFor();
    await page.locator('[data-testid="events-table"][aria-busy="false"]').waitFor();
    await table.getByText('user.operator-granted').waitFor();
    const rows = await table.locator('tr[data-event]').allTextContents();
    assert.ok(rows.length >= 2 && rows.every((r) => r.includes(USERS.carol.email)), 'only events about Carol');

    await page.getByLabel('User (email)').fill('nobody@nowhere.example');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No event matches these filters.').waitFor();
    await context.close();
  });

  test("a list that fails to load shows the server's message and a retry; empty lists say so", async () => {
    const { context, page } = await signedIn(OPERATOR);
    await page.route('**/api/v1/admin/regions', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'unavailable', message: 'the database is not reachable' } }),
      }),
    );
    await page.goto(`${server.url}/platform/regions`);
    const alert = page.getByRole('alert').filter({ hasText: 'Regions could not be loaded' });
    await alert.getByText('the database is not reachable').waitFor();
    await expectAccessible(page, 'platform-regions-error');
    await page.unroute('**/api/v1/admin/regions');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.getByTestId('regions-table').getByText('demo').waitFor();

    await page.getByRole('navigation', { name: 'Platform pages' }).getByRole('link', { name: 'Gateways and agents' }).click();
    await page.getByText('No unused enrolment token.').waitFor();
    await expectAccessible(page, 'platform-daemons-no-tokens');
    await context.close();
  });

  test('phone width (390 px): every platform page fits without sideways scrolling and stays accessible', async () => {
    const { context, page } = await operatorOn('/platform/users', { width: 390, height: 844 });
    const pages: Array<[string, string, string]> = [
      ['Users', 'users-table', 'platform-users-phone'],
      ['Organizations', 'orgs-table', 'platform-organizations-phone'],
      ['Regions', 'regions-table', 'platform-regions-phone'],
      ['Gateways and agents', 'gateways-table', 'platform-daemons-phone'],
      ['Events', 'events-table', 'platform-events-phone'],
    ];
    for (const [link, table, shot] of pages) {
      await page.getByRole('navigation', { name: 'Platform pages' }).getByRole('link', { name: link }).click();
      await page.getByTestId(table).waitFor();
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      assert.ok(overflow <= 0, `${link}: no sideways scrolling of the page (${overflow}px)`);
      await expectAccessible(page, shot);
    }
    await context.close();
  });

  test('no console errors or page errors on the way', () => {
    assert.deepEqual(problems, []);
  });
});
