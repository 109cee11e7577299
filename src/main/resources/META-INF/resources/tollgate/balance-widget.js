// <tollgate-balance>: the user's credits, or a team pool's, live.
//
//   <tollgate-balance upgrade-url="/plans"></tollgate-balance>
//   <tollgate-balance account="team:5b0f9e1c-…" label="Team credits"></tollgate-balance>
//
// Shows the available credits and the warning level (ok / low / critical / empty, from the
// thresholds the balance carries, in words as well as colour), the day the credits run out at the
// pace of the last 7 days when that is before the next refresh (the balance's forecast; the host
// then carries data-forecast="before-refresh"), and an upgrade prompt when the
// plan offers one (free plans running low). The amount is an aria-live region. The element uses
// the client of configure(), or the one set on its `client` property. Without `upgrade-url` the
// prompt is a button that fires `tollgate-upgrade` (bubbling, composed) for the app to handle.
//
// With `account="team:<id>"` it shows that team pool's balance (the client's forAccount: every read
// and the stream carry X-Tollgate-Account). When a call of the client is refused with 402 for the
// element's account (a problem with that `account`, or none for the user's own), it says which
// account ran out, as an alert (part `refusal`; the host carries data-ran-out="member-cap", "pool" or
// "credits"): the member's monthly cap on the team, the team's pool, or the user's own credits. The
// message stays until the available credits rise.

import { sharedClient } from './client.js';
import { credits, warningLevel, LEVEL_TEXT, depletionNote, refusalText, teamOf } from './format.js';

const STYLESHEET = new URL('./components.css', import.meta.url).href;

export class TollgateBalance extends HTMLElement {
  static get observedAttributes() {
    return ['upgrade-url', 'label', 'account'];
  }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `
      <link rel="stylesheet" href="${STYLESHEET}">
      <div class="balance" part="balance" data-level="unknown">
        <span class="label" id="label" part="label">Credits</span>
        <output class="amount" part="amount" aria-live="polite" aria-atomic="true" aria-labelledby="label" aria-describedby="level">…</output>
        <span class="level" id="level" part="level">Loading your balance</span>
        <span class="forecast" part="forecast" hidden></span>
        <span class="refusal" part="refusal" role="alert" hidden></span>
        <a class="upgrade" part="upgrade" hidden>Upgrade for more credits</a>
        <button class="upgrade" part="upgrade" type="button" hidden>Upgrade for more credits</button>
      </div>`;
    this.box = root.querySelector('.balance');
    this.amount = root.querySelector('.amount');
    this.levelText = root.querySelector('.level');
    this.forecastText = root.querySelector('.forecast');
    this.refusalText = root.querySelector('.refusal');
    this.upgradeLink = root.querySelector('a.upgrade');
    this.upgradeButton = root.querySelector('button.upgrade');
    this.upgradeButton.addEventListener('click', () => {
      this.dispatchEvent(new CustomEvent('tollgate-upgrade', { bubbles: true, composed: true, detail: { balance: this.current } }));
    });
    this.onBalance = (event) => this.render(event.detail);
    this.onRefusal = (event) => this.refused(event.detail);
    this.current = null;
    this.refusedAt = null; // the available credits when the last 402 came
  }

  /** The client to use instead of the shared one. */
  set client(client) {
    this.attach(client);
  }

  get client() {
    return this.attached;
  }

  connectedCallback() {
    this.applyLabel();
    if (!this.attached) sharedClient().then((client) => { if (!this.attached) this.attach(client); });
    else this.load();
  }

  disconnectedCallback() {
    this.stopListening();
  }

  attributeChangedCallback(name, previous, value) {
    this.applyLabel();
    if (name === 'account' && previous !== value && this.attached) {
      this.attach(this.attached);
      return;
    }
    if (this.current) this.render(this.current);
  }

  /** The account shown: "team:<id>", or null for the user's own. */
  get account() {
    return this.getAttribute('account') || null;
  }

  set account(account) {
    if (account) this.setAttribute('account', account);
    else this.removeAttribute('account');
  }

  attach(client) {
    this.stopListening();
    this.attached = client;
    this.current = null;
    this.clearRefusal();
    if (this.isConnected) this.load();
  }

  load() {
    const source = this.account ? this.attached.forAccount(this.account) : this.attached;
    if (!this.listening) {
      this.source = source;
      source.addEventListener('balance', this.onBalance);
      source.root.addEventListener('insufficient-credits', this.onRefusal);
      this.listening = true;
    }
    source.connect();
    source.balance().then((balance) => { if (source === this.source) this.render(balance); }, () => {
      this.levelText.textContent = 'Balance unavailable';
    });
  }

  stopListening() {
    this.source?.removeEventListener('balance', this.onBalance);
    this.source?.root.removeEventListener('insufficient-credits', this.onRefusal);
    this.source = null;
    this.listening = false;
  }

  /** A 402 of the client: shown when it is about this element's account. */
  async refused(problem) {
    const account = problem?.account ?? null;
    const shown = () => this.source?.account ?? null;
    if (account !== shown()) return;
    const ranOut = problem.ranOut === 'member-cap' || problem.ranOut === 'pool' ? problem.ranOut : 'credits';
    let teamName = 'the team';
    if (ranOut === 'member-cap') {
      teamName = await this.attached.team(teamOf(account)).then((team) => team.name, () => teamName);
      if (account !== shown()) return;
    }
    this.refusalText.textContent = refusalText(problem, teamName);
    this.refusalText.hidden = false;
    this.dataset.ranOut = ranOut;
    this.refusedAt = this.current?.availableMillicredits ?? null;
  }

  clearRefusal() {
    this.refusalText.hidden = true;
    this.refusalText.textContent = '';
    delete this.dataset.ranOut;
    this.refusedAt = null;
  }

  applyLabel() {
    this.shadowRoot.getElementById('label').textContent = this.getAttribute('label') || 'Credits';
  }

  render(balance) {
    this.current = balance;
    if (this.dataset.ranOut && this.refusedAt !== null && balance.availableMillicredits > this.refusedAt) this.clearRefusal();
    const level = warningLevel(balance.availableMillicredits, balance.thresholds);
    this.box.dataset.level = level;
    this.dataset.level = level;
    this.amount.value = credits(balance.availableMillicredits);
    this.amount.textContent = this.amount.value;
    this.levelText.textContent = LEVEL_TEXT[level];
    const note = level === 'empty' ? null : depletionNote(balance);
    this.forecastText.hidden = !note;
    this.forecastText.textContent = note ?? '';
    if (note) this.dataset.forecast = 'before-refresh';
    else delete this.dataset.forecast;
    const url = this.getAttribute('upgrade-url');
    const prompt = Boolean(balance.upgradeHint);
    this.upgradeLink.hidden = !(prompt && url);
    this.upgradeButton.hidden = !(prompt && !url);
    if (url) this.upgradeLink.href = url;
  }
}

if (!customElements.get('tollgate-balance')) customElements.define('tollgate-balance', TollgateBalance);
