// Buying credits in a real browser (Debian's headless Chromium, driven by playwright-core), where
// purchases are configured: Stripe is the tests' local fake, whose Checkout pages are served on
// this machine. Started by dev.tollgate.web.PurchaseBrowserTest with a running Tollgate and a new
// free-plan user with no purchase.
//
// Environment: as browser-test.mjs (BASE_URL, TOKEN, WEB_ORIGIN, CHROMIUM, SCREENSHOT_DIR), plus
// CHECKOUT_BASE (where the fake's Checkout pages are) and CHECKOUT_TITLE (their title). Stripe's
// event that reports the payment is signed and delivered by the Java side: the script prints
// `deliver paid <purchaseId> <sessionId>` and waits for the line `delivered` on its input.
// Exits 0 only if every check passed.
import { createInterface } from 'node:readline';
import {
  BASE_URL, TOKEN, WEB_ORIGIN, shot, check, assert, credits, api, launch, watch, openPage as open, unexpected, finish,
  preCheckBeyondTheBalance, frameDashboard,
} from './harness.mjs';

const CHECKOUT_BASE = process.env.CHECKOUT_BASE;
const CHECKOUT_TITLE = process.env.CHECKOUT_TITLE;
if (!TOKEN || !CHECKOUT_BASE || !CHECKOUT_TITLE) {
  console.error('TOKEN, CHECKOUT_BASE and CHECKOUT_TITLE are required');
  process.exit(2);
}
const PURCHASES = '/api/credit/purchases';
const NOT_CONFIGURED = 'https://tollgate.dev/problems/purchases-not-configured';

const input = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
/** Asks the Java side to deliver Stripe's signed checkout.session.completed (paid) for the purchase. */
async function deliverPaid(purchase) {
  console.log(`deliver paid ${purchase.purchaseId} ${purchase.checkoutUrl.slice(CHECKOUT_BASE.length)}`);
  const { value } = await input.next();
  assert(value === 'delivered', `the Java side answered "${value}"`);
}

/** A price as the page should show it: these packs are in 2-decimal currencies. */
const money = (pack) => new Intl.NumberFormat('en-US', { style: 'currency', currency: pack.priceCurrency.toUpperCase() })
  .format(pack.priceAmount / 100);
const buyName = (pack) => `Buy ${credits(pack.creditsMillicredits)} credits for ${money(pack)}`;

const { browser, close } = await launch({ origins: [WEB_ORIGIN] });
const responses = [];
const openPage = (path) => open(browser, path, { responses });
// Every Idempotency-Key of a POST /api/credit/purchases the pages send, in order.
const keys = [];
browser.on('request', (request) => {
  if (request.method() === 'POST' && new URL(request.url()).pathname === PURCHASES) keys.push(request.headers()['idempotency-key']);
});

try {
  const packs = await api('/api/credit/packs');
  const small = packs.body.packs?.find((pack) => pack.packId === 'small');
  let purchase = null;

  // ---------------------------------------------------------------- the dashboard: buy, 503, try again
  const { page: dashboard } = await openPage('/tollgate/dashboard.html');

  await check('with purchases configured the dashboard offers every pack with its price', async () => {
    assert(packs.status === 200 && packs.body.packs.length === 3, `three packs on sale (${packs.status})`);
    assert(buyName(small) === 'Buy 100 credits for $5.00', `the small pack reads "${buyName(small)}"`);
    await dashboard.locator('body[data-purchases="shown"]').waitFor({ state: 'attached' });
    assert(await dashboard.getByRole('heading', { name: 'Buy credits' }).isVisible(), 'the "Buy credits" section is shown');
    for (const pack of packs.body.packs) {
      assert(await dashboard.getByRole('button', { name: buyName(pack), exact: true }).isVisible(), `a button "${buyName(pack)}"`);
    }
    const prices = await dashboard.locator('#pack-offer .pack-price').allTextContents();
    assert(prices.includes('€3.00') && prices.includes('$40.00'), `prices in their currencies (${prices})`);
    assert(await dashboard.getByRole('heading', { name: 'Your purchases' }).isVisible(), 'the purchases are shown');
    assert(await dashboard.locator('#purchase-table').getByText('No purchases yet.').isVisible(), 'none yet');
    await dashboard.screenshot({ path: shot('dashboard-buy-credits.png'), fullPage: true });
  });

  await check('the auto top-up settings say no card is saved yet, and save what the user chooses', async () => {
    await dashboard.locator('body[data-auto-top-up="shown"]').waitFor({ state: 'attached' });
    assert(await dashboard.getByRole('heading', { name: 'Auto top-up' }).isVisible(), 'the section is shown');
    assert(await dashboard.locator('#auto-top-up-card').isVisible(), 'no card is saved yet');
    await dashboard.getByLabel('When available credits fall below').fill('20');
    await dashboard.getByLabel('Pack to buy').selectOption('small');
    await dashboard.getByLabel('Buy a pack by itself when my credits run low').check();
    await dashboard.getByRole('button', { name: 'Save', exact: true }).click();
    await dashboard.locator('#auto-top-up-status').filter({ hasText: 'Saved: auto top-up is on.' }).waitFor();
    const saved = await api('/api/credit/auto-top-up');
    assert(saved.status === 200 && saved.body.enabled === true && saved.body.thresholdCredits === 20
      && saved.body.packId === 'small', `stored: ${JSON.stringify(saved.body)}`);
    await dashboard.screenshot({ path: shot('dashboard-auto-top-up.png'), fullPage: true });
  });

  await check('an auto top-up that switched itself off says why, as an alert', async () => {
    const off = await browser.newPage();
    const reason = '3 payments in a row failed; the last: Your card has insufficient funds.';
    await off.route('**/api/credit/auto-top-up', (route) => (route.request().method() !== 'GET' ? route.continue()
      : route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          enabled: false, thresholdCredits: 20, packId: 'small', paymentMethodSaved: true, consecutiveFailures: 3,
          disabledReason: reason,
        }),
      })));
    await off.goto(`${BASE_URL}/tollgate/dashboard.html#access_token=${encodeURIComponent(TOKEN)}`, { referer: `${WEB_ORIGIN}/` });
    const alert = off.getByRole('alert').filter({ hasText: reason });
    await alert.waitFor();
    assert(!(await off.getByLabel('Buy a pack by itself when my credits run low').isChecked()), 'shown as off');
    await off.screenshot({ path: shot('dashboard-auto-top-up-off.png'), fullPage: true });
    await off.close();
  });

  await check('a 503 of the payment provider is shown as a message to try again, and nothing is bought', async () => {
    let refused = false;
    await dashboard.route(`**${PURCHASES}`, async (route) => {
      if (route.request().method() !== 'POST' || refused) return route.continue();
      refused = true;
      return route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        headers: { 'Retry-After': '5' },
        body: JSON.stringify({
          type: 'https://tollgate.dev/problems/payment-provider-unavailable', title: 'The payment provider is unavailable',
          status: 503, detail: 'The payment provider cannot be reached right now. Retry with the same idempotency key.',
          retryAfterSeconds: 5,
        }),
      });
    });
    await dashboard.getByRole('button', { name: buyName(small), exact: true }).click();
    const message = dashboard.locator('#pack-offer [role="status"]');
    await message.filter({ hasText: 'cannot be reached' }).waitFor();
    assert((await message.getAttribute('aria-live')) === 'polite', 'the message is a live region');
    assert(refused, 'the request was the one refused');
    assert(await dashboard.getByRole('button', { name: 'Try again' }).isVisible(), '"Try again" is offered');
    assert(await dashboard.getByRole('button', { name: buyName(small), exact: true }).isEnabled(), 'the buy buttons work again');
    assert(dashboard.url().startsWith(`${new URL(dashboard.url()).origin}/tollgate/dashboard.html`), 'still on the dashboard');
    const mine = await api(PURCHASES);
    assert(mine.status === 200 && mine.body.items.length === 0, 'no purchase was made');
    await dashboard.screenshot({ path: shot('dashboard-buy-retry.png'), fullPage: true });
  });

  await check('"Try again" repeats the click under its key and the browser lands on the local Checkout page', async () => {
    await Promise.all([
      dashboard.waitForURL(`${CHECKOUT_BASE}**`),
      dashboard.getByRole('button', { name: 'Try again' }).click(),
    ]);
    assert(keys.length === 2 && keys[0] && keys[0] === keys[1], `the retry sent the first key again (${keys})`);
    const mine = await api(PURCHASES);
    assert(mine.body.items.length === 1, `one purchase (${mine.body.items.length})`);
    purchase = mine.body.items[0];
    assert(purchase.status === 'pending' && purchase.packId === 'small', `a pending purchase of the small pack (${purchase.status})`);
    assert(new URL(CHECKOUT_BASE).hostname === '127.0.0.1', `the Checkout pages are local (${CHECKOUT_BASE})`);
    assert(dashboard.url() === purchase.checkoutUrl, `landed on the purchase's Checkout URL (${dashboard.url()})`);
    assert(await dashboard.title() === CHECKOUT_TITLE, `the page is the fake's Checkout (${await dashboard.title()})`);
    await dashboard.screenshot({ path: shot('checkout.png') });
  });
  await dashboard.close();

  // ---------------------------------------------------------------- the purchases: pending, then paid
  const history = await openPage('/tollgate/dashboard.html');
  const historyPage = history.page;

  await check('the purchases show it pending, with a link to continue to payment', async () => {
    assert(purchase, 'a purchase was made');
    const row = historyPage.locator(`tr[data-purchase-id="${purchase.purchaseId}"]`);
    await historyPage.locator(`tr[data-purchase-id="${purchase.purchaseId}"][data-status="pending"]`).waitFor();
    assert(await row.locator('.status').textContent() === 'Waiting for payment', 'the status in words');
    assert((await row.locator('td').allTextContents()).includes('$5.00'), 'with its price');
    const link = row.getByRole('link', { name: 'Continue to payment' });
    assert(await link.getAttribute('href') === purchase.checkoutUrl, 'the link goes to its Checkout page');
    await historyPage.evaluate(() => { window.notReloaded = true; });
    await historyPage.screenshot({ path: shot('purchases-pending.png'), fullPage: true });
  });

  await check('Stripe\'s paid event turns it paid and adds the credits, live', async () => {
    assert(purchase, 'a purchase was made');
    const before = await api('/api/credit/balance');
    await deliverPaid(purchase);
    const row = historyPage.locator(`tr[data-purchase-id="${purchase.purchaseId}"]`);
    await historyPage.locator(`tr[data-purchase-id="${purchase.purchaseId}"][data-status="paid"]`).waitFor();
    assert(await row.locator('.status').textContent() === 'Paid', 'the status in words');
    assert(await row.getByRole('link').count() === 0, 'no link to pay any more');
    const after = await api('/api/credit/balance');
    assert(after.body.purchasedMillicredits === before.body.purchasedMillicredits + small.creditsMillicredits,
      `the pack's credits were added (${before.body.purchasedMillicredits} -> ${after.body.purchasedMillicredits})`);
    await historyPage.locator('#purchased', { hasText: credits(after.body.purchasedMillicredits) }).waitFor();
    assert(await historyPage.evaluate(() => window.notReloaded === true), 'the page was not reloaded');
    await historyPage.screenshot({ path: shot('purchases-paid.png'), fullPage: true });
  });

  await check('the dashboard with purchases runs under its strict Content-Security-Policy without errors', async () => {
    const violations = await historyPage.evaluate(() => window.cspViolations);
    assert(violations.length === 0, `CSP violations: ${violations}`);
    const errors = unexpected(history.problems);
    assert(errors.length === 0, errors.join('\n'));
  });
  await historyPage.close();

  // ---------------------------------------------------------------- the 402 dialog
  const example = await openPage('/tollgate/example.html');
  const page = example.page;

  await check('the 402 dialog offers the packs, and the focus stays inside it', async () => {
    assert((await api('/api/credit/packs')).body.type !== NOT_CONFIGURED, 'purchases are configured');
    const { dialog } = await preCheckBeyondTheBalance(page);
    await page.locator('tollgate-credits-dialog[data-packs="shown"]').waitFor({ state: 'attached' });
    assert(await dialog.getByRole('heading', { name: 'Buy credits' }).isVisible(), 'a "Buy credits" section');
    for (const pack of packs.body.packs) {
      assert(await dialog.getByRole('button', { name: buyName(pack), exact: true }).isVisible(), `a button "${buyName(pack)}"`);
    }
    const focused = () => page.evaluate(() => {
      const host = document.querySelector('tollgate-credits-dialog');
      const active = host.shadowRoot.activeElement;
      return document.activeElement === host && active?.closest('dialog') ? (active.getAttribute('aria-label') ?? active.textContent.trim()) : null;
    });
    assert(await focused() === 'Close' || await focused() === 'Upgrade your plan', `the focus starts on an action (${await focused()})`);
    const seen = new Set();
    for (let i = 0; i < packs.body.packs.length + 3; i++) {
      await page.keyboard.press('Tab');
      const now = await focused();
      assert(now, `after Tab #${i + 1} the focus is still in the dialog`);
      seen.add(now);
    }
    assert(seen.has(buyName(small)) && seen.has('Close'), `Tab reaches the buy buttons and Close (${[...seen]})`);
    await page.screenshot({ path: shot('insufficient-credits-dialog-packs.png') });
  });

  await check('a buy button of the dialog sends a key of its own and goes to the Checkout page', async () => {
    const before = keys.length;
    await Promise.all([
      page.waitForURL(`${CHECKOUT_BASE}**`),
      page.getByRole('dialog').getByRole('button', { name: buyName(small), exact: true }).click(),
    ]);
    assert(keys.length === before + 1 && !keys.slice(0, before).includes(keys[before]), `a fresh key (${keys})`);
    const mine = await api(PURCHASES);
    assert(mine.body.items.length === 2 && page.url() === mine.body.items[0].checkoutUrl, 'at the new purchase\'s Checkout page');
    assert(await page.title() === CHECKOUT_TITLE, 'the fake\'s Checkout page');
    const errors = unexpected(example.problems, [[402, '/api/credit/pre-check']]);
    assert(errors.length === 0, errors.join('\n'));
  });
  await page.close();

  // ---------------------------------------------------------------- the dashboard in the chat app's frame
  await check('a dashboard framed by the chat app sends the whole tab to the Checkout page', async () => {
    const app = await browser.newPage();
    const problems = watch(app);
    await app.goto(`${WEB_ORIGIN}/`);
    await frameDashboard(app, TOKEN);
    const framed = app.frameLocator('iframe');
    await framed.locator('body[data-purchases="shown"]').waitFor({ state: 'attached' });
    await Promise.all([
      app.waitForURL(`${CHECKOUT_BASE}**`),
      framed.getByRole('button', { name: buyName(small), exact: true }).click(),
    ]);
    const mine = await api(PURCHASES);
    assert(app.url() === mine.body.items[0].checkoutUrl, `the tab is at the new purchase's Checkout page (${app.url()})`);
    assert(await app.title() === CHECKOUT_TITLE, 'the fake\'s Checkout page');
    const errors = unexpected(problems);
    assert(errors.length === 0, errors.join('\n'));
    await app.close();
  });
} finally {
  await close();
}
finish();
