import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { formatCidr, formatIpv4 } from '../../src/core/net/ipv4.ts';
import { generateWireGuardKeyPair } from '../../src/crypto/wireguard-keys.ts';
import { http, login, OPERATOR, startTestServer } from '../support/server.ts';
import { ensureWebBuilt, launchChromium } from './browser.ts';
import { loadWebFleet, USERS } from './fleet.ts';
import { DESKTOP, expectAccessible, openOrgTab, PHONE, pageFetch, signIn, watch } from './org-session.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * The Audit page (issue 10 item 5, SPEC A2/A3): flows reach the trail through the real
 * ingest endpoint with an enrolled gateway's credential; the plant's Admin reads, filters,
 * verifies and exports them in the browser; a Member and a cooperation partner get nothing.
 */
describe('audit page (issue 10)', () => {
  let server: Server;
  let browser: Browser;
  const problems: string[] = [];
  const parkA = encodeURIComponent('Park A');
  const bobKey = generateWireGuardKeyPair().publicKey;
  let gw = { id: '', credential: '' };
  let bobIp = '';
  let parkAMapped = (_host: number) => '';

  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
    await loadWebFleet(server);
    const op = http(server.url, await login(server.url, OPERATOR.email, OPERATOR.password));
    const created = await op.post('/api/v1/admin/gateways/enrolments', { region: 'demo' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const enrolled = await http(server.url).post('/api/v1/enrol', { token: created.body.token });
    const gateway = { id: enrolled.body.id as string, credential: enrolled.body.credential as string };
    // Bob (Operator on Park A) is the connected user: his tunnel address, Park A's mapped prefix.
    const bob = http(server.url, await login(server.url, USERS.bob.email, USERS.bob.password));
    assert.equal((await bob.post('/api/v1/vpn/profile', { publicKey: bobKey })).status, 201);
    gw = gateway;
    const model = await server.ctx.fleet.fresh();
    const bobUser = [...model.users.values()].find((u) => u.email === USERS.bob.email);
    const tunnelIp = formatIpv4(model.profiles.get(bobUser?.id as never)?.tunnelIp as number);
    const plant = [...model.plants.values()].find((p) => p.name === 'Park A');
    const mappedBase = formatCidr(model.subnetsOf(plant?.id as never)[0]?.mapped as never).split('/')[0] as string;
    const mapped = (host: number) => formatIpv4(mappedBase.split('.').reduce((a, o) => a * 256 + Number(o), 0) + host);
    parkAMapped = mapped;
    bobIp = tunnelIp;
    const now = server.ctx.now().getTime();
    const flow = (id: string, host: number, port: number, connections: number, bytesIn: number) => ({
      id,
      tunnelIp,
      destinationIp: mapped(host),
      protocol: 'tcp',
      port,
      connections,
      bytesIn,
      bytesOut: 640,
      firstSeen: new Date(now - 60_000).toISOString(),
      lastSeen: new Date(now - 1_000).toISOString(),
      session: 'sess-web-1',
    });
    const batch = {
      batchId: 'web-batch-1',
      records: [flow('r1', 17, 80, 2, 8192), flow('r2', 17, 502, 1, 300), flow('r3', 5, 22, 3, 4096)],
      gaps: [
        {
          id: 'gap-1',
          from: new Date(now - 120_000).toISOString(),
          to: new Date(now - 90_000).toISOString(),
          reason: 'conntrack events lost (netlink buffer overrun)',
        },
      ],
    };
    const ack = await fetch(`${server.url}/api/v1/gateways/${gateway.id}/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.credential}`, 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { stored: number } }));
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    assert.equal(ack.body.stored, 3, JSON.stringify(ack.body));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    assert.deepEqual(problems, [], 'no script error on any page');
  });

  /** Polled from the test (the page's CSP forbids evaluating a string in it, which waitForFunction('…') may do). */
  const untilRows = async (page: Page, n: number) => {
    for (let i = 0; i < 150 && (await page.getByTestId('audit-row').count()) !== n; i++) await new Promise((r) => setTimeout(r, 100));
  };
  const rows = (page: Page) =>
    page
      .getByTestId('audit-row')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-device'), tr.getAttribute('data-port'), tr.getAttribute('data-connections')]));

  test('A3: the org Admin sees the plant trail (devices, ports, counts, gap), filters by device, verifies it and exports CSV', async () => {
    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Audit');
    await page.getByTestId('audit-row').first().waitFor();
    assert.deepEqual(await rows(page), [
      ['192.168.1.17', '80', '2'],
      ['192.168.1.17', '502', '1'],
      ['192.168.1.5', '22', '3'],
    ]);
    const first = (await page.getByTestId('audit-row').first().textContent()) ?? '';
    assert.match(first, /bob@solarco\.example/);
    assert.match(first, /inverter-1/);
    assert.match(first, /8\.0 KiB/);
    assert.match(first, /sess-web-1/);
    assert.match((await page.getByTestId('audit-gap').textContent()) ?? '', /conntrack events lost/);
    const summary = await page
      .getByTestId('device-summary-row')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-device'), tr.querySelector('[data-testid="summary-connections"]')?.textContent]));
    assert.deepEqual(summary, [
      ['192.168.1.17', '3'],
      ['192.168.1.5', '3'],
    ]);
    await expectAccessible(page, 'audit-admin');

    // A bad filter is named as typed; the Filter button waits for a valid one.
    await page.getByLabel('Device IP').fill('192.168.1');
    await page.getByText('must be an IPv4 address (a.b.c.d)').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Filter' }).isDisabled(), true);
    await page.getByLabel('Device IP').fill('192.168.1.5');
    await page.getByRole('button', { name: 'Filter' }).click();
    await untilRows(page, 1);
    assert.deepEqual(await rows(page), [['192.168.1.5', '22', '3']]);
    await page.getByLabel('Device IP').fill('192.168.1.99');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByTestId('audit-empty').waitFor();

    await page.getByRole('button', { name: 'Verify integrity' }).click();
    const verdict = page.getByTestId('verify-result');
    await verdict.waitFor();
    assert.equal(await verdict.getAttribute('data-ok'), 'true');
    assert.match((await verdict.textContent()) ?? '', /Verified 3 records and \d+ signed checkpoint/);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'audit-Park-A.csv');
    const csv = readFileSync((await file.path()) as string, 'utf8')
      .trim()
      .split('\n');
    assert.equal(csv[0]?.split(',').slice(0, 12).join(','), 'user,plant,subnet,deviceIp,protocol,port,connections,bytesIn,bytesOut,firstSeen,lastSeen,session');
    assert.deepEqual(
      csv.slice(1).map((l) => l.split(',').slice(0, 9).join(',')),
      [
        'bob@solarco.example,Park A,192.168.1.0/24,192.168.1.17,tcp,80,2,8192,640',
        'bob@solarco.example,Park A,192.168.1.0/24,192.168.1.17,tcp,502,1,300,640',
        'bob@solarco.example,Park A,192.168.1.0/24,192.168.1.5,tcp,22,3,4096,640',
      ],
    );

    // At phone width (same session) the table stacks into labelled cards and the page does not scroll sideways.
    const phone = await browser.newContext({ viewport: PHONE, storageState: await context.storageState() });
    const small = await phone.newPage();
    watch(small, 'alice (phone)', problems);
    await small.goto(page.url());
    await small.getByTestId('audit-row').first().waitFor();
    await expectAccessible(small, 'audit-admin-phone');
    const width = (await small.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= PHONE.width, `no sideways scrolling of the page at 390 px (${width})`);
    await phone.close();
    await context.close();
  });

  test('A2: a Member sees no Audit tab and the API refuses; a cooperation partner sees no audit of the owner plant', async () => {
    const member = await signIn(browser, server.url, USERS.bob, problems, DESKTOP);
    await openOrgTab(member.page, 'Plants');
    const tabs = await member.page
      .getByRole('navigation', { name: /pages$/ })
      .getByRole('link')
      .allTextContents();
    assert.ok(!tabs.includes('Audit'), `tabs: ${tabs}`);
    const refused = await pageFetch(member.page, 'GET', `/audit/plants/${parkA}/records`);
    assert.equal(refused.status, 404, JSON.stringify(refused));
    await member.context.close();

    const partner = await signIn(browser, server.url, USERS.carol, problems, DESKTOP);
    await partner.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
    await partner.page.getByRole('navigation', { name: /pages$/ }).waitFor();
    const partnerTabs = await partner.page
      .getByRole('navigation', { name: /pages$/ })
      .getByRole('link')
      .allTextContents();
    // Carol is Admin of WindServ: its own Audit tab is there, and lists WindServ's plants (none), never the shared Park A.
    assert.ok(partnerTabs.includes('Audit'), `tabs: ${partnerTabs}`);
    await openOrgTab(partner.page, 'Audit');
    await partner.page.getByText('WindServ has no plant, so there is no trail yet.').waitFor();
    assert.equal(await partner.page.getByLabel('Plant').count(), 0, 'no plant to pick');
    assert.ok(!((await partner.page.locator('main').textContent()) ?? '').includes('Park A'));
    await expectAccessible(partner.page, 'audit-partner');
    for (const path of [`/audit/plants/${parkA}/records`, `/audit/plants/${parkA}/verify`, `/audit/plants/${parkA}/export`]) {
      const r = await pageFetch(partner.page, 'GET', path);
      assert.equal(r.status, 404, `${path}: ${JSON.stringify(r)}`);
    }
    await partner.context.close();
  });

  test('R10: a record edited in the store makes "Verify integrity" name the first failing record', async () => {
    const plant = [...(await server.ctx.fleet.current()).plants.values()].find((p) => p.name === 'Park A');
    await server.ctx.audit.store.db
      .updateTable('audit_flows')
      .set({ bytes_out: 1 })
      .where('plant_id', '=', plant?.id as string)
      .where('seq', '=', 2)
      .execute();
    const { context, page } = await signIn(browser, server.url, USERS.mona, problems);
    await openOrgTab(page, 'Audit');
    await page.getByRole('button', { name: 'Verify integrity' }).click();
    const verdict = page.getByTestId('verify-result');
    await verdict.waitFor();
    assert.equal(await verdict.getAttribute('data-ok'), 'false');
    assert.match((await verdict.textContent()) ?? '', /First failing record: #2 \(id r2\)/);
    await expectAccessible(page, 'audit-verify-failed');
    await context.close();
  });

  test('issue 10 items 1, 2, 8: a P7 session summary links to that session\u2019s records; the timeline shows the user\u2019s profile and login among the flows, filterable', async () => {
    const now = Math.floor(Date.now() / 1000);
    const gateway = http(server.url, gw.credential);
    const status = await gateway.post(`/api/v1/gateways/${gw.id}/status`, {
      appliedRevision: 1,
      version: 'test',
      lastError: null,
      // The session starts after the records of before() (which fall outside it whatever the test's pace).
      peers: [{ publicKey: bobKey, endpoint: '81.2.69.160:40000', latestHandshake: now - 3, rxBytes: 5000, txBytes: 700 }],
    });
    assert.equal(status.status, 204, JSON.stringify(status.body));
    await server.ctx.daemonStatus.flush();
    const record = { id: 'r-session', tunnelIp: bobIp, destinationIp: parkAMapped(18), protocol: 'tcp', port: 502, connections: 4, bytesIn: 2048, bytesOut: 128, firstSeen: new Date((now - 2) * 1000).toISOString(), lastSeen: new Date(now * 1000).toISOString(), session: null };
    const ack = await gateway.post(`/api/v1/gateways/${gw.id}/flows`, { batchId: 'web-session-batch', records: [record], gaps: [] });
    assert.equal(ack.body.stored, 1, JSON.stringify(ack.body));

    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Audit');
    const sessionRow = page.getByTestId('session-summary-row').filter({ hasText: '81.2.69.160:40000' });
    await sessionRow.waitFor();
    assert.match((await sessionRow.textContent()) ?? '', /bob@solarco\.example.*GB/);
    const timeline = () => page.getByTestId('timeline-item').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-event') ?? tr.getAttribute('data-kind')));
    await page.getByTestId('audit-timeline').waitFor();
    const all = await timeline();
    assert.ok(all.indexOf('profile.issued') >= 0 && all.indexOf('profile.issued') < all.lastIndexOf('access'), `the profile precedes the session's flow: ${all}`);
    assert.ok(all.includes('auth.login'), `bob's login is on the timeline: ${all}`);
    await page.getByLabel('Timeline shows').getByText('Events', { exact: true }).click();
    await page.locator('[data-testid="timeline-item"][data-kind="access"]').first().waitFor({ state: 'detached' });
    assert.ok((await timeline()).every((k) => k !== 'access'));
    await expectAccessible(page, 'audit-timeline');

    await sessionRow.getByRole('button', { name: /Show this session: records of bob@solarco\.example/ }).click();
    await untilRows(page, 1);
    assert.deepEqual(await rows(page), [['192.168.1.18', '502', '4']]);
    assert.equal(await page.getByLabel('User (email)').inputValue(), USERS.bob.email);
    await context.close();
  });
  test('issue 12 item 4: a browser-proxy record lists its requests (method, path, status, count, bytes) in an expandable row', async () => {
    const now = Date.now();
    const gateway = http(server.url, gw.credential);
    const record = {
      id: 'r-proxy',
      tunnelIp: bobIp,
      destinationIp: parkAMapped(19),
      protocol: 'tcp',
      port: 443,
      connections: 4,
      bytesIn: 70_000,
      bytesOut: 900,
      firstSeen: new Date(now - 20_000).toISOString(),
      lastSeen: new Date(now - 10_000).toISOString(),
      session: 'proxy:web-session-1',
      http: [
        { method: 'GET', path: '/index.html', status: 200, requests: 2, bytesIn: 65_536, bytesOut: 600 },
        { method: 'POST', path: '/cgi-bin/login', status: 401, requests: 1, bytesIn: 300, bytesOut: 200 },
        { method: 'GET', path: '/favicon.ico', status: 404, requests: 1, bytesIn: 4164, bytesOut: 100 },
      ],
    };
    const ack = await gateway.post(`/api/v1/gateways/${gw.id}/flows`, { batchId: 'web-proxy-batch', records: [record], gaps: [] });
    assert.equal(ack.body.stored, 1, JSON.stringify(ack.body));

    const { context, page } = await signIn(browser, server.url, USERS.alice, problems);
    await openOrgTab(page, 'Audit');
    await page.getByLabel('Device IP').fill('192.168.1.19');
    await page.getByRole('button', { name: 'Filter' }).click();
    await untilRows(page, 1);
    assert.deepEqual(await rows(page), [['192.168.1.19', '443', '4']]);
    assert.equal(await page.getByTestId('audit-http-detail').count(), 0, 'collapsed at first');
    const toggle = page.getByTestId('audit-http-toggle');
    assert.equal(await toggle.textContent(), 'Show 4 requests');
    await toggle.click();
    await page.getByTestId('audit-http-detail').waitFor();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const requests = await page
      .getByTestId('audit-http-row')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-method'), tr.getAttribute('data-path'), tr.getAttribute('data-status'), tr.getAttribute('data-requests')]));
    assert.deepEqual(requests, [
      ['GET', '/index.html', '200', '2'],
      ['POST', '/cgi-bin/login', '401', '1'],
      ['GET', '/favicon.ico', '404', '1'],
    ]);
    assert.match((await page.getByTestId('audit-http-row').first().textContent()) ?? '', /64\.0 KiB/);
    assert.match((await page.getByTestId('audit-row').textContent()) ?? '', /bob@solarco\.example/);
    await expectAccessible(page, 'audit-proxy-requests');
    await toggle.click();
    await page.getByTestId('audit-http-detail').waitFor({ state: 'detached' });
    await context.close();
  });
});
