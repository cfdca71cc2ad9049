import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer } from '../support/server.ts';
import { describeViolations, ensureWebBuilt, launchChromium, screenshot, seriousAxeViolations } from './browser.ts';
import { ROUTES_USER, loadRoutesFleet } from './fleet.ts';

const ROUTES = 60;
/** 60 routes, 6 conflict groups (of two), one header row. */
const TABLE_ROWS = ROUTES + ROUTES / 10 + 1;

/**
 * A long route list draws only the sections near the viewport (bench/web-budgets.ts: 500
 * routes in < 300 ms); it must still be the whole list to keyboard, screen reader and axe.
 */
describe('routes page with a long list (issue 8 budget: 500 routes)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer({ mappedSpace: '100.96.0.0/11' }), launchChromium()]);
    await loadRoutesFleet(server, ROUTES);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function routesPage(viewport: { width: number; height: number }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.url}/routes`);
    await page.getByLabel('Email').fill(ROUTES_USER.email);
    await page.getByLabel(/^Password/).fill(ROUTES_USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-testid="route-row"]').first().waitFor();
    return page;
  }

  const focusedLabel = (page: Page) => page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label') ?? '') as Promise<string>;

  test('only the first view is drawn, the table tells its full size, and Tab walks through every route to the last', async () => {
    const page = await routesPage({ width: 1280, height: 800 });
    const drawn = await page.getByTestId('route-row').count();
    assert.ok(drawn < ROUTES, `drawn ${drawn} of ${ROUTES}`);
    assert.equal(await page.getByTestId('routes-table').getAttribute('aria-rowcount'), String(TABLE_ROWS));
    await page.getByRole('switch', { name: 'Plant 0001 192.168.0.0/24 on' }).focus();
    const seen = new Set<string>();
    for (let i = 0; i < ROUTES * 4 && !seen.has('Plant 0060 10.0.59.0/24 on'); i++) {
      await page.keyboard.press('Tab');
      seen.add(await focusedLabel(page));
    }
    const switches = [...seen].filter((l) => / on$/.test(l));
    assert.equal(switches.length, ROUTES - 1, `Tab reached every later route's switch (${switches.length})`);
    assert.ok(await page.getByRole('switch', { name: 'Plant 0060 10.0.59.0/24 on' }).isVisible(), 'the focused route is on screen');
    // Back up by keyboard too.
    for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+Tab');
    assert.match(await focusedLabel(page), /Plant 005\d/);
    await screenshot(page, 'routes-long-end');
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await page.context().close();
  });

  test('the filter finds a route that is not drawn; at phone width the end of the list is reached by scrolling', async () => {
    const page = await routesPage({ width: 390, height: 844 });
    await page.getByLabel('Filter').fill('10.0.43.');
    await page.locator('[data-testid="route-row"][data-plant="Plant 0044"]').waitFor();
    assert.equal(await page.getByTestId('route-row').count(), 1, 'a device address or subnet finds its route');
    await page.getByLabel('Filter').fill('');
    await page.locator('[data-testid="route-row"][data-plant="Plant 0044"]').waitFor({ state: 'detached' });
    for (let i = 0; i < 20 && (await page.locator('[data-plant="Plant 0060"]').count()) === 0; i++) {
      await page.evaluate(() => (globalThis as any).scrollTo(0, (globalThis as any).document.documentElement.scrollHeight));
      await page.waitForTimeout(100);
    }
    await page.locator('[data-plant="Plant 0060"]').waitFor();
    assert.ok(await page.locator('[data-plant="Plant 0060"]').isVisible());
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow} px)`);
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await page.context().close();
  });
});
