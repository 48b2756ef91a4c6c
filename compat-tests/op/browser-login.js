// Headless Chromium login for oidcgate's compat tests.
//
//   node browser-login.js URL USER
//
// Opens URL (on a relying party) in Debian's /usr/bin/chromium with a fresh
// profile, logs in as USER at the OP's development login form (any
// password) whenever it appears, waits until the browser is back on URL's
// origin with a page that is not the OP's, and prints that page's text on
// stdout. Exits 1 (with the reason on stderr) on any failure or after 30 s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

const [url, user = 'alice'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node browser-login.js URL [USER]');
  process.exit(2);
}
const origin = new URL(url).origin;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-chromium-'));
// 60 s for Chromium to start (a cold first start builds its caches), then 30 s.
let timer = setTimeout(() => { console.error('browser-login: Chromium did not start within 60 s'); process.exit(1); }, 60000);

let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    timeout: 60000,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  clearTimeout(timer);
  timer = setTimeout(() => { console.error('browser-login: timeout 30 s after Chromium started'); process.exit(1); }, 30000);
  await page.goto(url);
  for (let i = 0; i < 10; i += 1) {
    const here = new URL(page.url());
    if (here.origin === origin && !here.pathname.startsWith('/redirect_uri')) break;
    const login = page.locator('input[name="login"]');
    if (await login.count() > 0) {
      await login.fill(user);
      await page.locator('input[name="password"]').fill('x');
      await Promise.all([page.waitForURL((u) => u.origin === origin && !u.pathname.startsWith('/redirect_uri')), page.locator('button[type="submit"]').first().click()]);
      continue;
    }
    await page.waitForLoadState('load');
    await page.waitForTimeout(200);
  }
  const here = new URL(page.url());
  if (here.origin !== origin) throw new Error(`ended at ${page.url()}`);
  process.stdout.write(`url: ${page.url()}\n`);
  process.stdout.write(await page.locator('body').innerText());
  process.stdout.write('\n');
  await context.close();
  clearTimeout(timer);
  fs.rmSync(profile, { recursive: true, force: true });
} catch (err) {
  console.error(`browser-login: ${err.message}`);
  if (context) await context.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(1);
}
