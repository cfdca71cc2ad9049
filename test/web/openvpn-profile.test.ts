import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { http, login, startTestServer } from '../support/server.ts';
import { describeViolations, ensureWebBuilt, launchChromium, screenshot, seriousAxeViolations } from './browser.ts';
import { USERS, loadWebFleet } from './fleet.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** The block between <tag> and </tag> of an .ovpn. */
function inline(text: string, tag: string): string {
  const match = new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(text);
  assert.ok(match, `<${tag}> in the file`);
  return match[1] as string;
}

/** SPEC P9 in the browser: the Personal VPN page issues and rotates an OpenVPN certificate profile (issue 11 item 5). */
describe('Personal VPN page: OpenVPN certificate profile (Chromium)', () => {
  let server: Server;
  let browser: Browser;

  before(async () => {
    ensureWebBuilt();
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
    await loadWebFleet(server);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('P9: the key pair and CSR are made in the browser, the signed .ovpn is shown and downloaded once; rotate keeps the tunnel IP with a new certificate', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
    const sent: string[] = [];
    context.on('request', (r) => sent.push(r.postData() ?? ''));
    const problems: string[] = [];
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(server.url);
    await page.getByLabel('Email').fill(USERS.bob.email);
    await page.getByLabel(/^Password/).fill(USERS.bob.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Personal VPN', level: 1 }).waitFor();

    await page.getByText('OpenVPN (certificate)').click();
    await page.getByText(/a \.ovpn for OpenVPN 2\.6 and OpenVPN Connect/).waitFor();
    await screenshot(page, 'personal-vpn-openvpn-choice');
    await page.getByRole('button', { name: 'Issue my OpenVPN profile' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Shown only now').waitFor();
    assert.equal(await dialog.getByRole('img', { name: /QR code/ }).count(), 0, 'no QR code for an .ovpn (too large): the file is imported');
    await screenshot(page, 'personal-vpn-openvpn-issued');
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    const download = page.waitForEvent('download');
    await dialog.getByRole('button', { name: /^Download plantgate-/ }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^plantgate-\d+\.\d+\.\d+\.\d+\.ovpn$/);
    const text = readFileSync(await file.path(), 'utf8');
    assert.equal(text, await dialog.getByRole('textbox', { name: /OpenVPN profile/ }).inputValue(), 'download and display are the same file');
    for (const line of ['client', 'dev tun', 'remote-cert-tls server', 'remote 127.0.0.1 1194 udp', 'remote 127.0.0.1 1194 tcp']) assert.ok(text.split('\n').includes(line), line);

    const api = http(server.url, await login(server.url, USERS.bob.email, USERS.bob.password));
    const stored = (await api.get('/api/v1/vpn/profile')).body;
    assert.equal(stored.profile.kind, 'openvpn');
    const cert = new X509Certificate(inline(text, 'cert'));
    assert.ok(cert.checkPrivateKey(createPrivateKey(inline(text, 'key'))), 'the key made in the browser is the certified one');
    assert.ok(cert.verify(new X509Certificate(inline(text, 'ca')).publicKey), 'signed by the user CA in the file');
    assert.equal(cert.serialNumber.toLowerCase().replace(/^0+/, ''), stored.profile.certificate.serial);
    assert.ok(!sent.some((body) => body.includes('PRIVATE KEY')), 'the private key never left the browser');
    assert.ok(sent.some((body) => body.includes('CERTIFICATE REQUEST')), 'the CSR was sent');

    await dialog.getByRole('button', { name: 'I have saved it, close' }).click();
    await page.getByRole('heading', { name: 'Your OpenVPN profile is active' }).waitFor();
    await page.getByTestId('fact-certificate-serial').getByText(stored.profile.certificate.serial).waitFor();
    assert.equal(await page.getByRole('button', { name: /Refresh/ }).count(), 0, 'nothing to refresh: routes are pushed at connect');
    await screenshot(page, 'personal-vpn-openvpn-active');

    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('button', { name: 'Rotate and show the new file' }).click();
    await dialog.getByText('Shown only now').waitFor();
    const rotatedText = await dialog.getByRole('textbox', { name: /OpenVPN profile/ }).inputValue();
    const rotated = (await api.get('/api/v1/vpn/profile')).body;
    assert.equal(rotated.profile.tunnelIp, stored.profile.tunnelIp);
    assert.notEqual(rotated.profile.certificate.serial, stored.profile.certificate.serial);
    assert.equal(new X509Certificate(inline(rotatedText, 'cert')).serialNumber.toLowerCase().replace(/^0+/, ''), rotated.profile.certificate.serial);
    assert.notEqual(inline(rotatedText, 'key'), inline(text, 'key'), 'a new key pair');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
