// What the browser scripts share: named checks, Debian's headless Chromium with a fresh profile,
// pages of Tollgate linked from the chat app, and the way a script ends.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE_URL = (process.env.BASE_URL ?? 'http://localhost:8080').replace(/\/$/, '');
export const TOKEN = process.env.TOKEN;
export const WEB_ORIGIN = process.env.WEB_ORIGIN ?? 'https://chat.example.test';
export const FOREIGN_ORIGIN = process.env.FOREIGN_ORIGIN ?? 'https://attacker.example.test';
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = process.env.SCREENSHOT_DIR ?? 'screenshots';
export const TIMEOUT = 15_000;
mkdirSync(SHOTS, { recursive: true });

export const shot = (name) => join(SHOTS, name);

const results = [];
export async function check(name, body) {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok   - ${name}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`FAIL - ${name}: ${error.stack ?? error}`);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Millicredits as the elements show them (format.js). */
export function credits(millicredits) {
  const whole = Math.floor(millicredits / 1000).toLocaleString('en-US');
  const fraction = String(millicredits % 1000).padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** A call of the API as the user of TOKEN (or another token). */
export async function api(path, init = {}, token = TOKEN) {
  const response = await fetch(BASE_URL + path, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
  return { status: response.status, body: await response.json() };
}

/** Chromium with a fresh profile of its own; the given origins are blank pages served by the script. */
export async function launch({ origins = [] } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'tollgate-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1200, height: 900 },
    // Local Network Access checks off: here the chat app's pages are public (served by this script) and
    // Tollgate is on localhost, which Chromium forbids them to frame; deployed, both are public.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-features=LocalNetworkAccessChecks'],
  });
  await browser.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  for (const origin of origins) {
    await browser.route(`${origin}/**`, (route) => route.fulfill({
      status: 200, contentType: 'text/html', body: '<!doctype html><html lang="en"><title>app</title><p>app</p></html>',
    }));
  }
  const close = async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { browser, close };
}

/** Page errors and console errors of a page, collected. */
export function watch(page) {
  page.setDefaultTimeout(TIMEOUT);
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location()?.url ?? ''})`);
  });
  return problems;
}

/** A page of Tollgate, linked from the chat app (with the token in the fragment, unless none is given). */
export async function openPage(browser, path, { token = TOKEN, from = WEB_ORIGIN, responses = [] } = {}) {
  const page = await browser.newPage();
  const problems = watch(page);
  const response = await page.goto(`${BASE_URL}${path}${token ? `#access_token=${encodeURIComponent(token)}` : ''}`,
    { referer: `${from}/` });
  responses.push({ path, headers: response.headers() });
  return { page, problems };
}

/** The problems but the refusals a page expects: the given statuses of calls to the given path. */
export function unexpected(problems, expected = []) {
  return problems.filter((p) => !expected.some(([status, path]) => p.includes(`status of ${status}`) && p.includes(path)));
}

/** Asks the example page's pre-check for a reply far beyond the balance; returns its 402 and the dialog it opened. */
export async function preCheckBeyondTheBalance(page) {
  await page.getByLabel('Model').selectOption('gpt-4o');
  await page.getByLabel('Longest answer (tokens)').fill('1000000');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/credit/pre-check')),
    page.getByRole('button', { name: 'Check' }).click(),
  ]);
  assert(response.status() === 402, `pre-check answered ${response.status()}`);
  const dialog = page.getByRole('dialog', { name: 'Not enough credits' });
  await dialog.waitFor({ state: 'visible' });
  return { response, dialog };
}

/**
 * Frames the dashboard in the given page, as the chat app does, and hands it the token once it asks
 * (tollgate:ready). Resolves true when it asked, false if it never did within 5 seconds.
 */
export function frameDashboard(page, token) {
  return page.evaluate(({ url, token, target }) => new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.title = 'Your credits and usage';
    frame.width = '1000';
    frame.height = '700';
    window.addEventListener('message', (event) => {
      if (event.source === frame.contentWindow && event.data?.type === 'tollgate:ready') {
        frame.contentWindow.postMessage({ type: 'tollgate:token', token }, target);
        resolve(true);
      }
    });
    setTimeout(() => resolve(false), 5000);
    frame.src = url;
    document.body.append(frame);
  }), { url: `${BASE_URL}/tollgate/dashboard.html`, token, target: new URL(BASE_URL).origin });
}

/** Prints the tally and exits: 0 only if every check passed. */
export function finish() {
  const failed = results.filter((r) => !r.ok).length;
  console.log(`browser checks passed: ${results.length - failed} of ${results.length}`);
  process.exit(failed === 0 && results.length > 0 ? 0 : 1);
}
