// The team pools of the dashboard: the user's teams to choose from, and for the chosen one the
// pool's balance, live (its own stream, with X-Tollgate-Account); for owners and managers every
// member's spending this period (spent, held, cap, what the cap leaves) and the usage by member
// over the last 30 days; for a member their own spending and what their cap leaves. The section
// stays hidden for a user in no team.
import { credits, date, integer } from './format.js';

const USAGE_DAYS = 30;
const DAY_MS = 86_400_000;

/** Starts the team view on the dashboard's client; answers { load } to call once a token is there. */
export function teamView(client) {
  const $ = (id) => document.getElementById(id);
  const section = $('teams');
  const widget = $('team-balance');
  const state = { teams: [], team: null, source: null, reload: null };

  const followPool = (event) => {
    renderPool(event.detail);
    clearTimeout(state.reload);
    state.reload = setTimeout(loadDetails, 1000);
  };

  $('team').addEventListener('change', (event) => {
    const team = state.teams.find((t) => t.teamId === event.target.value);
    if (team) choose(team);
  });

  async function load() {
    try {
      state.teams = await client.teams();
    } catch (error) {
      state.teams = [];
    }
    section.hidden = state.teams.length === 0;
    document.body.dataset.teams = state.teams.length === 0 ? 'none' : 'shown';
    if (!state.teams.length) return;
    const select = $('team');
    select.replaceChildren(...state.teams.map((team) => {
      const option = document.createElement('option');
      option.value = team.teamId;
      option.textContent = team.name;
      return option;
    }));
    const current = state.teams.find((t) => t.teamId === state.team?.teamId) ?? state.teams[0];
    select.value = current.teamId;
    choose(current);
  }

  function choose(team) {
    if (state.source && state.source.account !== team.account) {
      state.source.removeEventListener('balance', followPool);
      state.source.disconnect();
      state.source = null;
    }
    state.team = team;
    section.dataset.team = team.teamId;
    section.dataset.view = manages(team) ? 'manager' : 'member';
    delete section.dataset.loaded;
    $('team-role').textContent = `You are ${article(team.role)} ${team.role} of ${team.name}.`;
    widget.setAttribute('account', team.account);
    if (!state.source) {
      state.source = client.forAccount(team.account);
      state.source.addEventListener('balance', followPool);
      state.source.connect();
    }
    state.source.balance().then(renderPool, () => {});
    loadDetails();
  }

  function renderPool(balance) {
    $('team-monthly').textContent = credits(balance.monthlyMillicredits);
    $('team-granted').textContent = credits(balance.grantedMillicredits ?? 0);
    $('team-purchased').textContent = credits(balance.purchasedMillicredits);
    $('team-reserved').textContent = credits(balance.reservedMillicredits);
    $('team-next-refresh').textContent = balance.nextRefreshAt ? date(balance.nextRefreshAt) : '–';
  }

  async function loadDetails() {
    const team = state.team;
    if (!team) return;
    try {
      if (manages(team)) {
        const to = new Date().toISOString().slice(0, 10);
        const from = new Date(Date.now() - (USAGE_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
        const [pool, usage] = await Promise.all([client.teamBalance(team.teamId), client.teamUsage(team.teamId, { from, to })]);
        if (state.team !== team) return;
        renderMembers(pool.members);
        renderUsage(usage);
        $('team-me').hidden = true;
        $('team-members-box').hidden = false;
      } else {
        const me = await client.teamMember(team.teamId);
        if (state.team !== team) return;
        renderMe(me);
        $('team-members-box').hidden = true;
      }
      section.dataset.loaded = 'true';
    } catch (error) {
      $('team-me').hidden = false;
      $('team-me').textContent = 'The team could not be loaded.';
    }
  }

  function renderMembers(members) {
    $('team-members').querySelector('tbody').replaceChildren(...members.map((member) => row(member.userId, [
      member.role, credits(member.spentMillicredits), credits(member.heldMillicredits),
      member.capMillicredits === null ? 'no cap' : credits(member.capMillicredits),
      member.remainingMillicredits === null ? '–' : credits(member.remainingMillicredits),
    ], 1)));
  }

  function renderUsage(usage) {
    $('team-usage-totals').textContent = `${integer(usage.calls)} calls, ${credits(usage.totalCostMillicredits)} credits`
      + ` from ${date(usage.from)} to ${date(new Date(Date.parse(usage.to) - DAY_MS))}.`;
    const body = $('team-usage').querySelector('tbody');
    body.replaceChildren(...usage.members.map((member) => row(member.userId, [
      integer(member.calls), integer(member.totalTokens), credits(member.costMillicredits),
    ])));
    if (!usage.members.length) body.append(row('No calls in this period.', []));
  }

  function renderMe(me) {
    const text = $('team-me');
    const spent = `You spent ${credits(me.spentMillicredits)} credits from the pool this period`
      + (me.heldMillicredits > 0 ? `, and ${credits(me.heldMillicredits)} are held for calls in progress` : '');
    if (me.capMillicredits === null) {
      text.textContent = `${spent}. You have no monthly cap: you spend up to the pool's balance.`;
      delete text.dataset.cap;
    } else {
      text.textContent = `${spent}. Your monthly cap is ${credits(me.capMillicredits)} credits: `
        + `${credits(me.remainingMillicredits)} credits left.`;
      text.dataset.cap = me.remainingMillicredits > 0 ? 'left' : 'reached';
    }
    text.hidden = false;
  }

  return { load };
}

const manages = (team) => team.role === 'owner' || team.role === 'manager';
const article = (role) => (role === 'owner' ? 'an' : 'a');

/** A table row: a header cell naming the row, then the values (after the first textColumns, numbers). */
function row(name, values, textColumns = 0) {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = name;
  tr.append(th, ...values.map((value, index) => {
    const td = document.createElement('td');
    td.textContent = value;
    if (index >= textColumns) td.className = 'number';
    return td;
  }));
  if (!values.length) th.colSpan = 4;
  return tr;
}
