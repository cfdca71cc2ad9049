import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeViolations, screenshot, seriousAxeViolations } from './browser.ts';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * A fresh browser profile signed in as `user` (the organization tests' counterpart of
 * web-ui.test.ts's helper); page errors are collected for the test to assert on.
 */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  user: { email: string; password: string },
  problems: string[],
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  // downloads allowed: show-once files are downloaded and compared with what the page shows
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  watch(page, user.email, problems);
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Personal VPN', level: 1 }).waitFor();
  return { context, page };
}

export function watch(page: Page, who: string, problems: string[]): void {
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => {
    // Refusals the flows provoke on purpose show up as failed loads; they are asserted where they happen.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${who}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who}: ${e.message}`));
}

/** Screenshot, then axe-core: no serious or critical finding. Dialogs are given time to finish opening first. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(250);
  // The header is fixed: a full-page screenshot taken while scrolled would draw it mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await screenshot(page, name);
  const violations = await seriousAxeViolations(page);
  assert.equal(violations.length, 0, `${name}: ${describeViolations(violations)}`);
}

/** Opens an organization page through the navigation, the way a user gets there. */
export async function openOrgTab(page: Page, tab: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Organization' }).click();
  await page
    .getByRole('navigation', { name: /pages$/ })
    .getByRole('link', { name: tab, exact: true })
    .click();
}

/** A request from inside the signed-in page (cookie + CSRF header), for checking that the API refuses what the UI hides. */
export async function pageFetch(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; code?: string }> {
  return (await page.evaluate(
    async ({ method, path, body }) => {
      const cookies = (globalThis as unknown as { document: { cookie: string } }).document.cookie.split('; ');
      const csrf = cookies.find((c: string) => c.startsWith('pg_csrf='))?.slice('pg_csrf='.length) ?? '';
      const r = await fetch(`/api/v1${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-plantgate-csrf': csrf },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await r.json().catch(() => ({}))) as { error?: { code?: string } };
      return { status: r.status, code: json.error?.code };
    },
    { method, path, body },
  )) as { status: number; code?: string };
}
