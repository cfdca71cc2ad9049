import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/install-deps.sh installs it); never a downloaded browser. */
export const CHROMIUM = process.env.PLANTGATE_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium as root, no network chatter of its own (STYLE.md); Playwright gives it a fresh profile directory. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where the tests write their screenshots (a few good ones are copied to docs/screenshots). */
export const SCREENSHOTS = process.env.PLANTGATE_SCREENSHOTS ?? join(tmpdir(), 'plantgate-web-screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> };

/**
 * axe-core run inside the page (evaluated through the DevTools protocol, so the page's
 * CSP, which refuses inline scripts, stays as it is). Returns serious and critical findings.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations;
  })) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('; ')}`).join('\n');
}

/** The tests drive the built UI that `plantgate server` serves; build it when a checkout has none yet. */
export function ensureWebBuilt(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  if (!existsSync(join(root, 'web/dist/index.html'))) execFileSync(process.execPath, [join(root, 'scripts/build-web.ts')], { stdio: 'inherit', timeout: 120_000 });
}
