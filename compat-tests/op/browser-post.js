// Headless Chromium: a form POST that must log in first (OIDCPreservePost).
//
//   node browser-post.js FORM_URL TARGET_URL [USER]
//
// Opens FORM_URL (an unprotected page on the relying party whose form
// auto-submits method=post to TARGET_URL, a protected URL) in Debian's
// /usr/bin/chromium with a fresh profile, logs in as USER at the OP's
// development login form (any password), then waits until the browser is
// on TARGET_URL again with the backend's page ("backend saw ..."), and
// prints on stdout:
//
//   nav: METHOD URL -> STATUS [body=POSTDATA]   every main-frame document, in order
//   url: FINAL-URL
//   the final page's text
//
// Exits 1 (after printing what it has, the reason on stderr) on any failure,
// when Chromium has not started within 60 s (a cold first start on a fresh
// machine builds its caches), or 30 s after it started.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

const [formURL, targetURL, user = 'alice'] = process.argv.slice(2);
if (!formURL || !targetURL) {
  console.error('usage: node browser-post.js FORM_URL TARGET_URL [USER]');
  process.exit(2);
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-chromium-'));
let context;
let page;
const navs = [];

async function dump() {
  for (const n of navs) process.stdout.write(`${n}\n`);
  if (!page) return;
  process.stdout.write(`url: ${page.url()}\n`);
  try {
    process.stdout.write(await page.locator('body').innerText({ timeout: 2000 }));
  } catch (e) {
    process.stdout.write(`(no page text: ${e.message.split('\n')[0]})`);
  }
  process.stdout.write('\n');
}

async function fail(msg) {
  console.error(`browser-post: ${msg}`);
  await dump().catch(() => {});
  if (context) await context.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(1);
}

let timer = setTimeout(() => { fail('Chromium did not start within 60 s'); }, 60000);

try {
  context = await chromium.launchPersistentContext(profile, {
    timeout: 60000,
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] || await context.newPage();
  clearTimeout(timer);
  timer = setTimeout(() => { fail('timeout 30 s after Chromium started'); }, 30000);
  page.on('response', (resp) => {
    const req = resp.request();
    if (!req.isNavigationRequest() || req.frame() !== page.mainFrame()) return;
    let line = `nav: ${req.method()} ${req.url()} -> ${resp.status()}`;
    if (req.method() === 'POST') line += ` body=${req.postData()}`;
    navs.push(line);
  });
  await page.goto(formURL);
  const login = page.locator('input[name="login"]');
  await login.waitFor({ timeout: 15000 });
  await login.fill(user);
  await page.locator('input[name="password"]').fill('x');
  await Promise.all([
    page.waitForURL((u) => u.href === targetURL, { timeout: 15000 }),
    page.locator('button[type="submit"]').first().click(),
  ]);
  await page.waitForFunction(() => document.body && document.body.innerText.includes('backend saw'), null, { timeout: 10000 });
  await dump();
  await context.close();
  clearTimeout(timer);
  fs.rmSync(profile, { recursive: true, force: true });
} catch (err) {
  await fail(err.message);
}
