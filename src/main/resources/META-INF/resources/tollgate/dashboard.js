// The usage dashboard: balance, usage charts over time, by model and by character, the recent
// calls page by page, and when the credits run out at the current pace. Kept live by the
// balance stream: a change of the balance reloads the usage.
import { configure } from './tollgate.js';
import { startHandover, getToken, hasToken, requestFreshToken } from './session.js';
import { credits, date, dateTime, integer } from './format.js';
import { columns, rows } from './charts.js';

const PAGE_SIZE = 20;
const PACE_DAYS = 7;
const DAY_MS = 86_400_000;

startHandover();
const client = configure({ getToken });
client.addEventListener('unauthenticated', requestFreshToken);

const $ = (id) => document.getElementById(id);
const state = { page: 0, days: 30, usage: null, balance: null, reload: null };

const note = $('signin-note');
const refreshNote = () => { note.hidden = hasToken(); };
document.addEventListener('tollgate-token', () => { refreshNote(); loadUsage(); });
refreshNote();
if (hasToken()) loadUsage();

client.addEventListener('balance', (event) => {
  const previous = state.balance;
  state.balance = event.detail;
  renderBalance();
  // A change of the balance (not the same one read twice) means new usage, or a hold.
  if (previous && JSON.stringify(previous) !== JSON.stringify(event.detail)) scheduleReload();
});

$('range').addEventListener('change', (event) => {
  state.days = Number(event.target.value);
  state.page = 0;
  loadUsage();
});
$('previous').addEventListener('click', () => { if (state.page > 0) { state.page--; loadUsage(); } });
$('next').addEventListener('click', () => { state.page++; loadUsage(); });

function scheduleReload() {
  clearTimeout(state.reload);
  state.reload = setTimeout(loadUsage, 1000);
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
  $('purchased').textContent = credits(b.purchasedMillicredits);
  $('reserved').textContent = credits(b.reservedMillicredits);
  $('plan').textContent = b.plan;
  $('next-refresh').textContent = date(b.nextRefreshAt);
  renderProjection();
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

/** When the credits run out if the user goes on spending as over the last seven days. */
function renderProjection() {
  const b = state.balance;
  const usage = state.usage;
  if (!b || !usage?.byDay) return;
  const since = utcDay(-(PACE_DAYS - 1));
  const recent = usage.byDay.filter((group) => group.key >= since)
    .reduce((sum, group) => sum + group.totals.costMillicredits, 0);
  const span = Math.min(PACE_DAYS, state.days);
  const perDay = Math.ceil(recent / span);
  const text = $('projection');
  if (perDay <= 0) {
    text.textContent = `No credits spent in the last ${span} days: at this pace they last.`;
    text.dataset.outlook = 'fine';
    return;
  }
  const daysLeft = Math.floor(b.availableMillicredits / perDay);
  const runsOut = new Date(Date.now() + daysLeft * DAY_MS);
  const refresh = new Date(b.nextRefreshAt);
  const pace = `At your pace of the last ${span} days (${credits(perDay)} credits a day)`;
  if (runsOut >= refresh) {
    text.textContent = `${pace}, your credits last until the next refresh on ${date(refresh)}.`;
    text.dataset.outlook = 'fine';
  } else {
    const when = daysLeft < 1 ? 'within a day'
      : `in about ${daysLeft} day${daysLeft === 1 ? '' : 's'}, around ${date(runsOut)}`;
    text.textContent = `${pace}, your credits run out ${when} — before the next refresh on ${date(refresh)}.`;
    text.dataset.outlook = 'short';
  }
}
