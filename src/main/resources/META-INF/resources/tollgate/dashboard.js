// The usage dashboard: balance, usage charts over time, by model and by character, the recent
// calls page by page, and when the credits run out at the current pace; where purchases are
// configured, the packs on sale, the user's purchases and the auto top-up settings (none of the
// three where they are not); the user's team pools (dashboard-teams.js). Kept live by the balance
// stream: a change of the balance reloads the usage and the purchases.
import { configure } from './tollgate.js';
import { startHandover, getToken, hasToken, requestFreshToken } from './session.js';
import { credits, date, dateTime, integer, price } from './format.js';
import { columns, rows } from './charts.js';
import { PackOffer, webUrl } from './packs.js';
import { teamView } from './dashboard-teams.js';

const PAGE_SIZE = 20;
const PURCHASE_PAGE_SIZE = 10;
const PACE_DAYS = 7;
const DAY_MS = 86_400_000;

startHandover();
const client = configure({ getToken });
client.addEventListener('unauthenticated', requestFreshToken);

const $ = (id) => document.getElementById(id);
const state = {
  page: 0, days: 30, usage: null, balance: null, reload: null,
  // Purchases: null until the packs answered, then whether they are configured.
  purchasesConfigured: null, purchasePage: 0, autoTopUp: null,
};
const offer = new PackOffer($('pack-offer'), client);
const teams = teamView(client);

const note = $('signin-note');
const refreshNote = () => { note.hidden = hasToken(); };
document.addEventListener('tollgate-token', () => { refreshNote(); loadUsage(); loadPurchasing(); teams.load(); });
refreshNote();
if (hasToken()) {
  loadUsage();
  loadPurchasing();
  teams.load();
}

client.addEventListener('balance', (event) => {
  const previous = state.balance;
  state.balance = event.detail;
  renderBalance();
  // A change of the balance (not the same one read twice) means new usage, a hold or a purchase.
  if (previous && JSON.stringify(previous) !== JSON.stringify(event.detail)) scheduleReload();
  if (previous && JSON.stringify(previous.autoTopUp ?? null) !== JSON.stringify(event.detail.autoTopUp ?? null)) loadAutoTopUp();
});
// Back from the Checkout page (the browser may show the page as it was left): what changed meanwhile.
window.addEventListener('pageshow', (event) => { if (event.persisted && hasToken()) loadPurchases(); });

$('range').addEventListener('change', (event) => {
  state.days = Number(event.target.value);
  state.page = 0;
  loadUsage();
});
$('previous').addEventListener('click', () => { if (state.page > 0) { state.page--; loadUsage(); } });
$('next').addEventListener('click', () => { state.page++; loadUsage(); });
$('purchases-previous').addEventListener('click', () => {
  if (state.purchasePage > 0) { state.purchasePage--; loadPurchases(); }
});
$('purchases-next').addEventListener('click', () => { state.purchasePage++; loadPurchases(); });
$('auto-top-up-form').addEventListener('submit', saveAutoTopUp);

function scheduleReload() {
  clearTimeout(state.reload);
  state.reload = setTimeout(() => { loadUsage(); loadPurchases(); }, 1000);
}

function utcDay(offsetDays) {
  return new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

async function loadUsage() {
  try {
    const usage = await client.usage({
      from: utcDay(-(state.days - 1)), to: utcDay(0), groupBy: 'day,model,character', page: state.page, size: PAGE_SIZE,
    });
    state.usage = usage;
    renderUsage();
    renderCalls();
    renderProjection();
    document.body.dataset.loaded = 'true';
  } catch (error) {
    $('totals').textContent = 'Usage could not be loaded.';
  }
}

function renderBalance() {
  const b = state.balance;
  $('available').textContent = `${credits(b.availableMillicredits)} credits`;
  $('monthly').textContent = credits(b.monthlyMillicredits);
  $('granted').textContent = credits(b.grantedMillicredits ?? 0);
  $('purchased').textContent = credits(b.purchasedMillicredits);
  renderGrants(b.grants ?? []);
  $('reserved').textContent = credits(b.reservedMillicredits);
  $('plan').textContent = b.plan;
  $('next-refresh').textContent = date(b.nextRefreshAt);
  renderProjection();
}

/** The grant lots that still hold credits, in the order they are spent, each with its expiry. */
function renderGrants(grants) {
  const list = $('grants');
  list.replaceChildren(...grants.map((grant) => {
    const item = document.createElement('li');
    item.dataset.lot = grant.id;
    item.textContent = `${credits(grant.remainingMillicredits)} granted credits (${grant.reason}) expire on ${dateTime(grant.expiresAt)}`;
    return item;
  }));
  list.hidden = grants.length === 0;
}

function renderUsage() {
  const usage = state.usage;
  const t = usage.totals;
  $('totals').textContent = `${integer(t.calls)} calls, ${integer(t.totalTokens)} tokens, ${credits(t.costMillicredits)} credits`
    + ` from ${date(usage.from)} to ${date(usage.to)}.`;
  const spent = new Map((usage.byDay ?? []).map((group) => [group.key, group.totals.costMillicredits]));
  const days = [];
  for (let day = new Date(`${usage.from}T00:00:00Z`); day <= new Date(`${usage.to}T00:00:00Z`); day = new Date(day.getTime() + DAY_MS)) {
    const key = day.toISOString().slice(0, 10);
    const value = spent.get(key) ?? 0;
    days.push({ label: key, tick: key.slice(5), value, text: `${credits(value)} credits` });
  }
  draw('chart-days', columns(days, { label: `Credits spent per day: ${credits(t.costMillicredits)} in ${days.length} days` }));
  draw('chart-models', groups(usage.byModel, 'model', (key) => key));
  draw('chart-characters', groups(usage.byCharacter, 'character', (key) => key ?? 'no character'));
}

function groups(list = [], what, name) {
  const items = [...list]
    .sort((a, b) => b.totals.costMillicredits - a.totals.costMillicredits)
    .map((group) => ({
      label: name(group.key),
      value: group.totals.costMillicredits,
      text: `${credits(group.totals.costMillicredits)} (${integer(group.totals.calls)} calls)`,
    }));
  if (!items.length) return emptyChart(`No calls in this period.`);
  const summary = items.slice(0, 3).map((item) => `${item.label} ${item.text}`).join('; ');
  return rows(items, { label: `Credits by ${what}: ${summary}` });
}

function emptyChart(text) {
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = text;
  return p;
}

function draw(id, content) {
  $(id).querySelector('.chart-area').replaceChildren(content);
}

function renderCalls() {
  const page = state.usage.calls;
  const body = $('calls').querySelector('tbody');
  body.replaceChildren(...page.items.map((call) => {
    const row = document.createElement('tr');
    const cells = [
      dateTime(call.createdAt), call.model, call.characterId ?? '–',
      integer(call.uncachedInputTokens + call.cachedInputTokens + call.cacheWriteTokens),
      integer(call.outputTokens + call.reasoningTokens), credits(call.costMillicredits),
    ];
    cells.forEach((text, index) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (index >= 3) cell.className = 'number';
      row.append(cell);
    });
    return row;
  }));
  if (!page.items.length) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 6;
    cell.textContent = 'No calls in this period.';
    row.append(cell);
    body.append(row);
  }
  const pages = Math.max(1, Math.ceil(page.totalCalls / page.size));
  $('page-status').textContent = `Page ${page.page + 1} of ${pages} (${integer(page.totalCalls)} calls)`;
  $('previous').disabled = page.page <= 0;
  $('next').disabled = page.page + 1 >= pages;
}

/** When the credits run out if the user goes on spending as over the last seven days: the balance's forecast. */
function renderProjection() {
  const b = state.balance;
  if (!b) return;
  const forecast = b.forecast ?? { dailySpendMillicredits: 0, depletesAt: null, beforeRefresh: false };
  const text = $('projection');
  const refresh = date(b.nextRefreshAt);
  if (forecast.dailySpendMillicredits <= 0 && !forecast.depletesAt) {
    text.textContent = `No credits spent in the last ${PACE_DAYS} days: at this pace they last.`;
    text.dataset.outlook = 'fine';
    return;
  }
  const pace = `At your pace of the last ${PACE_DAYS} days (${credits(forecast.dailySpendMillicredits)} credits a day)`;
  if (!forecast.beforeRefresh) {
    text.textContent = `${pace}, your credits last until the next refresh on ${refresh}.`;
    text.dataset.outlook = 'fine';
  } else {
    text.textContent = `${pace}, your credits run out around ${dateTime(forecast.depletesAt)} — before the next refresh on ${refresh}.`;
    text.dataset.outlook = 'short';
  }
}

// ---------------------------------------------------------------- purchases

const STATUS_TEXT = {
  pending: 'Waiting for payment',
  paid: 'Paid',
  expired: 'Expired unpaid',
  refunded: 'Refunded',
  partially_refunded: 'Partly refunded',
  disputed: 'Disputed',
};

/** The packs first: where purchases are not configured, no purchase section is shown at all. */
async function loadPurchasing() {
  const shown = await offer.load();
  if (shown === 'not-configured') {
    hidePurchasing();
    return;
  }
  state.purchasesConfigured = true;
  $('buy').hidden = false;
  await Promise.all([loadPurchases(), loadAutoTopUp()]);
}

function hidePurchasing() {
  state.purchasesConfigured = false;
  for (const id of ['buy', 'purchases', 'auto-top-up']) $(id).hidden = true;
  document.body.dataset.purchases = 'not-configured';
  document.body.dataset.autoTopUp = 'absent';
}

async function loadPurchases() {
  if (!state.purchasesConfigured) return;
  try {
    const page = await client.purchases({ page: state.purchasePage, size: PURCHASE_PAGE_SIZE });
    renderPurchases(page);
    $('purchases').hidden = false;
    document.body.dataset.purchases = 'shown';
  } catch (error) {
    if (error.notConfigured) {
      hidePurchasing();
      return;
    }
    $('purchases-page-status').textContent = 'Your purchases could not be loaded.';
  }
}

function renderPurchases(page) {
  const body = $('purchase-table').querySelector('tbody');
  body.replaceChildren(...page.items.map((purchase) => {
    const row = document.createElement('tr');
    row.dataset.purchaseId = purchase.purchaseId;
    row.dataset.status = purchase.status;
    const cells = [
      [dateTime(purchase.createdAt), ''],
      [credits(purchase.creditsMillicredits), 'number'],
      [price(purchase.priceAmount, purchase.priceCurrency), 'number'],
      [STATUS_TEXT[purchase.status] ?? purchase.status, 'status'],
    ];
    for (const [text, className] of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (className) cell.className = className;
      row.append(cell);
    }
    row.append(purchaseNote(purchase));
    return row;
  }));
  if (!page.items.length) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 5;
    cell.textContent = page.page > 0 ? 'No more purchases.' : 'No purchases yet.';
    row.append(cell);
    body.append(row);
  }
  $('purchases-page-status').textContent = `Page ${page.page + 1}`;
  $('purchases-previous').disabled = page.page <= 0;
  $('purchases-next').disabled = !page.more;
}

/** A pending purchase links to its Checkout page; a refund or dispute says what was taken back. */
function purchaseNote(purchase) {
  const cell = document.createElement('td');
  const url = purchase.status === 'pending' ? webUrl(purchase.checkoutUrl) : null;
  if (url) {
    const link = document.createElement('a');
    link.href = url;
    link.target = '_top'; // Stripe's pages refuse to be framed: a framed dashboard opens it in the whole tab
    link.className = 'continue';
    link.textContent = 'Continue to payment';
    cell.append(link);
  } else if (purchase.clawedBackMillicredits > 0) {
    cell.textContent = `${credits(purchase.clawedBackMillicredits)} credits taken back`;
  }
  return cell;
}

// ---------------------------------------------------------------- auto top-up

/** The settings; a 404 (no such endpoint here, or purchases not configured) hides the section. */
async function loadAutoTopUp() {
  if (!state.purchasesConfigured) return;
  try {
    const settings = await client.autoTopUp();
    await renderAutoTopUp(settings);
    $('auto-top-up').hidden = false;
    document.body.dataset.autoTopUp = 'shown';
  } catch (error) {
    if (error.status === 404) {
      $('auto-top-up').hidden = true;
      document.body.dataset.autoTopUp = 'absent';
      return;
    }
    $('auto-top-up-status').textContent = 'The auto top-up settings could not be loaded.';
  }
}

async function renderAutoTopUp(settings) {
  state.autoTopUp = settings;
  const packs = await client.packs().catch(() => []);
  const select = $('auto-top-up-pack');
  const choose = document.createElement('option');
  choose.value = '';
  choose.textContent = 'Choose a pack';
  select.replaceChildren(choose, ...packs.map((pack) => {
    const option = document.createElement('option');
    option.value = pack.packId;
    option.textContent = `${credits(pack.creditsMillicredits)} credits for ${price(pack.priceAmount, pack.priceCurrency)}`;
    return option;
  }));
  select.value = settings.packId ?? '';
  $('auto-top-up-enabled').checked = Boolean(settings.enabled);
  $('auto-top-up-threshold').value = settings.thresholdCredits ?? '';
  const off = $('auto-top-up-off');
  off.hidden = !settings.disabledReason;
  off.textContent = settings.disabledReason
    ? `Auto top-up switched itself off: ${settings.disabledReason} Check your card, then switch it on again.`
    : '';
  $('auto-top-up-card').hidden = Boolean(settings.paymentMethodSaved);
  const failures = $('auto-top-up-failures');
  failures.hidden = !(settings.enabled && settings.consecutiveFailures > 0);
  failures.textContent = `The last ${settings.consecutiveFailures} automatic payment${settings.consecutiveFailures === 1 ? '' : 's'} failed.`;
}

async function saveAutoTopUp(event) {
  event.preventDefault();
  const status = $('auto-top-up-status');
  const enabled = $('auto-top-up-enabled').checked;
  const threshold = $('auto-top-up-threshold').value.trim();
  const packId = $('auto-top-up-pack').value;
  if (enabled && (threshold === '' || packId === '')) {
    status.textContent = 'Choose a threshold and a pack to switch auto top-up on.';
    return;
  }
  const save = $('auto-top-up-save');
  save.disabled = true;
  status.textContent = 'Saving…';
  try {
    const settings = await client.saveAutoTopUp({
      enabled, thresholdCredits: threshold === '' ? null : Number(threshold), packId: packId || null,
    });
    await renderAutoTopUp(settings);
    status.textContent = settings.enabled ? 'Saved: auto top-up is on.' : 'Saved: auto top-up is off.';
  } catch (error) {
    status.textContent = error.problem?.detail || error.problem?.title || 'The settings could not be saved.';
  } finally {
    save.disabled = false;
  }
}
