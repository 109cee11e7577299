// Tollgate's web elements and dashboard in a real browser: Debian's headless Chromium, driven by
// playwright-core. Started by dev.tollgate.web.BrowserTest with a running Tollgate and a user who
// has usage; can be run by hand against any Tollgate:
//
//   BASE_URL=http://localhost:8080 TOKEN=$(curl -s 'localhost:8080/dev/token?sub=alice') node browser-test.mjs
//
// Environment: BASE_URL, TOKEN (a user with at least one call; free plan), CHROMIUM
// (/usr/bin/chromium), SCREENSHOT_DIR (where the screenshots go). Exits 0 only if every check passed.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE_URL = (process.env.BASE_URL ?? 'http://localhost:8080').replace(/\/$/, '');
const TOKEN = process.env.TOKEN;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR ?? 'screenshots';
const TIMEOUT = 15_000;
if (!TOKEN) {
  console.error('TOKEN is required');
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

// A strict policy as a production deployment may send it: no inline script or style anywhere.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok   - ${name}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`FAIL - ${name}: ${error.stack ?? error}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function credits(millicredits) {
  const whole = Math.floor(millicredits / 1000).toLocaleString('en-US');
  const fraction = String(millicredits % 1000).padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

async function api(path, init = {}) {
  const response = await fetch(BASE_URL + path, {
    ...init,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
  return { status: response.status, body: await response.json() };
}

const profile = mkdtempSync(join(tmpdir(), 'tollgate-chromium-'));
// A fresh profile (--user-data-dir) of its own, removed afterwards.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1200, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

await browser.addInitScript(() => {
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
});
// Tollgate's pages are served with the strict policy added, as a hardened deployment would.
await browser.route(`${BASE_URL}/tollgate/**`, async (route) => {
  const response = await route.fetch();
  await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
});

function watch(page) {
  page.setDefaultTimeout(TIMEOUT);
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  return problems;
}

async function openPage(path, { token = TOKEN } = {}) {
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(`${BASE_URL}${path}${token ? `#access_token=${encodeURIComponent(token)}` : ''}`);
  return { page, problems };
}

async function widgetText(page) {
  return page.locator('tollgate-balance .amount').textContent();
}

try {
  // ---------------------------------------------------------------- the example page: widget and dialog
  const { page, problems } = await openPage('/tollgate/example.html');
  const before = await api('/api/credit/balance');

  await check('the balance widget shows the balance', async () => {
    const expected = credits(before.body.availableMillicredits);
    await page.waitForFunction((text) => document.querySelector('tollgate-balance')?.shadowRoot
      ?.querySelector('.amount')?.textContent === text, expected);
    const status = page.getByRole('status', { name: 'Credits' });
    assert((await status.textContent()) === expected, 'the amount is reachable as the status named "Credits"');
    assert((await status.getAttribute('aria-live')) === 'polite', 'the amount is a polite live region');
    assert(!(await page.locator('#signin-note').isVisible()), 'the sign-in note is gone once the token came');
    assert(!page.url().includes('access_token'), 'the token is removed from the address bar');
    await page.screenshot({ path: join(SHOTS, 'widget.png') });
  });

  await check('a charge made through the API updates the widget live, without a reload', async () => {
    await page.evaluate(() => { window.notReloaded = true; });
    const charged = await api('/api/credit/charges', {
      method: 'POST',
      headers: { 'Idempotency-Key': `browser-live-${Date.now()}` },
      body: JSON.stringify({ model: 'gpt-4o', characterId: 'luna', usage: { uncachedInputTokens: 4000, outputTokens: 2000 } }),
    });
    assert(charged.status === 201, `charge answered ${charged.status}`);
    const expected = credits(charged.body.balance.availableMillicredits);
    assert(expected !== credits(before.body.availableMillicredits), 'the charge changed the balance');
    await page.waitForFunction((text) => document.querySelector('tollgate-balance')
      .shadowRoot.querySelector('.amount').textContent === text, expected);
    assert(await page.evaluate(() => window.notReloaded === true), 'the page was not reloaded');
    await page.screenshot({ path: join(SHOTS, 'widget-after-charge.png') });
  });

  await check('a 402 opens the dialog with what was required and what is available', async () => {
    await page.getByLabel('Model').selectOption('gpt-4o');
    await page.getByLabel('Longest answer (tokens)').fill('1000000');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/credit/pre-check')),
      page.getByRole('button', { name: 'Check' }).click(),
    ]);
    assert(response.status() === 402, `pre-check answered ${response.status()}`);
    const problem = await response.json();
    const dialog = page.getByRole('dialog', { name: 'Not enough credits' });
    await dialog.waitFor({ state: 'visible' });
    const required = await page.locator('tollgate-credits-dialog [data-testid="required"]').textContent();
    const available = await page.locator('tollgate-credits-dialog [data-testid="available"]').textContent();
    assert(required === `${credits(problem.requiredMillicredits)} credits`, `required shows "${required}" for ${problem.requiredMillicredits}`);
    assert(available === `${credits(problem.availableMillicredits)} credits`, `available shows "${available}" for ${problem.availableMillicredits}`);
    assert(problem.requiredMillicredits > problem.availableMillicredits, 'the 402 is about a shortfall');
    if (problem.upgrade) {
      assert(await dialog.getByRole('link', { name: 'Upgrade your plan' }).isVisible(), 'free plan: the upgrade link is offered');
    }
    await page.screenshot({ path: join(SHOTS, 'insufficient-credits-dialog.png') });
  });

  await check('the dialog traps the focus, closes on Escape and gives the focus back', async () => {
    const inDialog = () => page.evaluate(() => {
      const host = document.querySelector('tollgate-credits-dialog');
      const active = host.shadowRoot.activeElement;
      return document.activeElement === host && active !== null && active.closest('dialog') !== null
        ? active.textContent.trim() : null;
    });
    const seen = new Set();
    assert(await inDialog(), 'focus moved into the dialog when it opened');
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      const focused = await inDialog();
      assert(focused, `after Tab #${i + 1} the focus is still in the dialog`);
      seen.add(focused);
    }
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Shift+Tab');
      assert(await inDialog(), `after Shift+Tab #${i + 1} the focus is still in the dialog`);
    }
    assert(seen.has('Close'), 'Tab reaches the Close button');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    const back = await page.evaluate(() => document.activeElement?.id);
    assert(back === 'send', `focus returned to the button that opened it (is on "${back}")`);
  });

  await check('every control of the example page has a label', async () => {
    const unlabeled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label')).map((el) => el.id || el.name));
    assert(unlabeled.length === 0, `unlabeled: ${unlabeled}`);
    await page.getByLabel('Message', { exact: true }).fill('Hi');
    const dialogLabel = await page.evaluate(() => {
      const root = document.querySelector('tollgate-credits-dialog').shadowRoot;
      const dialog = root.querySelector('dialog');
      return root.getElementById(dialog.getAttribute('aria-labelledby'))?.textContent;
    });
    assert(dialogLabel === 'Not enough credits', 'the dialog is labelled by its title');
  });

  await check('a free plan running low shows the warning level and the upgrade prompt, live', async () => {
    const now = await api('/api/credit/balance');
    assert(now.body.plan === 'free' && now.body.warningLevel === 'ok', `starts free and ok (${now.body.warningLevel})`);
    // gpt-4o output costs exactly 1 millicredit a token: leave 10 credits, between the low and critical thresholds.
    const target = 10_000;
    assert(target <= now.body.thresholds.lowMillicredits && target > now.body.thresholds.criticalMillicredits, 'target is in "low"');
    const charged = await api('/api/credit/charges', {
      method: 'POST',
      headers: { 'Idempotency-Key': `browser-low-${Date.now()}` },
      body: JSON.stringify({ model: 'gpt-4o', usage: { uncachedInputTokens: 0, outputTokens: now.body.availableMillicredits - target } }),
    });
    assert(charged.status === 201 && charged.body.balance.availableMillicredits === target, `charge answered ${charged.status}`);
    await page.locator('tollgate-balance[data-level="low"]').waitFor({ state: 'attached' });
    assert(await widgetText(page) === credits(target), 'the amount followed');
    assert(await page.locator('tollgate-balance .level').textContent() === 'Credits running low', 'the level is said in words');
    const upgrade = page.getByRole('link', { name: 'Upgrade for more credits' });
    assert(await upgrade.isVisible(), 'the upgrade prompt is shown');
    assert((await upgrade.getAttribute('href')) === '#upgrade', 'it links to upgrade-url');
    await page.locator('tollgate-balance').screenshot({ path: join(SHOTS, 'widget-low.png') });
  });

  await check('the example page runs under a strict Content-Security-Policy without errors', async () => {
    const violations = await page.evaluate(() => window.cspViolations);
    assert(violations.length === 0, `CSP violations: ${violations}`);
    const errors = problems.filter((p) => !p.includes('402'));
    assert(errors.length === 0, errors.join('\n'));
  });
  await page.close();

  // ---------------------------------------------------------------- the dashboard
  const dash = await openPage('/tollgate/dashboard.html');
  const dashboard = dash.page;
  const usage = await api('/api/credit/usage?groupBy=day,model,character&size=20');

  await check('the dashboard draws its charts and shows the balance and projection', async () => {
    await dashboard.locator('body[data-loaded="true"]').waitFor({ state: 'attached' });
    const dayBars = await dashboard.locator('#chart-days svg rect.bar').count();
    assert(dayBars === 30, `30 days of bars (drew ${dayBars})`);
    const today = new Date().toISOString().slice(0, 10);
    const todayHeight = Number(await dashboard.locator(`#chart-days rect.bar[data-key="${today}"]`).getAttribute('height'));
    assert(todayHeight > 0, 'today has a bar');
    const models = await dashboard.locator('#chart-models svg rect.bar').count();
    assert(models === usage.body.byModel.length && models >= 2, `one bar per model (${models} of ${usage.body.byModel.length})`);
    const characters = await dashboard.locator('#chart-characters svg rect.bar').count();
    assert(characters === usage.body.byCharacter.length && characters >= 2, `one bar per character (${characters})`);
    assert(await dashboard.getByRole('img', { name: /Credits by model/ }).count() === 1, 'the model chart is an image with a text alternative');
    const balance = await api('/api/credit/balance');
    const available = await dashboard.locator('#available').textContent();
    assert(available === `${credits(balance.body.availableMillicredits)} credits`, `available shows "${available}"`);
    const projection = await dashboard.locator('#projection').textContent();
    assert(/credits a day/.test(projection), `projection: "${projection}"`);
    await dashboard.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
  });

  await check('the recent calls table pages through the calls', async () => {
    const total = usage.body.calls.totalCalls;
    assert(total > 20, `the test user has more than one page of calls (${total})`);
    assert(await dashboard.locator('#calls tbody tr').count() === 20, 'the first page holds 20 calls');
    const firstModel = await dashboard.locator('#calls tbody tr:first-child td:nth-child(2)').textContent();
    assert(firstModel === usage.body.calls.items[0].model, 'newest call first');
    assert(await dashboard.getByRole('button', { name: 'Previous' }).isDisabled(), 'no page before the first');
    await dashboard.getByRole('button', { name: 'Next' }).click();
    await dashboard.locator('#page-status', { hasText: 'Page 2 of' }).waitFor();
    const rowsOnPage2 = await dashboard.locator('#calls tbody tr').count();
    assert(rowsOnPage2 === Math.min(20, total - 20), `page 2 holds the rest (${rowsOnPage2})`);
    await dashboard.screenshot({ path: join(SHOTS, 'dashboard-page-2.png'), fullPage: true });
  });

  await check('the dashboard follows a charge live', async () => {
    const charged = await api('/api/credit/charges', {
      method: 'POST',
      headers: { 'Idempotency-Key': `browser-dash-${Date.now()}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', characterId: 'kai', usage: { uncachedInputTokens: 100, outputTokens: 50 } }),
    });
    assert(charged.status === 201, `charge answered ${charged.status}`);
    await dashboard.locator('#available', { hasText: `${credits(charged.body.balance.availableMillicredits)} credits` }).waitFor();
    await dashboard.locator('#page-status', { hasText: `(${usage.body.calls.totalCalls + 1} calls)` }).waitFor();
  });

  await check('the dashboard has labels and runs under a strict Content-Security-Policy without errors', async () => {
    assert(await dashboard.getByLabel('Period').count() === 1, 'the period select is labelled');
    const violations = await dashboard.evaluate(() => window.cspViolations);
    assert(violations.length === 0, `CSP violations: ${violations}`);
    assert(dash.problems.length === 0, dash.problems.join('\n'));
  });
  await dashboard.close();

  // ---------------------------------------------------------------- sign-in by postMessage from the opener
  await check('the dashboard takes the token from its opener by postMessage and keeps it out of the URL', async () => {
    const opener = (await openPage('/tollgate/example.html', { token: null })).page;
    const [popup] = await Promise.all([
      browser.waitForEvent('page'),
      opener.evaluate((token) => new Promise((resolve) => {
        const dashboardWindow = window.open('/tollgate/dashboard.html', 'dashboard');
        window.addEventListener('message', (event) => {
          if (event.source === dashboardWindow && event.data?.type === 'tollgate:ready') {
            dashboardWindow.postMessage({ type: 'tollgate:token', token }, window.location.origin);
            resolve();
          }
        });
      }), TOKEN),
    ]);
    const problems = watch(popup);
    await popup.locator('body[data-loaded="true"]').waitFor({ state: 'attached' });
    const balance = await api('/api/credit/balance');
    await popup.locator('#available', { hasText: `${credits(balance.body.availableMillicredits)} credits` }).waitFor();
    assert(!popup.url().includes('token'), 'no token in the address');
    assert(!(await popup.locator('#signin-note').isVisible()), 'the sign-in note is gone');
    const stored = await popup.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert(!stored.includes('ey'), 'the token is kept in memory only');
    assert(problems.length === 0, problems.join('\n'));
    await popup.close();
    await opener.close();
  });
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
console.log(`browser checks passed: ${results.length - failed} of ${results.length}`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
