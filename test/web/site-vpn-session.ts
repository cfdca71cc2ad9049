import type { Page } from 'playwright-core';
import { openOrgTab } from './org-session.ts';

/** The Site VPN tests' steps through the plant pages (test/web/site-vpn*.test.ts). */
export async function openPlantTab(page: Page, plant: string, tab: 'Site VPN' | 'User VPN' | 'Web targets'): Promise<void> {
  await openOrgTab(page, 'Plants');
  await page.locator(`[data-testid="plant-row"][data-plant="${plant}"]`).getByRole('link', { name: plant }).click();
  await page.getByTestId('plant-name').filter({ hasText: plant }).waitFor();
  await page
    .getByRole('navigation', { name: `${plant} tabs` })
    .getByRole('link', { name: tab })
    .click();
  await page.getByRole('heading', { name: tab, level: 2 }).waitFor();
}

export async function upload(page: Page, name: string, text: string): Promise<void> {
  await page.locator('input[type="file"]').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
}

export const step = (page: Page, name: string) => page.locator(`[data-testid="wizard-step"][data-step="${name}"]`).waitFor();
export const card = (page: Page, name: string) => page.locator(`[data-testid="direct-vpn-card"][data-vpn="${name}"]`);
