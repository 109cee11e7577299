// Tollgate's web elements and dashboard in a real browser: Debian's headless Chromium, driven by
// playwright-core. Started by dev.tollgate.web.BrowserTest with a running Tollgate and a user who
// has usage; can be run by hand against any Tollgate:
//
//   BASE_URL=http://localhost:8080 TOKEN=$(curl -s 'localhost:8080/dev/token?sub=alice') node browser-test.mjs
//
// Environment: BASE_URL, TOKEN (a user with at least one call; free plan), USER_ID (that user's
// id) and ADMIN_TOKEN (an admin's, to set the user's balance by adjustments), OTHER_TOKEN (another
// user's: the token an attacker would hand over), WEB_ORIGIN (the chat app's origin, one of
// Tollgate's TOLLGATE_WEB_ORIGINS), FOREIGN_ORIGIN (any other), CHROMIUM (/usr/bin/chromium),
// SCREENSHOT_DIR (where the screenshots go), TEAM_ID (a team the user owns, with one other member
// capped at 20 credits who spent less than that from the pool), MEMBER_ID and MEMBER_TOKEN (that
// member's). The team's pool is drained to 1 credit by the end. The two origins are pages this script serves itself
// (no server behind them). Purchases are not configured here: the pages must not offer them
// (purchase-browser-test.mjs checks them where they are). Exits 0 only if every check passed.
import {
  BASE_URL, TOKEN, WEB_ORIGIN, FOREIGN_ORIGIN, shot, check, assert, credits, api, launch, watch, openPage as open, finish,
  unexpected, preCheckBeyondTheBalance, frameDashboard,
} from './harness.mjs';

const OTHER_TOKEN = process.env.OTHER_TOKEN;
const USER_ID = process.env.USER_ID;
const ADMIN_TOKEN = process.env.ADMIN_TOKEN;
const TEAM_ID = process.env.TEAM_ID;
const MEMBER_ID = process.env.MEMBER_ID;
const MEMBER_TOKEN = process.env.MEMBER_TOKEN;
if (!TOKEN || !OTHER_TOKEN || !USER_ID || !ADMIN_TOKEN || !TEAM_ID || !MEMBER_ID || !MEMBER_TOKEN) {
  console.error('TOKEN, OTHER_TOKEN, USER_ID, ADMIN_TOKEN, TEAM_ID, MEMBER_ID and MEMBER_TOKEN are required');
  process.exit(2);
}

// The chat app's origin and a foreign one: a blank page each, served here.
const { browser, close } = await launch({ origins: [WEB_ORIGIN, FOREIGN_ORIGIN] });
// Every request that carries the other user's token (none may).
const otherTokenRequests = [];
browser.on('request', async (request) => {
  const headers = await request.allHeaders().catch(() => ({}));
  if ((headers.authorization ?? '').includes(OTHER_TOKEN)) otherTokenRequests.push(request.url());
});

// A page of Tollgate, linked from the chat app (with the token in the fragment, unless none is given).
const pageResponses = [];
const openPage = (path, options = {}) => open(browser, path, { ...options, responses: pageResponses });

async function appPage(origin) {
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(`${origin}/`);
  return { page, problems };
}

// The app's page opens the dashboard and answers its 'tollgate:ready' with the token.
async function openDashboardFrom(app, token) {
  const [popup] = await Promise.all([
    browser.waitForEvent('page'),
    app.evaluate(({ url, token, target }) => {
      const dashboardWindow = window.open(url, 'dashboard');
      window.addEventListener('message', (event) => {
        if (event.source === dashboardWindow && event.data?.type === 'tollgate:ready') {
          dashboardWindow.postMessage({ type: 'tollgate:token', token }, target);
        }
      });
    }, { url: `${BASE_URL}/tollgate/dashboard.html`, token, target: new URL(BASE_URL).origin }),
  ]);
  return popup;
}

const settle = (page) => page.waitForTimeout(2000);

/** Sets the user's available credits by an admin adjustment of the monthly bucket; answers the balance after it. */
async function setAvailable(target, label) {
  const current = await api('/api/credit/balance');
  const amount = target - current.body.availableMillicredits;
  if (amount !== 0) {
    const adjusted = await api('/api/admin/credit/adjustments', {
      method: 'POST',
      headers: { 'Idempotency-Key': `browser-forecast-${label.replaceAll(' ', '-')}-${Date.now()}` },
      body: JSON.stringify({ userId: USER_ID, bucket: 'monthly', amountMillicredits: amount, reason: `browser test: ${label}` }),
    }, ADMIN_TOKEN);
    assert(adjusted.status === 201, `adjustment answered ${adjusted.status}: ${JSON.stringify(adjusted.body)}`);
  }
  const after = await api('/api/credit/balance');
  assert(after.body.availableMillicredits === target, `available is ${after.body.availableMillicredits}, not ${target}`);
  return after.body;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

const POOL = `team:${TEAM_ID}`;
const onPool = { 'X-Tollgate-Account': POOL };
// 75 credits of gpt-4o: more than the member's cap of 20, less than the pool's monthly allowance.
const LARGE_CALL = { model: 'gpt-4o', characterId: 'luna', usage: { uncachedInputTokens: 100_000, outputTokens: 50_000 } };

/** A charge on the pool through the page's own client (the one its widgets and dialog listen to): the status and body. */
function chargeThroughPage(page, key) {
  return page.evaluate(async ({ account, key, body }) => {
    const { sharedClient } = await import('/tollgate/tollgate.js');
    const client = (await sharedClient()).forAccount(account);
    const response = await client.fetch('/api/credit/charges', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }, { account: POOL, key, body: LARGE_CALL });
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
    await page.screenshot({ path: shot('widget.png') });
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
    await page.screenshot({ path: shot('widget-after-charge.png') });
  });

  await check('a 402 opens the dialog with what was required and what is available', async () => {
    const { response, dialog } = await preCheckBeyondTheBalance(page);
    const problem = await response.json();
    const required = await page.locator('tollgate-credits-dialog [data-testid="required"]').textContent();
    const available = await page.locator('tollgate-credits-dialog [data-testid="available"]').textContent();
    assert(required === `${credits(problem.requiredMillicredits)} credits`, `required shows "${required}" for ${problem.requiredMillicredits}`);
    assert(available === `${credits(problem.availableMillicredits)} credits`, `available shows "${available}" for ${problem.availableMillicredits}`);
    assert(problem.requiredMillicredits > problem.availableMillicredits, 'the 402 is about a shortfall');
    if (problem.upgrade) {
      assert(await dialog.getByRole('link', { name: 'Upgrade your plan' }).isVisible(), 'free plan: the upgrade link is offered');
    }
    await page.screenshot({ path: shot('insufficient-credits-dialog.png') });
  });

  await check('without purchases configured the dialog offers no packs', async () => {
    const packs = await api('/api/credit/packs');
    assert(packs.status === 404 && packs.body.type === 'https://tollgate.dev/problems/purchases-not-configured',
      `purchases are not configured here (${packs.status} ${packs.body.type})`);
    await page.locator('tollgate-credits-dialog[data-packs="not-configured"]').waitFor({ state: 'attached' });
    const dialog = page.getByRole('dialog', { name: 'Not enough credits' });
    assert(await dialog.isVisible(), 'the dialog is still open');
    assert(await dialog.getByRole('button', { name: /^Buy/ }).count() === 0, 'no buy button');
    assert(!(await dialog.getByRole('heading', { name: 'Buy credits' }).isVisible()), 'no "Buy credits" section');
    assert((await page.locator('tollgate-credits-dialog .purchase-message').textContent()) === '', 'no error is shown');
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
    await page.locator('tollgate-balance').screenshot({ path: shot('widget-low.png') });
  });

  await check('the example page runs under its own strict Content-Security-Policy without errors', async () => {
    const policy = pageResponses.find((r) => r.path === '/tollgate/example.html').headers['content-security-policy'];
    assert(policy?.includes("script-src 'self'") && policy.includes("default-src 'none'"), `Tollgate sends the policy (${policy})`);
    assert(policy.includes(`frame-ancestors ${WEB_ORIGIN}`), `only the web app may frame the page (${policy})`);
    assert(!policy.includes('unsafe'), 'no unsafe-inline or unsafe-eval');
    const violations = await page.evaluate(() => window.cspViolations);
    assert(violations.length === 0, `CSP violations: ${violations}`);
    const errors = unexpected(problems, [[402, '/api/credit/pre-check'], [404, '/api/credit/packs']]);
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
    await dashboard.screenshot({ path: shot('dashboard.png'), fullPage: true });
  });

  await check('without purchases configured the dashboard shows no purchase section and no error', async () => {
    await dashboard.locator('body[data-purchases="not-configured"]').waitFor({ state: 'attached' });
    for (const id of ['buy', 'purchases', 'auto-top-up']) {
      assert(!(await dashboard.locator(`#${id}`).isVisible()), `#${id} is hidden`);
    }
    assert(await dashboard.getByRole('button', { name: /^Buy/ }).count() === 0, 'no buy button');
    assert(await dashboard.getByRole('heading', { name: /purchases|Buy credits|Auto top-up/i }).count() === 0, 'no purchase heading');
    assert((await dashboard.locator('#pack-offer .purchase-message').textContent()) === '', 'no error is shown');
    assert(await dashboard.locator('body[data-auto-top-up="absent"]').count() === 1, 'auto top-up is not asked for either');
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
    await dashboard.screenshot({ path: shot('dashboard-page-2.png'), fullPage: true });
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

  await check('the widget and the dashboard show the day the credits run out when it is before the refresh', async () => {
    const before = await api('/api/credit/balance');
    const daily = before.body.forecast.dailySpendMillicredits;
    assert(daily > 0, `the user spent in the last 7 days (${daily} a day)`);
    // The forecast projects the week's net spend S, and S >= 7 x daily (daily is S / 7 rounded
    // down): with daily x (days to the refresh) / 2 available, the credits run out at most halfway there.
    const secondsToRefresh = Math.floor((Date.parse(before.body.nextRefreshAt) - Date.now()) / 1000);
    const short = Math.floor(daily * secondsToRefresh / 86_400 / 2);
    assert(short > 0, `the refresh is far enough away to run out before it (${secondsToRefresh} s)`);
    const shortBalance = await setAvailable(short, 'runs out before the refresh');
    assert(shortBalance.forecast.beforeRefresh === true, `the API forecasts a depletion before the refresh: ${JSON.stringify(shortBalance.forecast)}`);
    const note = `Runs out around ${dayFormat.format(new Date(shortBalance.forecast.depletesAt))} at this pace, `
      + `before the refresh on ${dayFormat.format(new Date(shortBalance.nextRefreshAt))}`;
    const widget = dashboard.locator('#balance .forecast');
    await dashboard.locator('#balance .forecast', { hasText: note }).waitFor();
    assert(await widget.isVisible(), 'the widget shows the day');
    assert(await dashboard.locator('#balance[data-forecast="before-refresh"]').count() === 1, 'the widget says so to the page');
    await dashboard.locator('#projection[data-outlook="short"]', { hasText: 'run out around' }).waitFor();
    await dashboard.screenshot({ path: shot('dashboard-forecast.png'), fullPage: true });

    // Enough for a day past the refresh, at S <= 7 x daily + 6: the widget shows no day.
    const long = Math.ceil((7 * daily + 6) * (secondsToRefresh + 86_400) / (7 * 86_400));
    const longBalance = await setAvailable(long, 'lasts past the refresh');
    assert(longBalance.forecast.beforeRefresh === false, `the API forecasts no depletion before the refresh: ${JSON.stringify(longBalance.forecast)}`);
    await dashboard.locator('#available', { hasText: `${credits(long)} credits` }).waitFor();
    await dashboard.locator('#balance:not([data-forecast])').waitFor({ state: 'attached' });
    assert(!(await widget.isVisible()), 'the widget shows no day');
    await dashboard.locator('#projection[data-outlook="fine"]', { hasText: 'last until the next refresh' }).waitFor();
  });

  await check('the dashboard shows granted credits and when each lot expires, live', async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const granted = await api('/api/admin/credit/grants', {
      method: 'POST',
      headers: { 'Idempotency-Key': `browser-grant-${Date.now()}` },
      body: JSON.stringify({ userId: USER_ID, amountMillicredits: 5000, expiresAt, reason: 'browser welcome' }),
    }, ADMIN_TOKEN);
    assert(granted.status === 201, `grant answered ${granted.status}: ${JSON.stringify(granted.body)}`);
    const lot = dashboard.locator(`#grants li[data-lot="${granted.body.lotId}"]`);
    await lot.waitFor();
    const text = await lot.textContent();
    assert(text.startsWith(`${credits(5000)} granted credits (browser welcome) expire on `), `the lot reads "${text}"`);
    const shown = await dashboard.locator('#granted').textContent();
    assert(shown === credits(granted.body.balance.grantedMillicredits), `granted shows "${shown}"`);
    await dashboard.screenshot({ path: shot('dashboard-grants.png'), fullPage: true });
  });

  await check('the dashboard has labels and runs under its own strict Content-Security-Policy without errors', async () => {
    assert(await dashboard.getByLabel('Period').count() === 1, 'the period select is labelled');
    const policy = pageResponses.find((r) => r.path === '/tollgate/dashboard.html').headers['content-security-policy'];
    assert(policy?.includes("script-src 'self'") && policy.includes("connect-src 'self'"), `Tollgate sends the policy (${policy})`);
    const violations = await dashboard.evaluate(() => window.cspViolations);
    assert(violations.length === 0, `CSP violations: ${violations}`);
    const errors = unexpected(dash.problems, [[404, '/api/credit/packs']]);
    assert(errors.length === 0, errors.join('\n'));
  });

  // ---------------------------------------------------------------- the team view and the 402s of a pool
  await check('the team view shows the pool live and, for an owner, the members and the usage by member', async () => {
    const teams = dashboard.locator('#teams[data-view="manager"][data-loaded="true"]');
    await teams.waitFor();
    const pool = await api('/api/credit/balance', { headers: onPool });
    assert(pool.status === 200, `the pool's balance answered ${pool.status}`);
    const widget = dashboard.locator('#team-balance .amount');
    await dashboard.locator('#team-balance .amount', { hasText: credits(pool.body.availableMillicredits) }).waitFor();
    assert((await widget.textContent()) === credits(pool.body.availableMillicredits), 'the widget shows the pool');
    assert((await dashboard.locator('#team-monthly').textContent()) === credits(pool.body.monthlyMillicredits), 'the monthly bucket');
    const byMember = await api(`/api/teams/${TEAM_ID}/balance`);
    const member = byMember.body.members.find((m) => m.userId === MEMBER_ID);
    assert(member.spentMillicredits > 0 && member.capMillicredits === 20_000, `the member spent within a cap: ${JSON.stringify(member)}`);
    assert(await dashboard.locator('#team-members tbody tr').count() === 2, 'the owner and the member');
    const cells = await dashboard.locator('#team-members tbody tr', { hasText: MEMBER_ID }).locator('th, td').allTextContents();
    const expected = [MEMBER_ID, 'member', credits(member.spentMillicredits), credits(member.heldMillicredits), credits(20_000),
      credits(member.remainingMillicredits)];
    assert(JSON.stringify(cells) === JSON.stringify(expected), `the member's row reads ${JSON.stringify(cells)}, not ${JSON.stringify(expected)}`);
    const usageCells = await dashboard.locator('#team-usage tbody tr', { hasText: MEMBER_ID }).locator('td').allTextContents();
    assert(usageCells[0] === '1' && usageCells[2] === credits(member.spentMillicredits), `the member's usage reads ${usageCells}`);

    // The pool's stream: an owner's charge on the pool shows up without a reload.
    const charged = await api('/api/credit/charges', {
      method: 'POST',
      headers: { ...onPool, 'Idempotency-Key': `browser-pool-${Date.now()}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', usage: { uncachedInputTokens: 1000, outputTokens: 500 } }),
    });
    assert(charged.status === 201, `the pool charge answered ${charged.status}`);
    await dashboard.locator('#team-balance .amount', { hasText: credits(charged.body.balance.availableMillicredits) }).waitFor();
    const exactly = (text) => new RegExp(`^${text.replace(/[.,]/g, '\\$&')}$`);
    await dashboard.locator('#team-members tbody tr', { hasText: USER_ID }).locator('td:nth-child(3)',
      { hasText: exactly(credits(charged.body.costMillicredits)) }).waitFor();
    const own = await api('/api/credit/balance');
    assert((await dashboard.locator('#balance .amount').textContent()) === credits(own.body.availableMillicredits),
      'the header widget still shows the user\'s own credits');
    await dashboard.screenshot({ path: shot('dashboard-team-owner.png'), fullPage: true });
  });

  await check('a member sees their cap, and a 402 of the cap names it in the widget and the dialog', async () => {
    const { page: memberPage, problems } = await openPage('/tollgate/dashboard.html', { token: MEMBER_TOKEN });
    await memberPage.locator('#teams[data-view="member"][data-loaded="true"]').waitFor();
    const me = await api(`/api/teams/${TEAM_ID}/members/me`, {}, MEMBER_TOKEN);
    const text = await memberPage.locator('#team-me').textContent();
    assert(text === `You spent ${credits(me.body.spentMillicredits)} credits from the pool this period. Your monthly cap is `
      + `${credits(20_000)} credits: ${credits(me.body.remainingMillicredits)} credits left.`, `the member reads "${text}"`);
    assert(!(await memberPage.locator('#team-members-box').isVisible()), 'a member sees no members table');

    const refused = await chargeThroughPage(memberPage, `browser-cap-${Date.now()}`);
    assert(refused.status === 402 && refused.body.ranOut === 'member-cap', `the charge was refused by the cap: ${JSON.stringify(refused)}`);
    const team = await api(`/api/teams/${TEAM_ID}`, {}, MEMBER_TOKEN);
    const message = `Your monthly cap on ${team.body.name} is reached: `
      + `${credits(refused.body.spentMillicredits + refused.body.heldMillicredits)} of ${credits(20_000)} credits used`;
    await memberPage.locator('#team-balance[data-ran-out="member-cap"]').waitFor({ state: 'attached' });
    const shown = await memberPage.locator('#team-balance .refusal').textContent();
    assert(shown === message, `the widget says "${shown}", not "${message}"`);
    assert(await memberPage.locator('#balance[data-ran-out]').count() === 0, 'the widget of the user\'s own credits says nothing');
    const dialog = memberPage.getByRole('dialog', { name: 'Not enough credits' });
    await dialog.waitFor({ state: 'visible' });
    await memberPage.locator('tollgate-credits-dialog .summary', { hasText: `${message}.` }).waitFor();
    assert(!(await dialog.getByRole('heading', { name: 'Buy credits' }).isVisible()), 'no packs for a cap');
    await memberPage.screenshot({ path: shot('dashboard-team-member-cap.png'), fullPage: true });
    await memberPage.keyboard.press('Escape');
    const errors = unexpected(problems, [[404, '/api/credit/packs'], [402, '/api/credit/charges']]);
    assert(errors.length === 0, errors.join('\n'));
    await memberPage.close();
  });

  await check("a 402 of the team's pool names the pool in the widget and the dialog", async () => {
    const pool = await api('/api/credit/balance', { headers: onPool });
    const drained = await api('/api/admin/credit/adjustments', {
      method: 'POST',
      headers: { 'Idempotency-Key': `browser-drain-${Date.now()}` },
      body: JSON.stringify({ userId: POOL, bucket: 'monthly', amountMillicredits: 1000 - pool.body.availableMillicredits, reason: 'browser test: drain the pool' }),
    }, ADMIN_TOKEN);
    assert(drained.status === 201, `the adjustment answered ${drained.status}: ${JSON.stringify(drained.body)}`);
    await dashboard.locator('#team-balance .amount', { hasText: credits(1000) }).waitFor();
    const refused = await chargeThroughPage(dashboard, `browser-pool-out-${Date.now()}`);
    assert(refused.status === 402 && refused.body.ranOut === 'pool' && refused.body.account === POOL,
      `the charge was refused by the pool: ${JSON.stringify(refused)}`);
    await dashboard.locator('#team-balance[data-ran-out="pool"]').waitFor({ state: 'attached' });
    const shown = await dashboard.locator('#team-balance .refusal').textContent();
    assert(shown === "The team's pool is out of credits", `the widget says "${shown}"`);
    assert(await dashboard.locator('#balance[data-ran-out]').count() === 0, 'the widget of the user\'s own credits says nothing');
    await dashboard.getByRole('dialog', { name: 'Not enough credits' }).waitFor({ state: 'visible' });
    const summary = await dashboard.locator('tollgate-credits-dialog .summary').textContent();
    assert(summary.startsWith("The team's pool is out of credits: this needs "), `the dialog says "${summary}"`);
    await dashboard.screenshot({ path: shot('dashboard-team-pool-out.png'), fullPage: true });
    await dashboard.keyboard.press('Escape');
  });
  await dashboard.close();

  // ---------------------------------------------------------------- sign-in: only the chat app hands over a token
  await check('a token posted by a page of a foreign origin is ignored', async () => {
    const attacker = await appPage(FOREIGN_ORIGIN);
    const popup = await openDashboardFrom(attacker.page, OTHER_TOKEN);
    const problems = watch(popup);
    await popup.waitForLoadState('load');
    await settle(popup);
    assert(await popup.locator('#signin-note').isVisible(), 'the dashboard still waits for a sign-in');
    assert(await popup.locator('body[data-loaded="true"]').count() === 0, 'no usage was loaded');
    assert(otherTokenRequests.length === 0, `the foreign token was used: ${otherTokenRequests}`);
    assert(problems.length === 0, problems.join('\n'));
    await popup.close();
    await attacker.page.close();
  });

  await check('a token in a link from a foreign page is ignored', async () => {
    const { page: linked, problems } = await openPage('/tollgate/dashboard.html', { token: OTHER_TOKEN, from: FOREIGN_ORIGIN });
    await settle(linked);
    assert(!linked.url().includes('access_token'), 'the token is removed from the address bar all the same');
    assert(await linked.locator('#signin-note').isVisible(), 'the dashboard still waits for a sign-in');
    assert(otherTokenRequests.length === 0, `the foreign token was used: ${otherTokenRequests}`);
    assert(problems.length === 0, problems.join('\n'));
    await linked.close();
  });

  await check('the dashboard takes the token from the chat app by postMessage and keeps it out of the URL', async () => {
    const app = await appPage(WEB_ORIGIN);
    const popup = await openDashboardFrom(app.page, TOKEN);
    const problems = watch(popup);
    await popup.locator('body[data-loaded="true"]').waitFor({ state: 'attached' });
    const balance = await api('/api/credit/balance');
    await popup.locator('#available', { hasText: `${credits(balance.body.availableMillicredits)} credits` }).waitFor();
    assert(!popup.url().includes('token'), 'no token in the address');
    assert(!(await popup.locator('#signin-note').isVisible()), 'the sign-in note is gone');
    const stored = await popup.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert(!stored.includes('ey'), 'the token is kept in memory only');
    const violations = await popup.evaluate(() => window.cspViolations);
    assert(violations.length === 0, `CSP violations: ${violations}`);
    assert(unexpected(problems, [[404, '/api/credit/packs']]).length === 0, problems.join('\n'));
    await popup.close();
    await app.page.close();
  });

  await check('the chat app may frame the dashboard and hand it the token; a foreign page may not frame it', async () => {
    const frameFrom = async (origin, token) => {
      const { page, problems } = await appPage(origin);
      const ready = frameDashboard(page, token);
      return { page, problems, ready };
    };
    const app = await frameFrom(WEB_ORIGIN, TOKEN);
    assert(await app.ready, `the framed dashboard asked the chat app for a token (${app.problems.join('; ')})`);
    const framed = app.page.frameLocator('iframe');
    await framed.locator('body[data-loaded="true"]').waitFor({ state: 'attached' });
    assert(!(await framed.locator('#signin-note').isVisible()), 'the framed dashboard is signed in');
    assert(unexpected(app.problems, [[404, '/api/credit/packs']]).length === 0, app.problems.join('\n'));
    await app.page.screenshot({ path: shot('dashboard-framed.png') });
    await app.page.close();

    const attacker = await frameFrom(FOREIGN_ORIGIN, OTHER_TOKEN);
    assert(!(await attacker.ready), 'a dashboard framed by a foreign page never runs');
    assert(attacker.problems.some((p) => p.includes('frame-ancestors')), `the browser refused the frame: ${attacker.problems}`);
    assert(otherTokenRequests.length === 0, `the foreign token was used: ${otherTokenRequests}`);
    await attacker.page.close();
  });
} finally {
  await close();
}
finish();
