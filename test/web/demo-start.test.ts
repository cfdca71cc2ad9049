import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { describeViolations, ensureWebBuilt, launchChromium, screenshot, seriousAxeViolations } from './browser.ts';
import { USERS } from './fleet.ts';

/**
 * The README's first command, `npm ci && npm start -- --demo`, on a fresh data directory:
 * the process prints the UI's URL and who the demo users are, and that URL is a working UI.
 */
describe('npm start -- --demo: a working web UI on the demo fleet (issue 8)', () => {
  const work = mkdtempSync(join(tmpdir(), 'plantgate-demo-web-'));
  let server: ServerProcess;
  let browser: Browser;
  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startServerProcess({ dataDir: join(work, 'data'), args: ['--demo'] }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('the start prints the Web UI URL, the operator password and each demo user with password and role', async () => {
    // The lines come after "listening"; wait for the last of them.
    for (let i = 0; i < 50 && !server.output().includes('Web UI:'); i++) await new Promise((r) => setTimeout(r, 100));
    const out = server.output();
    assert.ok(out.includes(`Web UI: ${server.url}/`), out);
    assert.match(out, /platform operator admin@plantgate\.local created with one-time password: \S+/);
    const line = (email: string) => out.split('\n').find((l) => l.includes(`${email} / `)) ?? '';
    assert.match(line(USERS.alice.email), /demo-alice-pw +SolarCo admin; operator on portfolio North; technical-manager on Park B$/);
    assert.match(line(USERS.mona.email), /demo-mona-pw +SolarCo moderator$/);
    assert.match(line(USERS.bob.email), /demo-bob-pw +SolarCo member; operator on Park A$/);
    assert.match(line(USERS.vera.email), /demo-vera-pw +SolarCo member; viewer on Park A$/);
    assert.match(line(USERS.carol.email), /demo-carol-pw +WindServ admin; operator on SolarCo's Park A \(cooperation SolarCo → WindServ\)$/);
    assert.match(line(USERS.walt.email), /demo-walt-pw +WindServ member$/);
  });

  test('the printed URL serves the UI: Bob signs in, sees his route with its devices, and signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    await page.getByLabel('Email').fill(USERS.bob.email);
    await page.getByLabel(/^Password/).fill(USERS.bob.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'You have no personal VPN profile' }).waitFor();
    await page.getByRole('link', { name: 'Routes' }).click();
    const parkA = page.locator('[data-testid="route-row"][data-plant="Park A"]');
    await parkA.waitFor();
    assert.equal(await page.getByTestId('route-row').count(), 1, 'Bob reaches Park A only');
    assert.deepEqual(await parkA.getByTestId('route-device').evaluateAll((els) => els.map((e) => e.getAttribute('data-device'))), ['inverter-1', 'logger']);
    await screenshot(page, 'demo-routes-bob');
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to plantgate' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });
});
